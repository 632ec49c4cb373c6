#!/usr/bin/env bash
# Makes the real infrastructure of the integration tests available on loopback: this machine's
# PostgreSQL and Redis (started if installed and stopped) and a Kafka broker of our own.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

step() { printf '[infra-up] %-10s %s\n' "$1" "$2"; }

t=$SECONDS
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  command -v pg_ctlcluster >/dev/null || { step postgres "not installed and not running on 127.0.0.1:5432"; exit 1; }
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || { step postgres "did not start"; exit 1; }
fi
step postgres "ready ($((SECONDS - t)) s)"

t=$SECONDS
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  command -v redis-server >/dev/null || { step redis "not installed and not running on 127.0.0.1:6379"; exit 1; }
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { step redis "did not start"; exit 1; }
fi
step redis "ready ($((SECONDS - t)) s)"

# kcat is how an outside consumer (a SIEM) reads the topics in tests; only some tests need it.
t=$SECONDS
if ! command -v kcat >/dev/null; then
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat) >/dev/null 2>&1; then
    step kcat "installed ($((SECONDS - t)) s)"
  else
    step kcat "WARNING: could not be installed; tests that read topics with kcat will fail"
  fi
else
  step kcat "present"
fi

t=$SECONDS
bash "$ROOT/scripts/kafka-local.sh" start
step kafka "ready ($((SECONDS - t)) s)"

echo "KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092} DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379"

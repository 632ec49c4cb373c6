#!/usr/bin/env bash
# Makes the real infrastructure of the integration tests available on loopback: this machine's
# PostgreSQL and Redis (started when installed but stopped; never installed here) and a Kafka broker
# of our own (scripts/kafka-local.sh). Idempotent: a second run only checks and returns.
# It exports nothing; the last lines print the addresses for humans.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KAFKA_PORT="${KAFKA_PORT:-9092}"

step() { printf '[infra-up] %-9s %s\n' "$1" "$2"; }
fail() {
  step "$1" "FAILED: $2" >&2
  exit 1
}
need() { command -v "$2" >/dev/null || fail "$1" "$2 is not installed (${3:-})"; }
# Retries a check command $1 times, $2 seconds apart; true as soon as it succeeds.
retry() {
  local tries="$1" pause="$2"
  shift 2
  for _ in $(seq 1 "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep "$pause"
  done
  return 1
}

total=$SECONDS

# PostgreSQL: the machine's cluster. pg_ctlcluster needs --skip-systemctl-redirect because there is
# no systemd here.
t=$SECONDS
need postgres pg_isready "install postgresql, or run it on 127.0.0.1:5432"
if pg_isready -q -h 127.0.0.1 -p 5432; then
  step postgres "ready, already running ($((SECONDS - t)) s)"
else
  need postgres pg_ctlcluster "install postgresql, or run it on 127.0.0.1:5432"
  # The newest installed version's "main" cluster (normally there is exactly one version).
  version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$version" ]] || fail postgres "no cluster under /etc/postgresql"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  retry 30 1 pg_isready -q -h 127.0.0.1 -p 5432 ||
    fail postgres "started but does not accept connections on 127.0.0.1:5432"
  step postgres "ready, started ($((SECONDS - t)) s)"
fi

# Redis: no persistence (--save ""), the tests use it as a cache and a rate-limit store only.
t=$SECONDS
need redis redis-cli "install redis-server, or run it on 127.0.0.1:6379"
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  step redis "ready, already running ($((SECONDS - t)) s)"
else
  need redis redis-server "install redis-server, or run it on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" >/dev/null
  retry 30 0.5 redis-cli -h 127.0.0.1 -p 6379 ping || fail redis "started but does not answer PING on 127.0.0.1:6379"
  step redis "ready, started ($((SECONDS - t)) s)"
fi

# kcat is how an outside consumer (a SIEM) reads the topics in tests. Only some tests need it, so a
# failed install (no root, no apt, no network) is a warning, not an error.
t=$SECONDS
if command -v kcat >/dev/null; then
  step kcat "present ($((SECONDS - t)) s)"
elif (timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq kcat) >/dev/null 2>&1 &&
  command -v kcat >/dev/null; then
  step kcat "installed ($((SECONDS - t)) s)"
else
  step kcat "WARNING: could not be installed with apt-get; tests that read topics with kcat will fail ($((SECONDS - t)) s)"
fi

t=$SECONDS
bash "$ROOT/scripts/kafka-local.sh" start
step kafka "ready on 127.0.0.1:$KAFKA_PORT ($((SECONDS - t)) s)"

step total "$((SECONDS - total)) s"
echo "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
echo "DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"
echo "REDIS_URL=redis://127.0.0.1:6379"

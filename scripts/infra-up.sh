#!/usr/bin/env bash
# Makes the real infrastructure of the integration tests available on loopback: PostgreSQL and
# Redis from Debian's packages (installed when missing, started when stopped) and a Kafka broker of
# our own (scripts/kafka-local.sh). Idempotent: a second run only checks and returns.
# It exports nothing; the last lines print the addresses for humans.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KAFKA_PORT="${KAFKA_PORT:-9092}"

step() { printf '[infra-up] %-9s %s\n' "$1" "$2"; }
fail() {
  step "$1" "FAILED: $2" >&2
  exit 1
}
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

# Debian's packages, installed when missing (a new machine has neither PostgreSQL nor Redis). The
# package lists are fetched once per run, and only when something is missing.
apt_updated=""
apt_install() {
  if [[ -z "$apt_updated" ]]; then
    timeout 600 apt-get update -qq >/dev/null 2>&1 || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "$@" >/dev/null 2>&1
}
# The newest installed PostgreSQL version (normally there is exactly one).
pg_version() { find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1; }

# PostgreSQL: Debian's cluster "main". pg_ctlcluster needs --skip-systemctl-redirect because there
# is no systemd here. Debian asks for a password on loopback (scram-sha-256), so the superuser
# postgres gets the password "postgres", the same credentials as the tests' default URL; a cluster
# that already accepts them is left as it is.
t=$SECONDS
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if [[ -z "$(pg_version)" ]] || ! command -v pg_ctlcluster >/dev/null; then
    apt_install postgresql || fail postgres "apt-get install postgresql failed (or run PostgreSQL on 127.0.0.1:5432)"
    step postgres "installed from Debian ($((SECONDS - t)) s)"
  fi
  version="$(pg_version)"
  [[ -d "/etc/postgresql/$version/main" ]] || pg_createcluster "$version" main >/dev/null ||
    fail postgres "pg_createcluster $version main failed"
  pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || pg_ctlcluster --skip-systemctl-redirect "$version" main start
  retry 30 1 pg_isready -q -h 127.0.0.1 -p 5432 ||
    fail postgres "started but does not accept connections on 127.0.0.1:5432"
  step postgres "ready, started ($((SECONDS - t)) s)"
else
  step postgres "ready, already running ($((SECONDS - t)) s)"
fi
if ! PGPASSWORD=postgres PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -qtAc 'select 1' >/dev/null 2>&1; then
  command -v runuser >/dev/null && runuser -u postgres -- psql -p 5432 -qc "ALTER ROLE postgres PASSWORD 'postgres'" >/dev/null ||
    fail postgres "cannot log in as postgres/postgres on 127.0.0.1:5432 and cannot set that password (run as root, or set IT_POSTGRES_URL)"
  step postgres "password of role postgres set for loopback logins"
fi

# Redis: no persistence (--save ""), the tests use it as a cache and a rate-limit store only.
t=$SECONDS
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  step redis "ready, already running ($((SECONDS - t)) s)"
else
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    apt_install redis-server || fail redis "apt-get install redis-server failed (or run Redis on 127.0.0.1:6379)"
    step redis "installed from Debian ($((SECONDS - t)) s)"
  fi
  # The package may have started its own server already.
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" >/dev/null
  fi
  retry 30 0.5 redis-cli -h 127.0.0.1 -p 6379 ping || fail redis "started but does not answer PING on 127.0.0.1:6379"
  step redis "ready, started ($((SECONDS - t)) s)"
fi

# kcat is how an outside consumer (a SIEM) reads the topics in tests. Only some tests need it, so a
# failed install (no root, no apt, no network) is a warning, not an error.
t=$SECONDS
if command -v kcat >/dev/null; then
  step kcat "present ($((SECONDS - t)) s)"
elif apt_install kcat &&
  command -v kcat >/dev/null; then
  step kcat "installed ($((SECONDS - t)) s)"
else
  step kcat "WARNING: could not be installed with apt-get; tests that read topics with kcat will fail ($((SECONDS - t)) s)"
fi

# nginx and Caddy are the gateways the forward-auth tests put in front of the decision service
# (test/integration/forward-auth.int.spec.ts). The tests run them as the test user on their own
# ports and directories, never as services: Debian's nginx package starts one on port 80 when it
# can, which the tests do not need. A failed install is a warning: only those tests need them.
for gateway in nginx:nginx-light caddy:caddy; do
  t=$SECONDS
  command_name="${gateway%%:*}" package="${gateway#*:}"
  if command -v "$command_name" >/dev/null; then
    step "$command_name" "present ($((SECONDS - t)) s)"
  elif apt_install "$package" && command -v "$command_name" >/dev/null; then
    step "$command_name" "installed from Debian ($package, $((SECONDS - t)) s)"
  else
    step "$command_name" "WARNING: apt-get install $package failed; the forward-auth tests will fail ($((SECONDS - t)) s)"
  fi
done

t=$SECONDS
bash "$ROOT/scripts/kafka-local.sh" start
step kafka "ready on 127.0.0.1:$KAFKA_PORT ($((SECONDS - t)) s)"

step total "$((SECONDS - total)) s"
echo "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
echo "DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres"
echo "REDIS_URL=redis://127.0.0.1:6379"

#!/usr/bin/env bash
# Stops what infra-up started of its own: the Kafka broker. The machine's PostgreSQL and Redis stay.
set -euo pipefail
bash "$(cd "$(dirname "$0")" && pwd)/kafka-local.sh" stop

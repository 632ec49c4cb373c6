#!/usr/bin/env bash
# Stops what the project started of its own: the Kafka broker, by the pid in .infra/kafka/kafka.pid.
# PostgreSQL and Redis belong to the machine (other projects may use them), so they keep running.
# The data in .infra/kafka/data stays; delete .infra/ for a clean broker.
set -euo pipefail
bash "$(cd "$(dirname "$0")" && pwd)/kafka-local.sh" stop

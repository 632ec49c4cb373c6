#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft) on loopback, without Docker: the broker jars come
# from Maven Central through Maven and are cached under .infra/kafka/libs.
#   scripts/kafka-local.sh start | stop | status
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
HOME_DIR="$ROOT/.infra/kafka"
LIBS="$HOME_DIR/libs"
DATA="$HOME_DIR/data"
PID_FILE="$HOME_DIR/kafka.pid"
LOG="$HOME_DIR/broker.log"

log() { printf '[kafka-local] %s\n' "$*"; }

running() {
  [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

# Maven resolves the broker and its runtime dependencies; the POM declares no logging backend,
# so reload4j is added or the broker logs nothing.
fetch_jars() {
  local marker="$LIBS/.complete-$KAFKA_VERSION"
  [[ -f "$marker" ]] && return 0
  log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central (first run only)"
  local started=$SECONDS pom_dir="$HOME_DIR/pom"
  rm -rf "$LIBS" && mkdir -p "$LIBS" "$pom_dir"
  cat >"$pom_dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.zt</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>
  </dependencies>
</project>
POM
  mvn -B -q -Dstyle.color=never -f "$pom_dir/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS"
  touch "$marker"
  log "jars ready in $((SECONDS - started)) s ($(ls "$LIBS" | wc -l) files)"
}

write_config() {
  mkdir -p "$DATA"
  cat >"$HOME_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  cat >"$HOME_DIR/log4j.properties" <<L4J
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$LOG
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
L4J
}

format_storage() {
  [[ -f "$DATA/meta.properties" ]] && return 0
  local cluster_id
  local log4j="-Dlog4j.configuration=file:$HOME_DIR/log4j.properties"
  cluster_id="$(java "$log4j" -cp "$LIBS/*" kafka.tools.StorageTool random-uuid)"
  java "$log4j" -cp "$LIBS/*" kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$HOME_DIR/server.properties" --ignore-formatted >/dev/null
}

wait_ready() {
  if ! node "$ROOT/scripts/wait-for-kafka.js" "127.0.0.1:$KAFKA_PORT" 90; then
    log "broker did not become ready; last lines of $LOG:"
    tail -n 40 "$LOG" 2>/dev/null || true
    return 1
  fi
}

start() {
  mkdir -p "$HOME_DIR"
  if running; then
    wait_ready && log "already running (pid $(cat "$PID_FILE")) on 127.0.0.1:$KAFKA_PORT"
    return
  fi
  rm -f "$PID_FILE"
  command -v java >/dev/null || { log "java is not installed"; exit 1; }
  fetch_jars
  write_config
  format_storage
  local started=$SECONDS
  nohup java -Xms256m -Xmx512m -XX:+UseG1GC \
    -Dlog4j.configuration="file:$HOME_DIR/log4j.properties" \
    -cp "$LIBS/*" kafka.Kafka "$HOME_DIR/server.properties" >>"$HOME_DIR/stdout.log" 2>&1 &
  echo $! >"$PID_FILE"
  wait_ready
  # Another broker on the port would answer too; only ours counts.
  if ! running; then
    log "the broker exited (is port $KAFKA_PORT taken?); last lines of $LOG:"
    tail -n 40 "$LOG" 2>/dev/null || true
    rm -f "$PID_FILE"
    exit 1
  fi
  log "started (pid $(cat "$PID_FILE")) on 127.0.0.1:$KAFKA_PORT in $((SECONDS - started)) s"
}

stop() {
  if ! running; then
    rm -f "$PID_FILE"
    log "not running"
    return
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  kill "$pid"
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$PID_FILE"
  log "stopped (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then log "running (pid $(cat "$PID_FILE"))"; else log "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac

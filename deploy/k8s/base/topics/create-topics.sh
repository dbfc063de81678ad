#!/bin/sh
# Creates (idempotently) the ApplyLens topics and their dead-letter topics with
# kafka-topics.sh from the apache/kafka image. Used by the Kubernetes Job
# applylens-topics and by the compose service topics-init.
#
# TOPIC_PARTITIONS bounds consumer parallelism: a consumer group never has more
# active members than partitions, so the consumer autoscalers' maxReplicas must not
# exceed it (tests/deploy checks this). Partitions can be added later but never
# removed, and adding them moves keys (user ids) to other partitions.
set -eu

: "${KAFKA_BOOTSTRAP_SERVERS:?}"
PARTITIONS="${TOPIC_PARTITIONS:-12}"
REPLICATION="${TOPIC_REPLICATION_FACTOR:-3}"
MIN_ISR="${TOPIC_MIN_INSYNC_REPLICAS:-2}"
EVENTS_RETENTION_MS="${TOPIC_RETENTION_MS:-1209600000}"     # 14 days: room to replay after an outage
DLQ_RETENTION_MS="${TOPIC_DLQ_RETENTION_MS:-2592000000}"    # 30 days: time to inspect and replay
DLQ_PARTITIONS="${TOPIC_DLQ_PARTITIONS:-3}"

topics() {
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" "$@"
}

create() {  # name partitions retention_ms
  topics --create --if-not-exists --topic "$1" --partitions "$2" \
    --replication-factor "$REPLICATION" \
    --config min.insync.replicas="$MIN_ISR" \
    --config retention.ms="$3" \
    --config cleanup.policy=delete \
    --config max.message.bytes=5242880
}

for topic in applylens.actions.v1 applylens.emails.v1; do
  create "$topic" "$PARTITIONS" "$EVENTS_RETENTION_MS"
  create "$topic.dlq" "$DLQ_PARTITIONS" "$DLQ_RETENTION_MS"
done

topics --describe --topic 'applylens\..*'

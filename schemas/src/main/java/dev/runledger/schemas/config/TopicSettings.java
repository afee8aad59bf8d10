package dev.runledger.schemas.config;

/**
 * How topics are named and created.
 *
 * @param prefix prepended to every topic name, e.g. {@code runledger.}
 * @param partitions partitions of every topic but the command topics
 * @param commandPartitions partitions of each {@code run-commands.<pool>} topic; 1 by default,
 *     because a share group spreads partitions over its consumers and a command on a partition
 *     whose consumers are all busy would wait while other workers sit idle
 * @param replication replication factor of every topic
 * @param ledgerRetentionMs retention of the run ledger, -1 for forever
 * @param minInsyncReplicas {@code min.insync.replicas} of every topic, 0 for the broker's own
 * @param maxRecordBytes the largest record (key plus encoded value) a service writes; every topic
 *     is created with {@code max.message.bytes} of {@link #maxMessageBytes()}
 */
public record TopicSettings(
    String prefix,
    int partitions,
    int commandPartitions,
    short replication,
    long ledgerRetentionMs,
    int minInsyncReplicas,
    int maxRecordBytes) {
  /**
   * What Kafka adds around a record's key and value, with room to spare: the batch header, the
   * record's framing and headers (the pool header, a dead letter's error headers).
   */
  public static final int FRAMING_BYTES = 64 * 1024;

  /** The smallest {@code record.max.bytes}: every record the services write themselves fits. */
  public static final int MIN_RECORD_BYTES = 16 * 1024;

  /** The largest {@code record.max.bytes}: 1 GiB. */
  public static final int MAX_RECORD_BYTES = 1 << 30;

  public TopicSettings {
    if (partitions < 1) {
      throw new ConfigException("topic.partitions", "topic.partitions must be at least 1");
    }
    if (commandPartitions < 1) {
      throw new ConfigException(
          "topic.commands.partitions", "topic.commands.partitions must be at least 1");
    }
    if (replication < 1) {
      throw new ConfigException("topic.replication", "topic.replication must be at least 1");
    }
    if (minInsyncReplicas > replication) {
      throw new ConfigException(
          "topic.min.insync.replicas",
          "topic.min.insync.replicas ("
              + minInsyncReplicas
              + ") must not exceed topic.replication ("
              + replication
              + "): no write with acks=all could succeed");
    }
    if (maxRecordBytes < MIN_RECORD_BYTES || maxRecordBytes > MAX_RECORD_BYTES) {
      throw new ConfigException(
          LedgerConfig.MAX_RECORD_BYTES,
          LedgerConfig.MAX_RECORD_BYTES
              + " must be between "
              + MIN_RECORD_BYTES
              + " and "
              + MAX_RECORD_BYTES);
    }
  }

  /** The topics' {@code max.message.bytes} and the producers' {@code max.request.size}. */
  public int maxMessageBytes() {
    return maxRecordBytes + FRAMING_BYTES;
  }
}

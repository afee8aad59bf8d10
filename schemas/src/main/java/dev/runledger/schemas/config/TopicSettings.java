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
 */
public record TopicSettings(
    String prefix,
    int partitions,
    int commandPartitions,
    short replication,
    long ledgerRetentionMs,
    int minInsyncReplicas) {
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
  }
}

package dev.runledger.schemas.config;

/**
 * How topics are named and created.
 *
 * @param prefix prepended to every topic name, e.g. {@code runledger.}
 * @param partitions partitions of every topic
 * @param replication replication factor of every topic
 * @param ledgerRetentionMs retention of the run ledger, -1 for forever
 */
public record TopicSettings(
    String prefix, int partitions, short replication, long ledgerRetentionMs) {
  public TopicSettings {
    if (partitions < 1) {
      throw new ConfigException("topic.partitions", "topic.partitions must be at least 1");
    }
    if (replication < 1) {
      throw new ConfigException("topic.replication", "topic.replication must be at least 1");
    }
  }
}

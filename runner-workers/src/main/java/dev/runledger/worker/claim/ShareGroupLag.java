package dev.runledger.worker.claim;

import dev.runledger.schemas.metrics.LedgerMeters;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share group's lag on the command topic, {@code
 * runledger_worker_share_group_lag{group,topic}}: share consumers report no lag of their own, so
 * the worker asks the broker ({@code Admin.listShareGroupOffsets}) each heartbeat and sums the lag
 * the broker gives per partition (the records from the share-partition start offset to the end of
 * the partition: commands not yet acknowledged, whether waiting or held by a running run). Until
 * the first answer, and after one fails, the gauge is NaN. Each worker reports the same group's
 * lag; aggregate with {@code max}.
 */
public final class ShareGroupLag implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShareGroupLag.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final String group;
  private final String topic;
  private final Admin admin;
  private final LedgerMeters.Registration gauge;
  private volatile double lag = Double.NaN;

  public ShareGroupLag(final Properties kafkaProperties, final String group, final String topic) {
    this.group = group;
    this.topic = topic;
    this.admin = Admin.create(kafkaProperties);
    this.gauge = LedgerMeters.shareGroupLag(group, topic, () -> lag);
  }

  /** Asks the broker for the group's lag; the gauge changes when it answers (never blocks). */
  public void refresh() {
    admin
        .listShareGroupOffsets(
            Map.of(group, new ListShareGroupOffsetsSpec()),
            new ListShareGroupOffsetsOptions().timeoutMs((int) TIMEOUT.toMillis()))
        .partitionsToOffsetInfo(group)
        .whenComplete(
            (offsets, error) -> {
              if (error != null) {
                lag = Double.NaN;
                LOG.debug("share group {}: lag unknown: {}", group, error.toString());
              } else {
                lag = sum(offsets);
              }
            });
  }

  private double sum(final Map<TopicPartition, SharePartitionOffsetInfo> offsets) {
    return offsets.entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .map(e -> e.getValue().lag())
        .flatMap(Optional::stream)
        .mapToLong(Long::longValue)
        .sum();
  }

  @Override
  public void close() {
    gauge.close();
    admin.close(TIMEOUT);
  }
}

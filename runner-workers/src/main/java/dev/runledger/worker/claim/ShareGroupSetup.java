package dev.runledger.worker.claim;

import dev.runledger.worker.WorkerSettings;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the worker share group's configs ({@link ConfigResource.Type#GROUP}) and reads its delivery
 * limit. The names are the broker's group configs ({@code GroupConfig} in the group coordinator,
 * which clients do not ship).
 */
final class ShareGroupSetup {
  /**
   * Where a new share group starts reading. The default, {@code latest}, would skip every command
   * produced before the first worker joined; {@code earliest} runs them.
   */
  static final String AUTO_OFFSET_RESET = "share.auto.offset.reset";

  /**
   * Which records the group's consumers see. The orchestrator writes {@code StartRun} inside its
   * exactly-once transactions, so the worker sets {@code read_committed}: a command of an aborted
   * transaction must never run, and a run must not start before its {@code RunCreated} is
   * committed.
   */
  static final String ISOLATION_LEVEL = "share.isolation.level";

  /** Lets consumers extend their acquisition locks with {@code RENEW} (KIP-1222). */
  static final String RENEW_ACKNOWLEDGE_ENABLE = "share.renew.acknowledge.enable";

  /** Deliveries of one record before the broker archives it (default 5, broker range 2..10). */
  static final String DELIVERY_COUNT_LIMIT = "share.delivery.count.limit";

  /**
   * Records of one share partition that may be acquired and not yet acknowledged at once (broker
   * default 2000, at most {@code group.share.max.partition.max.record.locks}, default 4000). With
   * the command topic's one partition this bounds the runs in flight across the whole pool.
   */
  static final String PARTITION_MAX_RECORD_LOCKS = "share.partition.max.record.locks";

  static final int DEFAULT_DELIVERY_LIMIT = 5;
  static final long TIMEOUT_SECONDS = 30;

  private static final Logger LOG = LoggerFactory.getLogger(ShareGroupSetup.class);

  private ShareGroupSetup() {}

  /** The config changes the worker makes to its group. */
  static Collection<AlterConfigOp> changes(final int deliveryLimit, final int recordLocks) {
    return List.of(
        new AlterConfigOp(new ConfigEntry(AUTO_OFFSET_RESET, "earliest"), AlterConfigOp.OpType.SET),
        new AlterConfigOp(
            new ConfigEntry(ISOLATION_LEVEL, "read_committed"), AlterConfigOp.OpType.SET),
        new AlterConfigOp(
            new ConfigEntry(RENEW_ACKNOWLEDGE_ENABLE, "true"), AlterConfigOp.OpType.SET),
        new AlterConfigOp(
            new ConfigEntry(DELIVERY_COUNT_LIMIT, Integer.toString(deliveryLimit)),
            AlterConfigOp.OpType.SET),
        new AlterConfigOp(
            new ConfigEntry(PARTITION_MAX_RECORD_LOCKS, Integer.toString(recordLocks)),
            AlterConfigOp.OpType.SET));
  }

  /**
   * Applies {@link #changes} when {@code alter} is set, then returns the group's delivery limit.
   *
   * @throws IllegalStateException when the configs cannot be set or read
   */
  static int configure(
      final Admin admin,
      final String groupId,
      final boolean alter,
      final int deliveryLimit,
      final int recordLocks) {
    final ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, groupId);
    try {
      if (alter) {
        admin
            .incrementalAlterConfigs(Map.of(group, changes(deliveryLimit, recordLocks)))
            .all()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
      final Config config =
          admin
              .describeConfigs(List.of(group))
              .all()
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
              .get(group);
      return deliveryLimit(config);
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot configure share group '"
              + groupId
              + "' (needs ALTER_CONFIGS and DESCRIBE_CONFIGS on the group, or set "
              + WorkerSettings.CONFIGURE_GROUP
              + "=false and configure it yourself): "
              + e,
          e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while configuring share group " + groupId, e);
    }
  }

  /**
   * Warns when the command topic is missing or has more than one partition. A share group gives
   * each partition to only {@code ceil(members / partitions)} of the pool's slot consumers, so with
   * several partitions a command waits while its partition's consumers are busy even when other
   * slots are free (measured: 16 runs of 3 s on 4 slots took 19 s with 6 partitions, 12.8 s with
   * 1). Share groups need no partitions for parallelism: one partition serves every slot.
   */
  static void checkPartitions(final Admin admin, final String topic) {
    try {
      final int partitions =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
              .get(topic)
              .partitions()
              .size();
      if (partitions > 1) {
        LOG.warn(
            "command topic {} has {} partitions: the share group gives each partition to only some"
                + " slots, so commands can wait behind busy slots while others idle; one partition"
                + " is enough for any number of workers",
            topic,
            partitions);
      }
    } catch (final ExecutionException | TimeoutException e) {
      LOG.warn("cannot describe command topic {} (does it exist yet?): {}", topic, e.toString());
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing " + topic, e);
    }
  }

  static int deliveryLimit(final Config config) {
    final ConfigEntry entry = config == null ? null : config.get(DELIVERY_COUNT_LIMIT);
    if (entry == null || entry.value() == null) {
      return DEFAULT_DELIVERY_LIMIT;
    }
    try {
      return Integer.parseInt(entry.value().strip());
    } catch (final NumberFormatException e) {
      LOG.warn(
          "share group {} is '{}', not a number; assuming {}",
          DELIVERY_COUNT_LIMIT,
          entry.value(),
          DEFAULT_DELIVERY_LIMIT);
      return DEFAULT_DELIVERY_LIMIT;
    }
  }
}

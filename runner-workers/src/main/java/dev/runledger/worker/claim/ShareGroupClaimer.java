package dev.runledger.worker.claim;

import dev.runledger.worker.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How workers claim {@code StartRun} commands: a Kafka <b>share group</b> (KIP-932) on {@code
 * run-commands.<pool>}, with <b>one share consumer per slot</b>.
 *
 * <p><b>Why a share group, not a consumer group.</b> A run is a unit of work that can take minutes,
 * and runs of one partition finish in any order. A consumer group leases partitions, not records:
 * committed offsets cannot pass a long run, so either one slow run blocks the runs behind it or the
 * worker needs its own per-run offset bookkeeping and a rebalance to move a dead worker's runs. A
 * share group leases <i>records</i>: the acquisition lock is the run's lease, renewed with {@code
 * AcknowledgeType.RENEW} (KIP-1222) while the run is alive; a crashed worker's lock simply expires
 * ({@code share.record.lock.duration.ms}, default 30 s) and the broker gives the command to another
 * worker; the record's delivery count is the attempt number; the delivery limit ({@code
 * share.delivery.count.limit}, default 5) bounds a run that kills every worker. Workers can also
 * outnumber partitions.
 *
 * <p><b>What we verified against Kafka 4.3.1</b> (a broker started from the jars, by hand):
 *
 * <ol>
 *   <li>With {@code share.acknowledgement.mode=explicit}, every record a {@code poll()} returned
 *       must be acknowledged before the next {@code poll()} ({@code IllegalStateException}
 *       otherwise). {@code RENEW} counts as an acknowledgement: the lock is extended and the same
 *       record (same delivery count) is returned again by a later {@code poll()}.
 *   <li>One consumer with {@code share.acquire.mode=record_limit} and {@code max.poll.records=N}
 *       acquires nothing new while any record it holds is being renewed: freed slots would wait for
 *       the longest run. Hence one consumer per slot with {@code max.poll.records=1}: each slot
 *       claims on its own, and only when a run thread is free ({@link RunStarter#reserve}), so a
 *       full worker claims nothing.
 *   <li>{@code acknowledge(RENEW)} + {@code commitSync()} renews synchronously (a lost lock shows
 *       as {@code InvalidRecordStateException} in the result), and a short {@code poll()} right
 *       after returns the record. A record was held 20 s past a 15 s lock with renewals every 5 s
 *       and no other polling. Group heartbeats run on the consumer's background thread; a slot
 *       polls at least every lock/3 (at most 20 s), well inside {@code max.poll.interval.ms} (300
 *       s).
 *   <li>{@code deliveryCount()} is 1 on the first delivery and grows by one after {@code RELEASE},
 *       after {@code close()} with the record held, and after lock expiry; {@code RENEW} keeps it.
 *   <li>A share group starts at {@code latest}: commands produced before the first worker joined
 *       would be skipped, so the worker sets {@code share.auto.offset.reset=earliest} with {@code
 *       Admin.incrementalAlterConfigs} on the {@code GROUP} resource before subscribing (this works
 *       before the group exists).
 *   <li>The share group's assignor gives each partition to {@code ceil(members / partitions)}
 *       members, so with several partitions a command waits while its partition's few consumers are
 *       busy, even when other slots idle (16 runs of 3 s on 4 slots: 19 s with 6 partitions, 12.8 s
 *       with 1). Share groups need no partitions for parallelism; the command topic should have one
 *       partition ({@link ShareGroupSetup#checkPartitions} warns otherwise).
 *   <li>End to end with {@link RunnerWorker}: commands produced before the first worker started all
 *       ran; a 40 s run under a 15 s lock stayed attempt 1; after {@code kill -9} of a worker its
 *       run came back as attempt 2 on another worker within seconds (the broker drops the dead
 *       connection's locks); a run released by a closing worker became attempt 2 elsewhere.
 *   <li>After {@code kill -9} of a worker, its idle slots' pending share fetches can still acquire
 *       commands on the broker (nobody receives them) until the dead members leave the group; each
 *       such acquisition counts as a delivery when its lock is dropped. So a run taken over from a
 *       killed worker may start as attempt 3 rather than 2, and with the broker's default delivery
 *       limit of 5 a run was failed {@code poison} in a 50-run test without ever having been run
 *       five times. The worker therefore sets the group's limit to {@code
 *       worker.group.delivery.limit} (default 10, the broker's maximum).
 * </ol>
 *
 * <p><b>Consequences.</b> {@code ACCEPT} is sent only after the attempt's terminal record was
 * acknowledged by the broker, so a worker dying in between costs one more attempt, never a lost run
 * (the projection fences the superseded attempt). The delivery that reaches the delivery limit is
 * not run: the worker writes {@code run.failed{code=poison}} and accepts it, so a run gets {@code
 * limit - 1} real attempts. Each slot costs one consumer (a network thread and its connections),
 * and a brand-new group's first poll takes several seconds (assignment and share-partition
 * initialisation). On close the slots stop claiming, keep renewing running runs until they end or
 * the grace period passes, then abandon and {@code RELEASE} them.
 */
public final class ShareGroupClaimer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShareGroupClaimer.class);
  private static final Duration JOIN_MARGIN = Duration.ofSeconds(20);

  private final WorkerSettings settings;
  private final Properties kafkaProperties;
  private final String topic;
  private final RunStarter starter;
  private final StopSignal stop = new StopSignal();
  private final List<Thread> threads = new ArrayList<>();

  public ShareGroupClaimer(
      final WorkerSettings settings,
      final Properties kafkaProperties,
      final String topic,
      final RunStarter starter) {
    this.settings = settings;
    this.kafkaProperties = kafkaProperties;
    this.topic = topic;
    this.starter = starter;
  }

  /** Configures the group and starts one claiming thread per slot. */
  public void start() {
    final int deliveryLimit;
    try (Admin admin = Admin.create(kafkaProperties)) {
      deliveryLimit =
          ShareGroupSetup.configure(
              admin, settings.groupId(), settings.configureGroup(), settings.deliveryLimit());
      ShareGroupSetup.checkPartitions(admin, topic);
    }
    LOG.info(
        "worker {} claims from {} in share group {} with {} slots (delivery limit {})",
        settings.workerId(),
        topic,
        settings.groupId(),
        settings.slots(),
        deliveryLimit);
    for (int slot = 0; slot < settings.slots(); slot++) {
      final KafkaShareConsumer<byte[], byte[]> consumer =
          new KafkaShareConsumer<>(
              consumerProperties(slot), new ByteArrayDeserializer(), new ByteArrayDeserializer());
      final Thread thread =
          new Thread(
              new ClaimSlot(consumer, topic, starter, deliveryLimit, stop),
              "runledger-claim-" + settings.workerId() + "-" + slot);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /** True while every slot thread is alive. */
  public boolean healthy() {
    return !threads.isEmpty() && threads.stream().allMatch(Thread::isAlive);
  }

  /**
   * Stops claiming and waits for the slots to settle their runs: runs finish within the shutdown
   * grace or are released. Returns within grace + about 20 s.
   */
  @Override
  public void close() {
    stop.stop(settings.shutdownGrace());
    final long deadline = System.nanoTime() + settings.shutdownGrace().plus(JOIN_MARGIN).toNanos();
    for (final Thread thread : threads) {
      try {
        thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (final InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (thread.isAlive()) {
        LOG.error("{} did not stop in time; interrupting it", thread.getName());
        thread.interrupt();
      }
    }
  }

  Properties consumerProperties(final int slot) {
    final Properties props = new Properties();
    props.putAll(kafkaProperties);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    props.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    props.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    props.put(CommonClientConfigs.CLIENT_ID_CONFIG, settings.workerId() + "-slot-" + slot);
    return props;
  }
}

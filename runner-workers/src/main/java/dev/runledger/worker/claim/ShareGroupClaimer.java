package dev.runledger.worker.claim;

import dev.runledger.worker.WorkerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How workers claim {@code StartRun} commands: a Kafka <b>share group</b> (KIP-932) on {@code
 * run-commands.<pool>}, read by a few <b>claim consumers</b> that take commands in batches and feed
 * up to {@code worker.slots} run threads.
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
 * <p><b>What we measured against Kafka 4.3.1</b> (the embedded broker, one partition, a 15 s lock):
 *
 * <ol>
 *   <li>With {@code share.acknowledgement.mode=explicit}, every record a {@code poll()} returned
 *       must be acknowledged before the next {@code poll()} ({@code IllegalStateException: All
 *       records must be acknowledged}); a record of an earlier fetch cannot be acknowledged by
 *       offset ({@code acknowledge(topic, partition, offset, type)} throws "The record cannot be
 *       acknowledged"). Part of a fetch can be acknowledged and sent by {@code commitAsync()} while
 *       the rest is still held. {@code RENEW} counts as an acknowledgement: the lock is extended
 *       and the same record (same delivery count) is returned again by a later {@code poll()}.
 *   <li>A consumer that holds records (unacknowledged, or renewed and waiting to get them back)
 *       acquires nothing new: no background prefetch (a second consumer of the group got the next
 *       offsets), and with {@code max.poll.records=5} and one or three of five records renewed,
 *       12–15 polls over about 4 s returned only the renewed records while 35 more were waiting;
 *       the same in {@code batch_optimized} mode. So a consumer's batch blocks its claiming until
 *       every record of it is settled; hence several consumers, and the hand-over ({@link
 *       ClaimTurns}): a consumer whose batch outlives {@code worker.claim.handover.ms} gives its
 *       claim turn to another and only renews its runs.
 *   <li>{@code share.acquire.mode=record_limit} acquires at most {@code max.poll.records} per fetch
 *       (5 of 40 available; 64 of 400), while {@code batch_optimized} ignored it (all 40 of one
 *       producer batch with {@code max.poll.records=5}), so only {@code record_limit} lets a worker
 *       claim no more than it has threads for: a consumer reserves a thread for each record its
 *       fetch may bring before it polls.
 *   <li>Acknowledgements given before a {@code poll()} travel with its fetch: ACCEPT-all-then-poll
 *       cycles of 5 records took 18–55 ms each, of 64 records 39–141 ms, on this loaded 2-core
 *       machine, against 24–86 ms for 5 with a {@code commitSync()} before each poll. One round
 *       trip settles a whole batch and claims the next.
 *   <li>{@code acknowledge(RENEW)} + {@code commitSync()} renews synchronously (a lost lock shows
 *       as {@code InvalidRecordStateException} in the result), and the renewed records come back
 *       together within a poll or two. Group heartbeats run on the consumer's background thread; a
 *       consumer holding runs polls at least every lock/3 (at most 20 s), well inside {@code
 *       max.poll.interval.ms} (300 s).
 *   <li>{@code deliveryCount()} is 1 on the first delivery and grows by one after {@code RELEASE},
 *       after {@code close()} with the record held, and after lock expiry; {@code RENEW} keeps it.
 *   <li>A share group starts at {@code latest}: commands produced before the first worker joined
 *       would be skipped, so the worker sets {@code share.auto.offset.reset=earliest} with {@code
 *       Admin.incrementalAlterConfigs} on the {@code GROUP} resource before subscribing (this works
 *       before the group exists). A new member of an existing group got its first records about 0.3
 *       s after subscribing.
 *   <li>The share group's assignor gives each partition to {@code ceil(members / partitions)}
 *       members, so with several partitions a command waits while its partition's few consumers are
 *       busy, even when other consumers idle (16 runs of 3 s on 4 one-record consumers: 19 s with 6
 *       partitions, 12.8 s with 1). Share groups need no partitions for parallelism; the command
 *       topic should have one partition ({@link ShareGroupSetup#checkPartitions} warns otherwise).
 *   <li>End to end with {@link dev.runledger.worker.RunnerWorker}: commands produced before the
 *       first worker started all ran; a 40 s run under a 15 s lock stayed attempt 1; after {@code
 *       kill -9} of a worker its run came back as attempt 2 on another worker within seconds (the
 *       broker drops the dead connection's locks); a run released by a closing worker became
 *       attempt 2 elsewhere.
 *   <li>After {@code kill -9} of a worker, its consumers' pending share fetches can still acquire
 *       commands on the broker (nobody receives them) until the dead members leave the group; each
 *       such acquisition counts as a delivery when its lock is dropped. So a run taken over from a
 *       killed worker may start as attempt 3 rather than 2, and with the broker's default delivery
 *       limit of 5 a run was failed {@code poison} in a 50-run test without ever having been run
 *       five times. The worker therefore sets the group's limit to {@code
 *       worker.group.delivery.limit} (default 10, the broker's maximum). Only consumers holding a
 *       claim turn fetch, so fewer fetches are pending than with one consumer per slot.
 * </ol>
 *
 * <p><b>Consequences.</b> {@code ACCEPT} is sent only after the attempt's terminal record was
 * acknowledged by the broker, so a worker dying in between costs one more attempt, never a lost run
 * (the projection fences the superseded attempt); why each acknowledgement is safe is in {@link
 * ClaimConsumer}. The delivery that reaches the delivery limit is not run: the worker writes {@code
 * run.failed{code=poison}} and accepts it, so a run gets {@code limit - 1} real attempts. A worker
 * opens {@code worker.claim.consumers} consumers, and one more each time a batch outlives the
 * hand-over while no idle consumer is waiting (at most slots + claim consumers; idle extra ones
 * close after a minute). A brand-new group's first poll takes several seconds (assignment and
 * share-partition initialisation). On close the consumers stop claiming, keep renewing running runs
 * until they end or the grace period passes, then abandon and {@code RELEASE} them.
 */
public final class ShareGroupClaimer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShareGroupClaimer.class);
  private static final Duration JOIN_MARGIN = Duration.ofSeconds(20);

  private final WorkerSettings settings;
  private final Properties kafkaProperties;
  private final String topic;
  private final RunStarter starter;
  private final StopSignal stop = new StopSignal();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final AtomicInteger opened = new AtomicInteger();
  private volatile ClaimTurns turns;
  private volatile ClaimConsumer.ClaimOptions options;

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

  /** Configures the group and starts the claim consumers. */
  public void start() {
    final int deliveryLimit;
    try (Admin admin = Admin.create(kafkaProperties)) {
      deliveryLimit =
          ShareGroupSetup.configure(
              admin,
              settings.groupId(),
              settings.configureGroup(),
              settings.deliveryLimit(),
              settings.recordLocks());
      ShareGroupSetup.checkPartitions(admin, topic);
    }
    LOG.info(
        "worker {} claims from {} in share group {} for {} slots: {} claim consumers, {} commands"
            + " per fetch (delivery limit {})",
        settings.workerId(),
        topic,
        settings.groupId(),
        settings.slots(),
        settings.claimers(),
        settings.batchSize(),
        deliveryLimit);
    options =
        new ClaimConsumer.ClaimOptions(
            settings.batchSize(), settings.claimHandover(), deliveryLimit);
    turns =
        new ClaimTurns(
            settings.claimers(), settings.slots() + settings.claimers(), this::openConsumer, stop);
    turns.openClaimers();
  }

  private void openConsumer() {
    final int number = opened.getAndIncrement();
    final KafkaShareConsumer<byte[], byte[]> consumer =
        new KafkaShareConsumer<>(
            consumerProperties(number), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    final Thread thread =
        new Thread(
            new ClaimConsumer(consumer, topic, starter, turns, options, stop),
            "runledger-claim-" + settings.workerId() + "-" + number);
    thread.setDaemon(true);
    threads.removeIf(old -> !old.isAlive());
    threads.add(thread);
    thread.start();
  }

  /** True while the claiming consumers are open. */
  public boolean healthy() {
    final ClaimTurns current = turns;
    return current != null && !stop.stopping() && current.open() >= settings.claimers();
  }

  /**
   * Stops claiming and waits for the claim consumers to settle their runs: runs finish within the
   * shutdown grace or are released. Returns within grace + about 20 s.
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

  Properties consumerProperties(final int number) {
    final Properties props = new Properties();
    props.putAll(kafkaProperties);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    props.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    props.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(settings.batchSize()));
    props.put(CommonClientConfigs.CLIENT_ID_CONFIG, settings.workerId() + "-claim-" + number);
    return props;
  }
}

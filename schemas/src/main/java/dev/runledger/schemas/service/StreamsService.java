package dev.runledger.schemas.service;

import dev.runledger.schemas.config.StreamsMemory;
import dev.runledger.schemas.metrics.LedgerMeters;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Streams application as a {@link Service}: the one place that starts a topology and waits
 * for it to reach RUNNING. A stream thread that dies is replaced, so one bad record never stops the
 * application; the error is logged. Every store of the instance lives within its RocksDB memory
 * budget ({@link BoundedRocksDb}, created at start and released at close).
 */
public class StreamsService implements Service {
  /** How long {@link #start()} waits for RUNNING by default. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private static final Logger LOG = LoggerFactory.getLogger(StreamsService.class);

  private final String name;
  private final Topology topology;
  private final Properties properties;
  private final StreamsMemory.Budget memory;
  private final Duration startTimeout;
  private final Consumer<KafkaStreams> beforeStart;
  private volatile KafkaStreams streams;
  private BoundedRocksDb.Shared rocksDb;
  private LedgerMeters.Registration clientMetrics;

  /**
   * @param properties the Kafka Streams properties ({@link BoundedRocksDb} is added to them)
   * @param memory the RocksDB memory of the instance
   * @param beforeStart called with the instance before it starts
   */
  public StreamsService(
      final String name,
      final Topology topology,
      final Properties properties,
      final StreamsMemory.Budget memory,
      final Duration startTimeout,
      final Consumer<KafkaStreams> beforeStart) {
    this.name = name;
    this.topology = topology;
    this.properties = properties;
    this.memory = memory;
    this.startTimeout = startTimeout;
    this.beforeStart = beforeStart;
  }

  public StreamsService(
      final String name,
      final Topology topology,
      final Properties properties,
      final StreamsMemory.Budget memory) {
    this(name, topology, properties, memory, START_TIMEOUT, s -> {});
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized void start() {
    if (streams != null) {
      return;
    }
    rocksDb = new BoundedRocksDb.Shared(memory);
    final Properties withMemory = new Properties();
    withMemory.putAll(properties);
    withMemory.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class);
    withMemory.put(BoundedRocksDb.SHARED_CONFIG, rocksDb);
    final KafkaStreams created = new KafkaStreams(topology, withMemory);
    final CountDownLatch running = new CountDownLatch(1);
    created.setStateListener(
        (now, before) -> {
          LOG.info("{}: {} -> {}", name, before, now);
          if (now == KafkaStreams.State.RUNNING) {
            running.countDown();
          }
        });
    created.setUncaughtExceptionHandler(
        e -> {
          LOG.error("{}: stream thread failed; replacing it", name, e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    beforeStart.accept(created);
    // Its clients' metrics (consumer lag, records-lag-max, …) on /metrics, tagged with the service.
    clientMetrics = LedgerMeters.bindKafka(name, created);
    created.start();
    streams = created;
    try {
      if (!running.await(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            name
                + " did not reach RUNNING within "
                + startTimeout
                + " (state "
                + created.state()
                + ")");
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(name + " start interrupted", e);
    }
  }

  @Override
  public boolean healthy() {
    final KafkaStreams current = streams;
    return current != null
        && (current.state() == KafkaStreams.State.RUNNING
            || current.state() == KafkaStreams.State.REBALANCING);
  }

  /** The running instance, for interactive queries; null before {@link #start()}. */
  public KafkaStreams streams() {
    return streams;
  }

  /**
   * Closes the instance and leaves its consumer group. Without leaving, the group keeps the closed
   * member until its session times out (45 s by default), and an instance started again on the same
   * state waits out that timeout in REBALANCING before it runs.
   */
  @Override
  public synchronized void close() {
    if (streams != null) {
      streams.close(
          CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(Duration.ofSeconds(30)));
      streams = null;
    }
    if (clientMetrics != null) {
      clientMetrics.close();
      clientMetrics = null;
    }
    if (rocksDb != null) {
      rocksDb.close();
      rocksDb = null;
    }
  }
}

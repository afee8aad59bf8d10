package dev.runledger.projections;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.OutboundMessage;
import dev.runledger.projections.fold.RunEventKeys;
import dev.runledger.projections.query.LocalRunQueries;
import dev.runledger.projections.query.ViewStores;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.serde.LedgerSerdes;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The production projection topology ({@link ProjectionTopology#build}, {@link
 * ProjectionTopology#streamsConfig}) on a TopologyTestDriver, with its input and output topics and
 * its stores: the one driver fixture of the projections tests. Close it after each test.
 */
public final class ProjectionDriver implements AutoCloseable {
  private final LedgerTopics topics;
  private final TopologyTestDriver driver;
  private final TestInputTopic<String, LedgerRecord> ledger;
  private final TestInputTopic<String, byte[]> rawLedger;
  private final TestInputTopic<String, HostEvent> hosts;
  private final TestInputTopic<String, DispatchDecision> decisions;
  private final TestOutputTopic<byte[], byte[]> dlq;
  private final TestOutputTopic<String, OutboundMessage> deliveries;

  /** The topology with its default delivery coalescing (250 ms). */
  public ProjectionDriver(final Path stateDir) {
    this(stateDir, Duration.ofMillis(250));
  }

  /** The topology gathering deltas for {@code coalesce} before delivery. */
  public ProjectionDriver(final Path stateDir, final Duration coalesce) {
    this(stateDir, coalesce, run -> {});
  }

  /** The topology telling {@code written} of each run the fold writes to the runs view. */
  public ProjectionDriver(
      final Path stateDir, final Duration coalesce, final Consumer<AgentRun> written) {
    final LedgerSerdes serdes = LedgerSerdes.singleObject();
    final LedgerConfig config =
        LedgerConfig.of(
            Map.of(
                LedgerConfig.STATE_DIR, stateDir.toString(), LedgerConfig.TOPIC_PREFIX, "test."));
    topics = LedgerTopics.create(config.topicSettings(), serdes);
    driver =
        new TopologyTestDriver(
            ProjectionTopology.build(topics, serdes, coalesce, written),
            ProjectionTopology.streamsConfig(config));
    ledger = input(topics.runLedger());
    rawLedger =
        driver.createInputTopic(
            topics.runLedger().name(), new StringSerializer(), new ByteArraySerializer());
    hosts = input(topics.hostEvents());
    decisions = input(topics.dispatchDecisions());
    dlq =
        driver.createOutputTopic(
            topics.dlq().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    deliveries =
        driver.createOutputTopic(
            topics.deliveries().name(),
            new StringDeserializer(),
            topics.deliveries().valueSerde().deserializer());
  }

  private <V> TestInputTopic<String, V> input(final Topic<String, V> topic) {
    return driver.createInputTopic(
        topic.name(), new StringSerializer(), topic.valueSerde().serializer());
  }

  public LedgerTopics topics() {
    return topics;
  }

  public TopologyTestDriver driver() {
    return driver;
  }

  /** {@code run-ledger}, keyed by run id. */
  public TestInputTopic<String, LedgerRecord> ledger() {
    return ledger;
  }

  /** {@code run-ledger} with raw value bytes (corrupt records, tombstones). */
  public TestInputTopic<String, byte[]> rawLedger() {
    return rawLedger;
  }

  public TestInputTopic<String, HostEvent> hosts() {
    return hosts;
  }

  public TestInputTopic<String, DispatchDecision> decisions() {
    return decisions;
  }

  public TestOutputTopic<byte[], byte[]> dlq() {
    return dlq;
  }

  public TestOutputTopic<String, OutboundMessage> deliveries() {
    return deliveries;
  }

  /** Pipes ledger records under their run ids. */
  public void pipe(final List<LedgerRecord> records) {
    records.forEach(r -> ledger.pipeInput(r.getRunId(), r));
  }

  /** The store of that name. */
  public <V> KeyValueStore<String, V> store(final String name) {
    return driver.getKeyValueStore(name);
  }

  /** A run's events in the {@code run-events} store, in order. */
  public List<AgentRunEvent> events(final String runId) {
    final List<AgentRunEvent> events = new ArrayList<>();
    try (KeyValueIterator<String, AgentRunEvent> it =
        this.<AgentRunEvent>store(ProjectionTopology.RUN_EVENTS_STORE)
            .range(RunEventKeys.after(runId, 0), RunEventKeys.last(runId))) {
      it.forEachRemaining(kv -> events.add(kv.value));
    }
    return events;
  }

  /** The driver's stores as the queries read them. */
  public ViewStores stores() {
    return new ViewStores() {
      @Override
      public <V> ReadOnlyKeyValueStore<String, V> store(final String name) {
        return driver.getKeyValueStore(name);
      }
    };
  }

  /** Queries over the driver's stores. */
  public LocalRunQueries queries() {
    return new LocalRunQueries(stores());
  }

  @Override
  public void close() {
    driver.close();
  }
}

package dev.runledger.orchestrator;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import java.util.Properties;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The orchestrator's dispatch topology (SPEC §5.1–5.3, {@code parallel} policy): decode and
 * validate host events, drop duplicates, resolve the binding, create the run.
 *
 * <p>Inputs:
 *
 * <ul>
 *   <li>{@code host-events} — key: conversation key (UTF-8, read as raw bytes and kept for the
 *       DLQ); value: {@code HostEvent}, Avro single-object bytes, decoded here so bad bytes never
 *       stop the stream.
 *   <li>{@code bindings} (global store {@value #STORE_BINDINGS}) — key: binding id (String); value:
 *       {@code AgentBinding} bytes, decoded on read; tombstone deletes.
 *   <li>{@code runners} (global store {@value #STORE_RUNNERS}) — key: runner id (String); value:
 *       {@code RunnerManifest} bytes, decoded on read; tombstone deletes.
 * </ul>
 *
 * <p>Outputs:
 *
 * <ul>
 *   <li>{@code dispatch-decisions} — key: event id (String); value: {@code DispatchDecision}, one
 *       per valid event ({@code run_created|no_binding|rejected|duplicate|invalid}).
 *   <li>{@code run-ledger} — key: run id (String); value: {@code LedgerRecord{RunCreated}}, attempt
 *       0, sequence 1, producer {@code orchestrator}.
 *   <li>{@code run-commands.<pool>} — key: run id (String); value: {@code RunCommand{StartRun}};
 *       header {@value #POOL_HEADER} names the pool.
 *   <li>{@code dlq} — key and value: the original bytes; headers {@link
 *       dev.runledger.schemas.topics.DeadLetters}.
 * </ul>
 *
 * <p>Dedupe is per ingest partition: the ingest key is a function of the event's own fields ({@code
 * ConversationKeys.ingestKey}), so every copy of one event lands on one partition without a
 * repartition, and per-conversation order is kept for the dispatch policies that need it.
 */
public final class DispatchTopology {
  public static final String SOURCE_HOST_EVENTS = "host-events-source";
  public static final String PROCESSOR_DECODE = "decode-host-event";
  public static final String PROCESSOR_DEDUPE = "dedupe-event";
  public static final String PROCESSOR_DISPATCH = "dispatch-event";
  public static final String SINK_DLQ = "dlq-sink";
  public static final String SINK_DECISIONS = "dispatch-decisions-sink";
  public static final String SINK_LEDGER = "run-ledger-sink";
  public static final String SINK_RUN_COMMANDS = "run-commands-sink";
  public static final String SOURCE_BINDINGS = "bindings-source";
  public static final String PROCESSOR_BINDINGS = "bindings-store-updater";
  public static final String SOURCE_RUNNERS = "runners-source";
  public static final String PROCESSOR_RUNNERS = "runners-store-updater";

  /** Window store: event id → first-seen wall-clock ms, retained for the dedupe window. */
  public static final String STORE_DEDUPE = "event-dedupe";

  /** Global store: binding id → {@code AgentBinding} bytes. */
  public static final String STORE_BINDINGS = "bindings";

  /** Global store: runner id → {@code RunnerManifest} bytes. */
  public static final String STORE_RUNNERS = "runners";

  /** Header on each {@code StartRun} naming the worker pool whose topic receives it. */
  public static final String POOL_HEADER = "runledger.pool";

  /** Commit interval the orchestrator uses unless {@code streams.commit.interval.ms} is set. */
  public static final long COMMIT_INTERVAL_MS = 100;

  private static final String PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED =
      "processing.exception.handler.global.enabled";

  private DispatchTopology() {}

  /** The topology with default settings (7-day dedupe window, {@code default} pool). */
  public static Topology build(final LedgerTopics topics) {
    return build(topics, OrchestratorSettings.defaults());
  }

  /** The topology reading and writing {@code topics}. */
  public static Topology build(final LedgerTopics topics, final OrchestratorSettings settings) {
    final Deserializer<byte[]> bytes = Serdes.ByteArray().deserializer();
    final Deserializer<String> strings = Serdes.String().deserializer();
    final Topology topology = new Topology();
    topology.addGlobalStore(
        globalStore(STORE_BINDINGS),
        SOURCE_BINDINGS,
        strings,
        bytes,
        topics.bindings().name(),
        PROCESSOR_BINDINGS,
        () -> new GlobalStoreUpdater(STORE_BINDINGS));
    topology.addGlobalStore(
        globalStore(STORE_RUNNERS),
        SOURCE_RUNNERS,
        strings,
        bytes,
        topics.runners().name(),
        PROCESSOR_RUNNERS,
        () -> new GlobalStoreUpdater(STORE_RUNNERS));
    return topology
        .addSource(SOURCE_HOST_EVENTS, bytes, bytes, topics.hostEvents().name())
        .addProcessor(
            PROCESSOR_DECODE, () -> new DecodeProcessor(topics.hostEvents()), SOURCE_HOST_EVENTS)
        .addProcessor(
            PROCESSOR_DEDUPE, () -> new DedupeProcessor(settings.dedupeWindow()), PROCESSOR_DECODE)
        .addStateStore(dedupeStore(settings), PROCESSOR_DEDUPE)
        .addProcessor(
            PROCESSOR_DISPATCH, () -> new DispatchProcessor(topics, settings), PROCESSOR_DEDUPE)
        .addSink(
            SINK_DLQ,
            topics.dlq().name(),
            topics.dlq().keySerde().serializer(),
            topics.dlq().valueSerde().serializer(),
            PROCESSOR_DECODE)
        .addSink(
            SINK_DECISIONS,
            topics.dispatchDecisions().name(),
            topics.dispatchDecisions().keySerde().serializer(),
            topics.dispatchDecisions().valueSerde().serializer(),
            PROCESSOR_DECODE,
            PROCESSOR_DEDUPE,
            PROCESSOR_DISPATCH)
        .addSink(
            SINK_LEDGER,
            topics.runLedger().name(),
            topics.runLedger().keySerde().serializer(),
            topics.runLedger().valueSerde().serializer(),
            PROCESSOR_DISPATCH)
        .addSink(
            SINK_RUN_COMMANDS,
            new RunCommandTopics(topics, settings.pools()),
            Serdes.String().serializer(),
            topics.runCommands(OrchestratorSettings.DEFAULT_POOL).valueSerde().serializer(),
            PROCESSOR_DISPATCH);
  }

  /** {@link #streamsConfig(LedgerConfig, LedgerTopics)} with the catalogue of {@code cfg}. */
  public static Properties streamsConfig(final LedgerConfig cfg) {
    return streamsConfig(cfg, LedgerTopics.create(cfg));
  }

  /**
   * Kafka Streams properties for the orchestrator: {@link LedgerConfig#streamsProperties} under the
   * orchestrator's application id, plus the settings below. The guarantee and the naming check are
   * forced; the others are defaults that {@code streams.*} settings may override.
   */
  public static Properties streamsConfig(final LedgerConfig cfg, final LedgerTopics topics) {
    final Properties props = cfg.streamsProperties(OrchestratorSettings.applicationId(cfg));
    // RunCreated, StartRun and the decision must be written together or not at all, and the
    // dedupe store must move with them, so a crash can neither lose nor double a run.
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // Refuse to start if any store, changelog or repartition topic would get a generated name.
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    // Under exactly-once, output becomes visible to read_committed consumers only on commit, so
    // the commit interval is the floor of dispatch latency; 100 ms trades a little throughput for
    // runs that start promptly.
    props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
    props.putIfAbsent(
        StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) cfg.topicSettings().replication());
    // Known bad input is dead-lettered by the topology itself. An unexpected exception in a
    // processor would otherwise fail the record on every retry and stop the partition; instead the
    // record goes to the same DLQ (Kafka Streams' own error headers) and processing continues.
    props.putIfAbsent(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueProcessingExceptionHandler.class.getName());
    // The same for the global stores' updaters; the default from Kafka 5.0 (its constant is
    // already deprecated, hence the literal).
    props.putIfAbsent(PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED, true);
    props.putIfAbsent(
        StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.dlq().name());
    return props;
  }

  private static StoreBuilder<KeyValueStore<String, byte[]>> globalStore(final String name) {
    // Global stores restore straight from their topic, so they must not have a changelog.
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
        .withLoggingDisabled();
  }

  private static StoreBuilder<WindowStore<String, Long>> dedupeStore(
      final OrchestratorSettings settings) {
    return Stores.windowStoreBuilder(
        Stores.persistentWindowStore(
            STORE_DEDUPE, settings.dedupeWindow(), settings.dedupeWindow(), false),
        Serdes.String(),
        Serdes.Long());
  }
}

package dev.runledger.orchestrator.topology;

import dev.runledger.avro.ConversationState;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunTrack;
import dev.runledger.orchestrator.dispatch.FilterLimits;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;

/**
 * The orchestrator's dispatch topology (ARCHITECTURE.md §6): decode and validate host events, drop
 * duplicates, resolve the binding and apply the binding's dispatch policy per conversation; learn
 * from the ledger when runs are claimed and end, take cancel requests, time out runs.
 *
 * <p>Sub-topology 1, the run tracker, keyed by run id:
 *
 * <ul>
 *   <li>in {@code run-ledger} — key run id; value {@code LedgerRecord} bytes (every producer's).
 *   <li>in {@code run-control} — key run id; value {@code RunCommand} bytes ({@code CancelRun} from
 *       the gateway is what matters here).
 *   <li>store {@value #STORE_RUN_TRACKS} — run id → {@code RunTrack} of a live run (routing key,
 *       claimed, injected steering, a cancel waiting for {@code RunCreated}; for a run without a
 *       lane, the run itself), deleted when the run ends.
 *   <li>out repartition {@value #REPARTITION_NOTICES} — key: the run's routing key (ingest key of
 *       its event); value {@code RunNotice} (claimed / ended with pulled steering / cancel) of a
 *       lane's run; as many partitions as {@code host-events}, so each notice meets its
 *       conversation.
 *   <li>out {@code run-ledger} — key run id; value {@code LedgerRecord}, attempt 0, producer {@code
 *       orchestrator}, of a run without a lane: {@code CancelRequested}, {@code RunTimedOut}.
 *   <li>out {@code run-control} — key run id; value {@code RunCommand{CancelRun}} of a run without
 *       a lane, with its {@code CancelMarks} header.
 *   <li>out {@code dlq} — undecodable ledger or control records, with {@code DeadLetters} headers.
 * </ul>
 *
 * <p>Sub-topology 2, the conversations, keyed by routing key (co-partitioned with host-events):
 *
 * <ul>
 *   <li>in {@code host-events} — key: conversation key (UTF-8, read as raw bytes and kept for the
 *       DLQ); value {@code HostEvent} bytes, decoded here so bad bytes never stop the stream.
 *   <li>in {@value #REPARTITION_NOTICES} (above).
 *   <li>global stores {@value #STORE_BINDINGS} ({@code bindings}: {@code workspace_id/binding_id} →
 *       {@code AgentBinding} bytes) and {@value #STORE_RUNNERS} ({@code runners}: runner id →
 *       {@code RunnerManifest} bytes), decoded on read; tombstones delete.
 *   <li>store {@value #STORE_DECISIONS} — window store, {@code workspace_id/event_id} → its latest
 *       {@code DispatchDecision}, retained for the dedupe window.
 *   <li>store {@value #STORE_CONVERSATIONS} — routing key → {@code ConversationState} (live runs of
 *       its lanes with their attempt-0 sequence counters and deadlines; per binding the active run,
 *       steered events and the FIFO of queued events). A run without a lane (no conversation, or a
 *       {@code parallel} binding) is not kept here: its {@code RunCreated} carries the header
 *       {@value #LANE_HEADER}{@code : }{@value #NO_LANE} and the run tracker holds it from then on.
 *   <li>store {@value #STORE_DEADLINES} — {@code <deadline ms, 19 digits>|<run id>} → routing key,
 *       of the lanes' runs.
 *   <li>out {@code dispatch-decisions} — key {@code workspace_id/event_id}; value {@code
 *       DispatchDecision} ({@code
 *       run_created|steered|enqueued|followup|rejected|no_binding|duplicate|invalid}).
 *   <li>out {@code run-ledger} — key run id; value {@code LedgerRecord}, attempt 0, producer {@code
 *       orchestrator}: {@code RunCreated}, {@code SteeringQueued}, {@code SteeringDropped}, {@code
 *       CancelRequested}, {@code run.failed{cancelled}}, {@code RunTimedOut}.
 *   <li>out {@code run-commands.<pool>} — key run id; value {@code RunCommand{StartRun}}; header
 *       {@value #POOL_HEADER} names the pool.
 *   <li>out {@code run-control} — key run id; value {@code RunCommand{CancelRun|SteerRun}}.
 *   <li>out {@code dlq} — key and value: the original bytes; headers {@link
 *       dev.runledger.schemas.topics.DeadLetters}.
 * </ul>
 *
 * <p>Dedupe is per ingest partition: the ingest key is a function of the event's own fields ({@code
 * ConversationKeys.ingestKey}), so every copy of one event lands on one partition without a
 * repartition, and per-conversation order is kept for the dispatch policies.
 *
 * <p>A processor with several children is given one {@link Outlet} per child (or, for the decoders,
 * the child names) and never names a node itself; each child node here is named after its outlet
 * and reads the processor's stream through it, typed as that child receives it. The deciding itself
 * is in {@code dev.runledger.orchestrator.dispatch}, which knows nothing of Kafka Streams.
 */
public final class DispatchTopology {
  public static final String SOURCE_HOST_EVENTS = "host-events-source";
  public static final String PROCESSOR_DECODE = "decode-host-event";
  public static final String PROCESSOR_DEDUPE = "dedupe-event";
  public static final String MERGE_CONVERSATION_INPUTS = "conversation-inputs";
  public static final String PROCESSOR_CONVERSATION = "dispatch-conversation";
  public static final String SINK_DLQ = "dlq-sink";
  public static final String SINK_INVALID = "invalid-decisions-sink";
  public static final String SINK_DUPLICATES = "duplicate-decisions-sink";
  public static final String SINK_DECISIONS = "dispatch-decisions-sink";
  public static final String SINK_LEDGER = "run-ledger-sink";
  public static final String SINK_RUN_COMMANDS = "run-commands-sink";
  public static final String SINK_RUN_CONTROL = "run-control-sink";
  public static final String SOURCE_LEDGER = "run-ledger-source";
  public static final String SOURCE_CONTROL = "run-control-source";
  public static final String PROCESSOR_DECODE_LEDGER = "decode-ledger-record";
  public static final String PROCESSOR_DECODE_CONTROL = "decode-run-control";
  public static final String SINK_LEDGER_DLQ = "ledger-dlq-sink";
  public static final String SINK_CONTROL_DLQ = "run-control-dlq-sink";
  public static final String MERGE_RUN_INPUTS = "run-inputs";
  public static final String PROCESSOR_TRACKER = "track-run";
  public static final String SPLIT_TRACKED = "run-tracker-split-";
  public static final String BRANCH_TRACKED_LEDGER = "ledger";
  public static final String BRANCH_TRACKED_CONTROL = "control";
  public static final String BRANCH_TRACKED_NOTICES = "notices";
  public static final String SINK_TRACKER_LEDGER = "tracker-run-ledger-sink";
  public static final String SINK_TRACKER_CONTROL = "tracker-run-control-sink";
  public static final String SOURCE_BINDINGS = "bindings-source";
  public static final String PROCESSOR_BINDINGS = "bindings-store-updater";
  public static final String SOURCE_RUNNERS = "runners-source";
  public static final String PROCESSOR_RUNNERS = "runners-store-updater";

  /** Repartition (topic {@code <application id>-run-notices-repartition}) of run notices. */
  public static final String REPARTITION_NOTICES = "run-notices";

  /**
   * Window store: {@code workspace_id/event_id} → its latest decision, retained for the dedupe
   * window.
   */
  public static final String STORE_DECISIONS = "event-decisions";

  /** Key-value store: routing key → {@code ConversationState}. */
  public static final String STORE_CONVERSATIONS = "conversations";

  /** Key-value store: padded deadline and run id → routing key. */
  public static final String STORE_DEADLINES = "run-deadlines";

  /** Key-value store: run id → {@code RunTrack}. */
  public static final String STORE_RUN_TRACKS = "run-tracks";

  /** Global store: {@code workspace_id/binding_id} → {@code AgentBinding} bytes. */
  public static final String STORE_BINDINGS = "bindings";

  /** Global store: runner id → {@code RunnerManifest} bytes. */
  public static final String STORE_RUNNERS = "runners";

  /** Header on each {@code StartRun} naming the worker pool whose topic receives it. */
  public static final String POOL_HEADER = "runledger.pool";

  /**
   * Header on the {@code RunCreated} of a run started without a lane, value {@value #NO_LANE}: the
   * run tracker holds the run from then on ({@code LanelessRuns}).
   */
  public static final String LANE_HEADER = "runledger.lane";

  /** Value of {@value #LANE_HEADER}. */
  public static final String NO_LANE = "none";

  private static final String PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED =
      "processing.exception.handler.global.enabled";

  // Each processor's children, named after their nodes.
  private static final Outlet<byte[], byte[]> HOST_EVENT_DEAD_LETTERS = new Outlet<>(SINK_DLQ);
  private static final Outlet<String, DispatchDecision> INVALID = new Outlet<>(SINK_INVALID);
  private static final Outlet<String, HostEvent> VALID = new Outlet<>(PROCESSOR_DEDUPE);
  private static final Outlet<String, DispatchDecision> DUPLICATES = new Outlet<>(SINK_DUPLICATES);
  private static final Outlet<String, HostEvent> FRESH = new Outlet<>(MERGE_CONVERSATION_INPUTS);
  private static final Outlet<String, DispatchDecision> DECISIONS = new Outlet<>(SINK_DECISIONS);
  private static final Outlet<String, LedgerRecord> LEDGER = new Outlet<>(SINK_LEDGER);
  private static final Outlet<String, RunCommand> RUN_COMMANDS = new Outlet<>(SINK_RUN_COMMANDS);
  private static final Outlet<String, RunCommand> RUN_CONTROL = new Outlet<>(SINK_RUN_CONTROL);

  private DispatchTopology() {}

  /** The topology with default settings (7-day dedupe window, {@code default} pool). */
  public static Topology build(final LedgerTopics topics) {
    return build(topics, OrchestratorSettings.defaults());
  }

  /** The topology reading and writing {@code topics}, with the default filter limits. */
  public static Topology build(final LedgerTopics topics, final OrchestratorSettings settings) {
    return build(topics, settings, FilterLimits.defaults());
  }

  /** The topology reading and writing {@code topics}, regex filters within {@code limits}. */
  public static Topology build(
      final LedgerTopics topics, final OrchestratorSettings settings, final FilterLimits limits) {
    return build(topics, settings, limits, decisionsSupplier(settings));
  }

  /** The topology with the {@value #STORE_DECISIONS} store from {@code decisions} (tests). */
  static Topology build(
      final LedgerTopics topics,
      final OrchestratorSettings settings,
      final FilterLimits limits,
      final WindowBytesStoreSupplier decisions) {
    final Serde<byte[]> bytes = Serdes.ByteArray();
    final StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.windowStoreBuilder(
            decisions, Serdes.String(), topics.dispatchDecisions().valueSerde()));
    builder.addStateStore(
        keyValueStore(
            STORE_CONVERSATIONS,
            Serdes.String(),
            topics.serdes().forType(ConversationState.class)));
    builder.addStateStore(keyValueStore(STORE_DEADLINES, Serdes.String(), Serdes.String()));
    builder.addStateStore(
        keyValueStore(STORE_RUN_TRACKS, Serdes.String(), topics.serdes().forType(RunTrack.class)));

    final KStream<String, RunNotice> notices = RunTrackerTopology.build(builder, topics, settings);

    final KStream<Object, Object> decoded =
        builder.stream(
                topics.hostEvents().name(),
                Consumed.with(bytes, bytes).withName(SOURCE_HOST_EVENTS))
            .process(
                () ->
                    new DecodeProcessor(
                        topics.hostEvents(),
                        HOST_EVENT_DEAD_LETTERS.name(),
                        INVALID.name(),
                        VALID.name()),
                Named.as(PROCESSOR_DECODE));
    to(HOST_EVENT_DEAD_LETTERS, decoded, topics.dlq());
    to(INVALID, decoded, topics.dispatchDecisions());
    final KStream<String, SpecificRecord> deduped =
        VALID
            .of(decoded)
            .process(
                () -> new DedupeProcessor(settings.dedupeWindow(), DUPLICATES, FRESH),
                Named.as(PROCESSOR_DEDUPE),
                STORE_DECISIONS);
    to(DUPLICATES, deduped, topics.dispatchDecisions());
    final KStream<String, SpecificRecord> dispatched =
        DispatchTopology.<String, SpecificRecord>widen(FRESH.of(deduped))
            .merge(widen(notices), Named.as(MERGE_CONVERSATION_INPUTS))
            .process(
                () ->
                    new ConversationProcessor(
                        topics,
                        settings,
                        limits,
                        new ConversationProcessor.Outputs(
                            DECISIONS, LEDGER, RUN_COMMANDS, RUN_CONTROL)),
                Named.as(PROCESSOR_CONVERSATION),
                STORE_CONVERSATIONS,
                STORE_DEADLINES,
                STORE_DECISIONS);
    to(DECISIONS, dispatched, topics.dispatchDecisions());
    to(LEDGER, dispatched, topics.runLedger());
    to(RUN_CONTROL, dispatched, topics.runControl());
    RUN_COMMANDS
        .of(dispatched)
        .to(
            new RunCommandTopics(topics, settings.pools()),
            Produced.with(
                    Serdes.String(),
                    topics.runCommands(OrchestratorSettings.DEFAULT_POOL).valueSerde())
                .withName(RUN_COMMANDS.name()));

    final Topology topology = builder.build();
    final Deserializer<byte[]> raw = bytes.deserializer();
    final Deserializer<String> strings = Serdes.String().deserializer();
    topology.addGlobalStore(
        globalStore(STORE_BINDINGS),
        SOURCE_BINDINGS,
        strings,
        raw,
        topics.bindings().name(),
        PROCESSOR_BINDINGS,
        () -> new GlobalStoreUpdater(STORE_BINDINGS));
    topology.addGlobalStore(
        globalStore(STORE_RUNNERS),
        SOURCE_RUNNERS,
        strings,
        raw,
        topics.runners().name(),
        PROCESSOR_RUNNERS,
        () -> new GlobalStoreUpdater(STORE_RUNNERS));
    return topology;
  }

  /** The sink named after {@code outlet} under {@code stream}, writing {@code topic}. */
  static <K, V> void to(
      final Outlet<K, V> outlet, final KStream<?, ?> stream, final Topic<K, V> topic) {
    outlet
        .of(stream)
        .to(
            topic.name(),
            Produced.with(topic.keySerde(), topic.valueSerde()).withName(outlet.name()));
  }

  /**
   * {@code stream} as a stream of the supertype {@code V}, for merging streams of different record
   * types; safe because a stream's consumers only read its values.
   */
  @SuppressWarnings("unchecked")
  private static <K, V> KStream<K, V> widen(final KStream<K, ? extends V> stream) {
    return (KStream<K, V>) stream;
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
    // the commit interval (20 ms), the poll time that lets a due commit happen while the input is
    // quiet (5 ms), the producer's linger that each commit waits out (5 ms, not Kafka Streams'
    // 100) and its retry backoff when a transaction starts before the last one's markers are
    // written (10 ms, not 100) set how soon a run starts; the reasons are at the settings.
    OrchestratorSettings.LATENCY.apply(cfg, props);
    // Known bad input is dead-lettered by the topology itself. An unexpected exception in a
    // processor would otherwise fail the record on every retry and stop the partition; instead the
    // record goes to the same DLQ (Kafka Streams' own error headers) and processing continues. A
    // host event's steps decide it as failed (FailedDispatch) before they rethrow, so it still
    // gets its one decision.
    props.putIfAbsent(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueProcessingExceptionHandler.class.getName());
    // The same for the global stores' updaters; the default from Kafka 5.0 (its constant is
    // already deprecated, hence the literal).
    props.putIfAbsent(PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED, true);
    // Kafka Streams 4.3 also builds a StreamsConfig from the main consumer's settings (for its
    // partition assignor) and warns that the setting is off there; giving the main consumer the
    // same value silences that false alarm (the consumer reports it unused, at INFO).
    props.putIfAbsent(
        StreamsConfig.mainConsumerPrefix(PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED), true);
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

  /**
   * A persistent key-value store with a changelog, cached: the writes to one key between two
   * commits (a busy conversation's events and notices, a run claimed and ended in one interval, a
   * deadline added and removed) reach RocksDB and the changelog as one. Reads, ranges and the
   * punctuators' scans see the cache, so nothing the processors read changes.
   */
  private static <V> StoreBuilder<KeyValueStore<String, V>> keyValueStore(
      final String name, final Serde<String> keys, final Serde<V> values) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values)
        .withCachingEnabled();
  }

  /** The persistent {@value #STORE_DECISIONS} store, retained for the dedupe window. */
  static WindowBytesStoreSupplier decisionsSupplier(final OrchestratorSettings settings) {
    return Stores.persistentWindowStore(
        STORE_DECISIONS, settings.dedupeWindow(), settings.dedupeWindow(), false);
  }
}

package dev.runledger.projections;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.OutboundMessage;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.fold.Projector;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.serde.LedgerSerdes;
import dev.runledger.schemas.topics.LedgerTopics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The projections (ARCHITECTURE.md §8): folds the run ledger into the {@code runs}, {@code
 * run-events} and {@code runs-index} views with {@link dev.runledger.projections.fold.RunFold}, the
 * transcript and state views and the deliveries with {@code ViewFolds}, each through the {@link
 * Projector}, and keeps the dispatch decisions by event id.
 *
 * <p>Inputs (read as raw bytes and decoded in the processors, so undecodable records go to the DLQ
 * and never stop the application):
 *
 * <ul>
 *   <li>{@code run-ledger} — key {@code run_id} (UTF-8), value {@code LedgerRecord} (Avro
 *       single-object encoding), or a tombstone (null value) written by {@code ledger cleanup} that
 *       removes the run from the views.
 *   <li>{@code host-events} — key conversation key, value {@code HostEvent}: user messages of the
 *       transcript.
 *   <li>{@code dispatch-decisions} — key {@code event_id}, value {@code DispatchDecision} or a
 *       tombstone.
 * </ul>
 *
 * Outputs:
 *
 * <ul>
 *   <li>{@code dlq} — the original key and value bytes, with the {@code runledger.error.*} and
 *       {@code runledger.source.*} headers.
 *   <li>{@code deliveries} — key conversation key, value {@code OutboundMessage} (coalesced deltas
 *       and completed messages of applied results; see {@link DeliveryCoalescer}).
 *   <li>Repartition topics {@code <application.id>-}{@value #TRANSCRIPT_FROM_LEDGER}{@code
 *       -repartition} and {@value #TRANSCRIPT_FROM_HOSTS} (key {@code conversation_id}, value
 *       {@code TranscriptItem}), {@value #STATE_UPDATES}{@code -repartition} (key {@code
 *       scope/scope_id}, value {@code StateEntry}, version -1 for a delete).
 *   <li>Stores (RocksDB, changelogged): {@value #RUNS_STORE}, {@value #RUN_EVENTS_STORE}, {@value
 *       #RUNS_INDEX_STORE} (index key → {@code run_id}), {@value #TRANSCRIPT_STORE} ({@code
 *       conversation_id/seq} → {@code TranscriptItem}), {@value #TRANSCRIPT_EVENTS_STORE} (the host
 *       events already in a transcript: {@code ViewKeys.transcriptEvent} → the item's key, so a
 *       re-sent event is applied once), {@value #STATE_STORE} ({@code scope/scope_id/key} → {@code
 *       StateEntry}), {@value #DECISIONS_STORE} and {@value #DELIVERY_BUFFER_STORE} ({@code run_id}
 *       → pending {@code OutboundMessage}).
 * </ul>
 */
public final class ProjectionTopology {
  public static final String LEDGER_SOURCE = "run-ledger-source";
  public static final String RUN_FOLD_PROCESSOR = "run-fold";
  public static final String RUNS_STORE = "runs";
  public static final String RUN_EVENTS_STORE = "run-events";
  public static final String RUNS_INDEX_STORE = "runs-index";
  public static final String FOLD_SPLIT = "run-fold-split-";
  public static final String HOST_EVENTS_SOURCE = "host-events-source";
  public static final String HOST_EVENTS_PROCESSOR = "host-events-messages";
  public static final String HOST_SPLIT = "host-events-split-";
  public static final String DECISIONS_SOURCE = "dispatch-decisions-source";
  public static final String DECISIONS_PROCESSOR = "dispatch-decisions-materializer";
  public static final String DECISIONS_STORE = "dispatch-decisions";
  public static final String TRANSCRIPT_FROM_LEDGER = "transcript-assistant";
  public static final String TRANSCRIPT_FROM_HOSTS = "transcript-user";
  public static final String TRANSCRIPT_MERGE = "transcript-merge";
  public static final String TRANSCRIPT_PROCESSOR = "transcript-append";
  public static final String TRANSCRIPT_STORE = "transcript";
  public static final String TRANSCRIPT_EVENTS_STORE = "transcript-events";
  public static final String STATE_UPDATES = "state-updates";
  public static final String STATE_PROCESSOR = "state-apply";
  public static final String STATE_STORE = "state";
  public static final String DELIVERY_PROCESSOR = "deliveries-coalesce";
  public static final String DELIVERY_BUFFER_STORE = "delivery-buffer";
  public static final String DELIVERIES_SINK = "deliveries-sink";
  public static final String DLQ_SINK = "projections-dlq-sink";
  public static final String HOSTS_DLQ_SINK = "projections-host-events-dlq-sink";
  public static final String DECISIONS_DLQ_SINK = "projections-decisions-dlq-sink";

  private static final String DEAD = "dead";
  private static final String TRANSCRIPT = "transcript";
  private static final String STATE = "state";
  private static final String DELIVERY = "delivery";

  private ProjectionTopology() {}

  /** The topology, with the default serdes for the stores' values. */
  public static Topology build(final LedgerTopics topics) {
    return build(
        topics,
        topics.serdes(),
        Duration.ofMillis(ProjectionSettings.DEFAULT_DELIVERIES_COALESCE_MS));
  }

  /** The topology; {@code serdes} encode the views in the stores and their changelogs. */
  public static Topology build(final LedgerTopics topics, final LedgerSerdes serdes) {
    return build(
        topics, serdes, Duration.ofMillis(ProjectionSettings.DEFAULT_DELIVERIES_COALESCE_MS));
  }

  /**
   * The topology.
   *
   * @param serdes encode the views in the stores, changelogs and repartition topics
   * @param coalesce how long deltas are gathered before delivery
   */
  public static Topology build(
      final LedgerTopics topics, final LedgerSerdes serdes, final Duration coalesce) {
    return build(topics, serdes, coalesce, run -> {});
  }

  /**
   * The topology.
   *
   * @param serdes encode the views in the stores, changelogs and repartition topics
   * @param coalesce how long deltas are gathered before delivery
   * @param written told of each run as the fold writes it to the {@code runs} view (on the stream
   *     thread: it must return at once)
   */
  static Topology build(
      final LedgerTopics topics,
      final LedgerSerdes serdes,
      final Duration coalesce,
      final Consumer<AgentRun> written) {
    final StreamsBuilder builder = new StreamsBuilder();
    // Caching where one commit interval often writes a key more than once, so only its last
    // value reaches RocksDB and the changelog: a run is rewritten by each of its records; its
    // status index key is put and deleted as it moves on; a delivery buffer is put by a delta and
    // deleted by the message that completes it; state keys and decisions are updated in place.
    // Stores whose every write is a new key (run events, transcript items) gain nothing from it.
    builder
        .addStateStore(store(RUNS_STORE, serdes.forType(AgentRun.class)).withCachingEnabled())
        .addStateStore(store(RUN_EVENTS_STORE, serdes.forType(AgentRunEvent.class)))
        // derived from the runs alone, so rebuilt from them when a task starts, not changelogged
        .addStateStore(
            store(RUNS_INDEX_STORE, Serdes.String()).withCachingEnabled().withLoggingDisabled())
        .addStateStore(
            store(DELIVERY_BUFFER_STORE, serdes.forType(OutboundMessage.class))
                .withCachingEnabled())
        .addStateStore(store(TRANSCRIPT_STORE, serdes.forType(TranscriptItem.class)))
        .addStateStore(store(TRANSCRIPT_EVENTS_STORE, Serdes.String()))
        .addStateStore(store(STATE_STORE, serdes.forType(StateEntry.class)).withCachingEnabled())
        .addStateStore(
            store(DECISIONS_STORE, serdes.forType(DispatchDecision.class)).withCachingEnabled());

    final Map<String, KStream<String, Emission>> folded =
        raw(builder, topics.runLedger().name(), LEDGER_SOURCE)
            .process(
                () -> new RunLedgerProcessor(topics.runLedger(), written),
                Named.as(RUN_FOLD_PROCESSOR),
                RUNS_STORE,
                RUN_EVENTS_STORE,
                RUNS_INDEX_STORE)
            .split(Named.as(FOLD_SPLIT))
            .branch((k, v) -> v.is(Emission.Kind.DEAD_LETTER), Branched.as(DEAD))
            .branch((k, v) -> v.is(Emission.Kind.TRANSCRIPT), Branched.as(TRANSCRIPT))
            .branch((k, v) -> v.is(Emission.Kind.STATE), Branched.as(STATE))
            .branch((k, v) -> v.is(Emission.Kind.DELIVERY), Branched.as(DELIVERY))
            .noDefaultBranch();
    toDlq(folded.get(FOLD_SPLIT + DEAD), topics, DLQ_SINK);

    final Map<String, KStream<String, Emission>> hosts =
        raw(builder, topics.hostEvents().name(), HOST_EVENTS_SOURCE)
            .process(
                () -> new HostEventProcessor(topics.hostEvents()), Named.as(HOST_EVENTS_PROCESSOR))
            .split(Named.as(HOST_SPLIT))
            .branch((k, v) -> v.is(Emission.Kind.DEAD_LETTER), Branched.as(DEAD))
            .branch((k, v) -> v.is(Emission.Kind.TRANSCRIPT), Branched.as(TRANSCRIPT))
            .noDefaultBranch();
    toDlq(hosts.get(HOST_SPLIT + DEAD), topics, HOSTS_DLQ_SINK);

    final Serde<TranscriptItem> items = serdes.forType(TranscriptItem.class);
    final KStream<String, TranscriptItem> assistant =
        repartitioned(
            folded.get(FOLD_SPLIT + TRANSCRIPT),
            TranscriptItem.class,
            items,
            TRANSCRIPT_FROM_LEDGER,
            TRANSCRIPT_FROM_LEDGER + "-item");
    repartitioned(
            hosts.get(HOST_SPLIT + TRANSCRIPT),
            TranscriptItem.class,
            items,
            TRANSCRIPT_FROM_HOSTS,
            TRANSCRIPT_FROM_HOSTS + "-item")
        .merge(assistant, Named.as(TRANSCRIPT_MERGE))
        .process(
            () -> new ViewProcessor<TranscriptItem>(Projector::transcript),
            Named.as(TRANSCRIPT_PROCESSOR),
            TRANSCRIPT_STORE,
            TRANSCRIPT_EVENTS_STORE);

    repartitioned(
            folded.get(FOLD_SPLIT + STATE),
            StateEntry.class,
            serdes.forType(StateEntry.class),
            STATE_UPDATES,
            STATE_UPDATES + "-entry")
        .process(
            () -> new ViewProcessor<StateEntry>(Projector::state),
            Named.as(STATE_PROCESSOR),
            STATE_STORE);

    folded
        .get(FOLD_SPLIT + DELIVERY)
        .process(
            () -> new DeliveryCoalescer(coalesce),
            Named.as(DELIVERY_PROCESSOR),
            DELIVERY_BUFFER_STORE)
        .to(
            topics.deliveries().name(),
            Produced.with(topics.deliveries().keySerde(), topics.deliveries().valueSerde())
                .withName(DELIVERIES_SINK));

    final KStream<String, Emission> decisionDead =
        raw(builder, topics.dispatchDecisions().name(), DECISIONS_SOURCE)
            .process(
                () -> new DecisionProcessor(topics.dispatchDecisions()),
                Named.as(DECISIONS_PROCESSOR),
                DECISIONS_STORE);
    toDlq(decisionDead, topics, DECISIONS_DLQ_SINK);
    return builder.build();
  }

  /** Kafka Streams properties of the projections. */
  public static Properties streamsConfig(final LedgerConfig cfg) {
    final Properties props = cfg.streamsProperties(ProjectionSettings.applicationId(cfg));
    // Store writes, their changelogs, dead letters and input offsets commit atomically, so a
    // crash never applies a ledger record twice; this also reads every input read_committed.
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // Refuse to start if any store, changelog or repartition topic would get a generated name.
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    // Commit interval, poll time, producer linger and retry backoff: reasons at the settings.
    ProjectionSettings.LATENCY.apply(cfg, props);
    ProjectionSettings.applicationServer(cfg)
        .ifPresent(server -> props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, server));
    return props;
  }

  /**
   * The view records of one branch (taken out of their emissions by node {@code mapName}),
   * repartitioned by their key through {@code <application.id>-<name>-repartition}.
   */
  private static <V> KStream<String, V> repartitioned(
      final KStream<String, Emission> branch,
      final Class<V> type,
      final Serde<V> values,
      final String name,
      final String mapName) {
    return branch
        .mapValues(e -> type.cast(e.view()), Named.as(mapName))
        .repartition(
            Repartitioned.<String, V>as(name).withKeySerde(Serdes.String()).withValueSerde(values));
  }

  private static KStream<byte[], byte[]> raw(
      final StreamsBuilder builder, final String topic, final String name) {
    return builder.stream(
        topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name));
  }

  private static void toDlq(
      final KStream<String, Emission> dead, final LedgerTopics topics, final String sinkName) {
    dead.map((k, v) -> KeyValue.pair(v.rawKey(), v.rawValue()), Named.as(sinkName + "-bytes"))
        .to(
            topics.dlq().name(),
            Produced.with(topics.dlq().keySerde(), topics.dlq().valueSerde()).withName(sinkName));
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> store(
      final String name, final Serde<V> values) {
    // persistent RocksDB, changelogged (logging is on by default)
    return Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(name), Serdes.String(), values);
  }
}

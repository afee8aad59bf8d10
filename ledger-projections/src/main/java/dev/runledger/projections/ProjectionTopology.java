package dev.runledger.projections;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.serde.LedgerSerdes;
import dev.runledger.schemas.topics.LedgerTopics;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The projections (SPEC §7.1, §7.2, §7.5): folds the run ledger into the {@code runs} and {@code
 * run-events} views with {@link dev.runledger.projections.fold.RunFold}, and keeps the dispatch
 * decisions by event id.
 *
 * <p>Inputs (read as raw bytes and decoded in the processors, so undecodable records go to the DLQ
 * and never stop the application — a tolerant source, not a deserialization exception handler):
 *
 * <ul>
 *   <li>{@code run-ledger} — key {@code run_id} (UTF-8), value {@code LedgerRecord} (Avro
 *       single-object encoding).
 *   <li>{@code dispatch-decisions} — key {@code event_id} (UTF-8), value {@code DispatchDecision}
 *       (Avro single-object encoding) or a tombstone.
 * </ul>
 *
 * Outputs:
 *
 * <ul>
 *   <li>{@code dlq} — the original key and value bytes, with {@code runledger.error.code}, {@code
 *       runledger.error.message} and {@code runledger.source.topic|partition|offset} headers.
 *   <li>Stores (RocksDB, changelogged as {@code <application.id>-<store>-changelog}): {@value
 *       #RUNS_STORE} ({@code run_id} → {@code AgentRun}), {@value #RUN_EVENTS_STORE} ({@link
 *       RunEventKeys} → {@code AgentRunEvent}) and {@value #DECISIONS_STORE} ({@code event_id} →
 *       {@code DispatchDecision}).
 * </ul>
 */
public final class ProjectionTopology {
  public static final String LEDGER_SOURCE = "run-ledger-source";
  public static final String RUN_FOLD_PROCESSOR = "run-fold";
  public static final String RUNS_STORE = "runs";
  public static final String RUN_EVENTS_STORE = "run-events";
  public static final String DECISIONS_SOURCE = "dispatch-decisions-source";
  public static final String DECISIONS_PROCESSOR = "dispatch-decisions-materializer";
  public static final String DECISIONS_STORE = "dispatch-decisions";
  public static final String DLQ_SINK = "projections-dlq-sink";

  private ProjectionTopology() {}

  /** The topology, with the default serdes for the stores' values. */
  public static Topology build(final LedgerTopics topics) {
    return build(topics, topics.serdes());
  }

  /** The topology; {@code serdes} encode the views in the stores and their changelogs. */
  public static Topology build(final LedgerTopics topics, final LedgerSerdes serdes) {
    final Topology topology = new Topology();
    topology
        .addSource(
            LEDGER_SOURCE,
            Serdes.ByteArray().deserializer(),
            Serdes.ByteArray().deserializer(),
            topics.runLedger().name())
        .addProcessor(
            RUN_FOLD_PROCESSOR, () -> new RunLedgerProcessor(topics.runLedger()), LEDGER_SOURCE)
        // a run's view changes with every record; the cache folds those writes into one
        // changelog record per commit, and reads through it stay current
        .addStateStore(
            store(RUNS_STORE, serdes.forType(AgentRun.class)).withCachingEnabled(),
            RUN_FOLD_PROCESSOR)
        .addStateStore(
            store(RUN_EVENTS_STORE, serdes.forType(AgentRunEvent.class)), RUN_FOLD_PROCESSOR)
        .addSource(
            DECISIONS_SOURCE,
            Serdes.ByteArray().deserializer(),
            Serdes.ByteArray().deserializer(),
            topics.dispatchDecisions().name())
        .addProcessor(
            DECISIONS_PROCESSOR,
            () -> new DecisionProcessor(topics.dispatchDecisions()),
            DECISIONS_SOURCE)
        .addStateStore(
            store(DECISIONS_STORE, serdes.forType(DispatchDecision.class)), DECISIONS_PROCESSOR)
        .addSink(
            DLQ_SINK,
            topics.dlq().name(),
            topics.dlq().keySerde().serializer(),
            topics.dlq().valueSerde().serializer(),
            RUN_FOLD_PROCESSOR,
            DECISIONS_PROCESSOR);
    return topology;
  }

  /** Kafka Streams properties of the projections. */
  public static Properties streamsConfig(final LedgerConfig cfg) {
    final Properties props = cfg.streamsProperties(ProjectionSettings.applicationId(cfg));
    // Store writes, their changelogs, dead letters and input offsets commit atomically, so a
    // crash never applies a ledger record twice; this also reads every input read_committed.
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // Refuse to start if any store or changelog would get a generated name.
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    // Queries on this instance see a fold as soon as it is processed; the commit interval bounds
    // how long changelogs (and so restores and standbys) lag behind and how much work a crash
    // replays. 100 ms keeps that, and each transaction, small.
    props.put(
        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
        cfg.getLong(
            ProjectionSettings.COMMIT_INTERVAL_MS, ProjectionSettings.DEFAULT_COMMIT_INTERVAL_MS));
    props.putIfAbsent(
        StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) cfg.topicSettings().replication());
    ProjectionSettings.applicationServer(cfg)
        .ifPresent(server -> props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, server));
    return props;
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> store(
      final String name, final Serde<V> values) {
    // persistent RocksDB, changelogged (logging is on by default)
    return Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(name), Serdes.String(), values);
  }
}

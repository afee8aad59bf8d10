package dev.runledger.schemas.topics;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.Artifact;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.OutboundMessage;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.WorkerHeartbeat;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.TopicSettings;
import dev.runledger.schemas.serde.LedgerSerdes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The typed topic catalogue (ARCHITECTURE.md §2.1). Built from settings and serdes by {@link
 * #create}; an instance is immutable, and there is no static catalogue, so serdes are never built
 * before their configuration is known.
 */
public final class LedgerTopics {
  private static final Pattern POOL_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Map<String, String> DELETE =
      Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
  private static final Map<String, String> COMPACT =
      Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);

  private final TopicSettings settings;
  private final LedgerSerdes serdes;
  private final Topic<String, HostEvent> hostEvents;
  private final Topic<String, AgentBinding> bindings;
  private final Topic<String, RunnerManifest> runners;
  private final Topic<String, WorkerHeartbeat> workers;
  private final Topic<String, RunCommand> runControl;
  private final Topic<String, LedgerRecord> runLedger;
  private final Topic<String, DispatchDecision> dispatchDecisions;
  private final Topic<String, OutboundMessage> deliveries;
  private final Topic<String, Artifact> artifacts;
  private final Topic<byte[], byte[]> dlq;

  private LedgerTopics(final TopicSettings settings, final LedgerSerdes serdes) {
    this.settings = settings;
    this.serdes = serdes;
    this.hostEvents = typed("host-events", HostEvent.class, settings.partitions(), DELETE);
    this.bindings = typed("bindings", AgentBinding.class, settings.partitions(), COMPACT);
    this.runners = typed("runners", RunnerManifest.class, settings.partitions(), COMPACT);
    this.workers = typed("workers", WorkerHeartbeat.class, settings.partitions(), COMPACT);
    this.runControl = typed("run-control", RunCommand.class, settings.partitions(), DELETE);
    this.runLedger =
        typed(
            "run-ledger",
            LedgerRecord.class,
            settings.partitions(),
            Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG,
                Long.toString(settings.ledgerRetentionMs())));
    this.dispatchDecisions =
        typed("dispatch-decisions", DispatchDecision.class, settings.partitions(), COMPACT);
    this.deliveries = typed("deliveries", OutboundMessage.class, settings.partitions(), DELETE);
    this.artifacts = typed("artifacts", Artifact.class, settings.partitions(), COMPACT);
    this.dlq =
        new Topic<>(
            name("dlq"),
            Serdes.ByteArray(),
            Serdes.ByteArray(),
            settings.partitions(),
            withShared(DELETE));
  }

  /** The catalogue for this configuration, with the default single-object serdes. */
  public static LedgerTopics create(final LedgerConfig config) {
    return create(config.topicSettings(), LedgerSerdes.singleObject());
  }

  /** The catalogue for these settings, encoding values with these serdes. */
  public static LedgerTopics create(final TopicSettings settings, final LedgerSerdes serdes) {
    return new LedgerTopics(settings, serdes);
  }

  public TopicSettings settings() {
    return settings;
  }

  /** The serdes every typed topic of this catalogue uses. */
  public LedgerSerdes serdes() {
    return serdes;
  }

  /** Host events; key is the conversation key (or the event id). */
  public Topic<String, HostEvent> hostEvents() {
    return hostEvents;
  }

  /** Bindings by binding id; a tombstone deletes. */
  public Topic<String, AgentBinding> bindings() {
    return bindings;
  }

  /** Runner manifests by runner id. */
  public Topic<String, RunnerManifest> runners() {
    return runners;
  }

  /** Worker heartbeats by worker id. */
  public Topic<String, WorkerHeartbeat> workers() {
    return workers;
  }

  /** StartRun commands of one worker pool, by run id. */
  public Topic<String, RunCommand> runCommands(final String pool) {
    if (!POOL_NAME.matcher(pool).matches()) {
      throw new IllegalArgumentException(
          "pool name '" + pool + "' must match " + POOL_NAME.pattern());
    }
    return typed("run-commands." + pool, RunCommand.class, settings.commandPartitions(), DELETE);
  }

  /** CancelRun and SteerRun commands, by run id. */
  public Topic<String, RunCommand> runControl() {
    return runControl;
  }

  /** The run ledger, by run id. */
  public Topic<String, LedgerRecord> runLedger() {
    return runLedger;
  }

  /** Dispatch decisions, by event id. */
  public Topic<String, DispatchDecision> dispatchDecisions() {
    return dispatchDecisions;
  }

  /** User-visible output, by conversation key. */
  public Topic<String, OutboundMessage> deliveries() {
    return deliveries;
  }

  /** Artifacts, by artifact id. */
  public Topic<String, Artifact> artifacts() {
    return artifacts;
  }

  /** Dead letters: original key and bytes plus error headers. */
  public Topic<byte[], byte[]> dlq() {
    return dlq;
  }

  /** Every topic to create for these worker pools. */
  public List<Topic<?, ?>> all(final List<String> pools) {
    final List<Topic<?, ?>> all = new ArrayList<>();
    all.add(hostEvents);
    all.add(bindings);
    all.add(runners);
    all.add(workers);
    pools.forEach(pool -> all.add(runCommands(pool)));
    all.add(runControl);
    all.add(runLedger);
    all.add(dispatchDecisions);
    all.add(deliveries);
    all.add(artifacts);
    all.add(dlq);
    return List.copyOf(all);
  }

  private String name(final String base) {
    return settings.prefix() + base;
  }

  private <V extends SpecificRecord> Topic<String, V> typed(
      final String base,
      final Class<V> type,
      final int partitions,
      final Map<String, String> configs) {
    final Serde<String> keys = Serdes.String();
    return new Topic<>(name(base), keys, serdes.forType(type), partitions, withShared(configs));
  }

  /**
   * {@code configs} plus the settings every topic shares: {@code max.message.bytes} from {@code
   * record.max.bytes}, and {@code min.insync.replicas} when one is set.
   */
  private Map<String, String> withShared(final Map<String, String> configs) {
    final Map<String, String> all = new HashMap<>(configs);
    all.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(settings.maxMessageBytes()));
    if (settings.minInsyncReplicas() != 0) {
      all.put(
          TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(settings.minInsyncReplicas()));
    }
    return all;
  }
}

package dev.runledger.orchestrator;

import dev.runledger.orchestrator.dispatch.FilterLimits;
import dev.runledger.orchestrator.topology.DispatchTopology;
import dev.runledger.orchestrator.topology.OrchestratorSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.service.StreamsService;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import dev.runledger.schemas.topics.WorkspaceKeys;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator as a deployable {@link StreamsService}: runs {@link DispatchTopology} with
 * {@link DispatchTopology#streamsConfig}. Settings: {@link OrchestratorSettings}.
 */
public final class OrchestratorService extends StreamsService {
  /** Service name in logs and health reports. */
  public static final String NAME = "orchestrator";

  private static final Logger LOG = LoggerFactory.getLogger(OrchestratorService.class);

  private final LedgerTopics topics;

  public OrchestratorService(final LedgerConfig config, final LedgerTopics topics) {
    super(
        NAME,
        DispatchTopology.build(
            topics, OrchestratorSettings.from(config), FilterLimits.from(config)),
        DispatchTopology.streamsConfig(config, topics),
        OrchestratorSettings.MEMORY.budget(config));
    this.topics = topics;
  }

  /**
   * True once a decodable manifest for {@code runnerId} is in the orchestrator's runners table, so
   * events bound to that runner create runs instead of {@code runner.unknown} rejections.
   */
  public boolean knowsRunner(final String runnerId) {
    return holds(DispatchTopology.STORE_RUNNERS, runnerId, topics.runners());
  }

  /**
   * True once a decodable binding {@code bindingId} of workspace {@code workspaceId} is in the
   * orchestrator's bindings table, so events it covers resolve to it (a demo or test waits on this
   * before sending events).
   */
  public boolean knowsBinding(final String workspaceId, final String bindingId) {
    return holds(
        DispatchTopology.STORE_BINDINGS,
        WorkspaceKeys.key(workspaceId, bindingId),
        topics.bindings());
  }

  private boolean holds(final String storeName, final String key, final Topic<String, ?> topic) {
    final KafkaStreams running = streams();
    if (running == null) {
      return false;
    }
    try {
      final ReadOnlyKeyValueStore<String, byte[]> store =
          running.store(
              StoreQueryParameters.fromNameAndType(
                  storeName, QueryableStoreTypes.<String, byte[]>keyValueStore()));
      final byte[] raw = store.get(key);
      return raw != null
          && topic.valueSerde().deserializer().deserialize(topic.name(), raw) != null;
    } catch (final InvalidStateStoreException e) {
      LOG.debug("{} store not queryable yet: {}", storeName, e.getMessage());
      return false;
    } catch (final SerializationException e) {
      LOG.debug("{} '{}' does not decode: {}", storeName, key, e.getMessage());
      return false;
    }
  }
}

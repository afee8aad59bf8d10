package dev.runledger.gateway.registry;

import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.WorkerHeartbeat;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.CompactedTopicReader;
import dev.runledger.schemas.topics.LedgerTopics;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Keeps a {@link WorkerRegistry} in step with the compacted {@code runners} and {@code workers}
 * topics: one background thread with a consumer that has no group, is assigned every partition of
 * both, reads from the beginning and keeps reading. A record that cannot be decoded is logged and
 * skipped. The gateway does not wait for it: the registry fills in as it reads.
 *
 * <p>Inputs: {@code runners} (key: {@code runner_id}, UTF-8; value: {@code RunnerManifest} single-
 * object encoded, or a tombstone) and {@code workers} (key: {@code worker_id}, UTF-8; value: {@code
 * WorkerHeartbeat}, or a tombstone when the worker left).
 */
public final class RegistryCache extends CompactedTopicReader {
  private final String runnersTopic;
  private final Deserializer<RunnerManifest> manifests;
  private final Deserializer<WorkerHeartbeat> heartbeats;
  private final WorkerRegistry registry;
  private final Clock clock;

  /** A cache with its own consumer configured from {@code config}. */
  public RegistryCache(final LedgerConfig config, final LedgerTopics topics) {
    this(
        topics,
        new KafkaConsumer<>(
            CompactedTopicReader.consumerProperties(config),
            new StringDeserializer(),
            new ByteArrayDeserializer()),
        new WorkerRegistry(RegistrySettings.from(config)),
        Clock.systemUTC());
  }

  /** A cache over a given consumer (e.g. a {@code MockConsumer} in tests); it closes it. */
  public RegistryCache(
      final LedgerTopics topics,
      final Consumer<String, byte[]> consumer,
      final WorkerRegistry registry,
      final Clock clock) {
    super("registry-cache", consumer, List.of(topics.runners().name(), topics.workers().name()));
    this.runnersTopic = topics.runners().name();
    this.manifests = topics.runners().valueSerde().deserializer();
    this.heartbeats = topics.workers().valueSerde().deserializer();
    this.registry = registry;
    this.clock = clock;
  }

  /** The runners and workers read so far. */
  public WorkerRegistry registry() {
    return registry;
  }

  @Override
  protected void apply(final ConsumerRecord<String, byte[]> record) {
    if (runnersTopic.equals(record.topic())) {
      registry.manifest(record.key(), valueOf(manifests, record));
    } else {
      registry.heartbeat(record.key(), valueOf(heartbeats, record), clock.instant());
    }
  }
}

package dev.runledger.gateway.client;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.RunCommand;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.ConversationKeys;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import dev.runledger.schemas.topics.WorkspaceKeys;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Java client for producing host events and bindings straight to Kafka, and the one way the
 * gateway produces. Idempotent producer with {@code acks=all}; values are encoded with the
 * catalogue's serdes, so whatever it writes the orchestrator can read.
 *
 * <pre>{@code
 * try (HostEventClient client = new HostEventClient(config, topics)) {
 *   RecordMetadata written = client.send(event).get();
 * }
 * }</pre>
 *
 * <p>Outputs: {@code host-events} (key: conversation key {@code workspace/bot/conversation/thread},
 * or the event id; value: {@code HostEvent}), {@code bindings} (key: {@code
 * workspace_id/binding_id}; value: {@code AgentBinding} or a tombstone). Thread-safe.
 */
public final class HostEventClient implements EventPublisher, AutoCloseable {
  private final Producer<String, byte[]> producer;
  private final Topic<String, HostEvent> hostEvents;
  private final Topic<String, AgentBinding> bindings;
  private final Topic<String, RunCommand> runControl;

  /** A client with its own idempotent Kafka producer configured from {@code config}. */
  public HostEventClient(final LedgerConfig config, final LedgerTopics topics) {
    this(
        topics,
        new KafkaProducer<>(
            producerProperties(config), new StringSerializer(), new ByteArraySerializer()));
  }

  /** A client over a given producer (e.g. a {@code MockProducer} in tests); it closes it. */
  public HostEventClient(final LedgerTopics topics, final Producer<String, byte[]> producer) {
    this.producer = producer;
    this.hostEvents = topics.hostEvents();
    this.bindings = topics.bindings();
    this.runControl = topics.runControl();
  }

  /**
   * The producer settings: the shared producer settings ({@code max.request.size} from {@code
   * record.max.bytes}) plus idempotence and acks=all.
   */
  static Properties producerProperties(final LedgerConfig config) {
    final Properties props = config.producerProperties();
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    return props;
  }

  @Override
  public CompletableFuture<RecordMetadata> send(final HostEvent event) {
    final byte[] value = hostEvents.valueSerde().serializer().serialize(hostEvents.name(), event);
    return produce(
        new ProducerRecord<>(hostEvents.name(), ConversationKeys.ingestKey(event), value));
  }

  @Override
  public CompletableFuture<RecordMetadata> putBinding(final AgentBinding binding) {
    final byte[] value = bindings.valueSerde().serializer().serialize(bindings.name(), binding);
    return produce(new ProducerRecord<>(bindings.name(), bindingKey(binding), value));
  }

  @Override
  public CompletableFuture<RecordMetadata> deleteBinding(
      final String workspaceId, final String bindingId) {
    return produce(
        new ProducerRecord<>(bindings.name(), WorkspaceKeys.key(workspaceId, bindingId), null));
  }

  /** The key of {@code binding} on the bindings topic: {@code workspace_id/binding_id}. */
  public static String bindingKey(final AgentBinding binding) {
    return WorkspaceKeys.key(binding.getScope().getWorkspaceId(), binding.getBindingId());
  }

  /**
   * Produces {@code CancelRun{reason, requested_by}} for {@code runId} onto {@code run-control}
   * (contract C1, ARCHITECTURE.md §12), keyed by run id.
   */
  public CompletableFuture<RecordMetadata> cancelRun(
      final String runId, final String reason, final String requestedBy) {
    final RunCommand command =
        RunCommand.newBuilder()
            .setRunId(runId)
            .setKind(CancelRun.newBuilder().setReason(reason).setRequestedBy(requestedBy).build())
            .build();
    final byte[] value = runControl.valueSerde().serializer().serialize(runControl.name(), command);
    return produce(new ProducerRecord<>(runControl.name(), runId, value));
  }

  /** Sends whatever is buffered and waits for it. */
  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }

  private CompletableFuture<RecordMetadata> produce(final ProducerRecord<String, byte[]> record) {
    final CompletableFuture<RecordMetadata> written = new CompletableFuture<>();
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error == null) {
              written.complete(metadata);
            } else {
              written.completeExceptionally(error);
            }
          });
    } catch (final RuntimeException e) {
      written.completeExceptionally(e);
    }
    return written;
  }
}

package dev.runledger.deploy.harness;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.AvailableApis;
import dev.runledger.avro.Decision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.Permissions;
import dev.runledger.avro.RunCreated;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.Topic;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes records straight onto a runledger topic, as another part of the system would (run-control
 * commands, runner manifests, artifacts, ledger records, host events), and waits until each is
 * acknowledged by all replicas.
 */
public final class TopicWriter {
  private TopicWriter() {}

  /** Writes {@code values} in order, each keyed by {@code key}. */
  public static <K, V> void write(
      final LedgerConfig config,
      final Topic<K, V> topic,
      final Function<V, K> key,
      final List<V> values) {
    final Properties props = new Properties();
    props.putAll(config.producerProperties());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<K, V> producer =
        new KafkaProducer<>(
            props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      final List<Future<RecordMetadata>> sent = new ArrayList<>();
      values.forEach(
          value ->
              sent.add(producer.send(new ProducerRecord<>(topic.name(), key.apply(value), value))));
      producer.flush();
      for (final Future<RecordMetadata> future : sent) {
        future.get(30, TimeUnit.SECONDS);
      }
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not write to " + topic.name(), e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Writes one value. */
  public static <K, V> void write(
      final LedgerConfig config, final Topic<K, V> topic, final K key, final V value) {
    write(config, topic, v -> key, List.of(value));
  }

  /** A ledger record of producer {@code w}; the builder, to change more fields. */
  public static LedgerRecord.Builder ledgerRecord(
      final String run, final int attempt, final long seq, final Instant at, final Object body) {
    return LedgerRecord.newBuilder()
        .setRunId(run)
        .setAttempt(attempt)
        .setSequence(seq)
        .setTimestamp(at)
        .setProducer("w")
        .setBody(body);
  }

  /**
   * The {@code run.created} body of a run in {@code workspace} (and {@code conversation}, when not
   * null) as the orchestrator writes it: the run's workspace comes from it.
   */
  public static RunCreated runCreated(
      final String run, final String workspace, final String conversation, final Instant at) {
    final AuthorizationSnapshot snapshot =
        AuthorizationSnapshot.newBuilder()
            .setRunId(run)
            .setRunnerId("builtin:echo/default")
            .setBindingId("b")
            .setWorkspaceId(workspace)
            .setConversationId(conversation)
            .setPermissions(Permissions.newBuilder().build())
            .setAvailableApis(AvailableApis.newBuilder().build())
            .setCreatedAt(at)
            .build();
    return RunCreated.newBuilder()
        .setEventId("event-" + run)
        .setEventType("message.received")
        .setBindingId("b")
        .setRunnerId("builtin:echo/default")
        .setPool("default")
        .setWorkspaceId(workspace)
        .setConversationId(conversation)
        .setSnapshot(snapshot)
        .setDeadlineAt(at.plusSeconds(3600))
        .setDecision(Decision.RUN_CREATED)
        .build();
  }

  /** The body of a runner result record. */
  public static AgentRunResult result(final String type, final Object payload) {
    return new AgentRunResult(type, payload);
  }
}

package dev.runledger.worker;

import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.WorkerHeartbeat;
import dev.runledger.schemas.topics.DeadLetters;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import dev.runledger.worker.execution.LedgerAppender;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The worker's one producer (idempotent, {@code acks=all}) and everything it writes: ledger records
 * ({@code run-ledger}, key {@code run_id}), runner manifests ({@code runners}, key {@code
 * runner_id}), heartbeats ({@code workers}, key {@code worker_id}) and dead letters ({@code dlq},
 * the original key and value bytes plus the {@link DeadLetters} error headers). Values are encoded
 * with each topic's serde from the catalogue. Thread-safe.
 */
public final class WorkerPublisher implements LedgerAppender, AutoCloseable {
  private final Producer<byte[], byte[]> producer;
  private final LedgerTopics topics;

  WorkerPublisher(final Producer<byte[], byte[]> producer, final LedgerTopics topics) {
    this.producer = producer;
    this.topics = topics;
  }

  /** A publisher on a new producer built from the client properties. */
  static WorkerPublisher create(
      final Properties kafkaProperties, final String workerId, final LedgerTopics topics) {
    final Properties props = new Properties();
    props.putAll(kafkaProperties);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, workerId + "-producer");
    // Deltas come in bursts; a few milliseconds of batching costs little latency.
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    final ByteArraySerializer bytes = new ByteArraySerializer();
    return new WorkerPublisher(new KafkaProducer<>(props, bytes, bytes), topics);
  }

  @Override
  public CompletableFuture<Void> append(final LedgerRecord record) {
    return send(topics.runLedger(), record.getRunId(), record, new RecordHeaders());
  }

  @Override
  public int maxRecordBytes() {
    return topics.settings().maxRecordBytes();
  }

  @Override
  public int encodedSize(final LedgerRecord record) {
    return topics.runLedger().encodedSize(record.getRunId(), record);
  }

  CompletableFuture<Void> manifest(final RunnerManifest manifest) {
    return send(topics.runners(), manifest.getRunnerId(), manifest, new RecordHeaders());
  }

  CompletableFuture<Void> heartbeat(final WorkerHeartbeat heartbeat) {
    return send(topics.workers(), heartbeat.getWorkerId(), heartbeat, new RecordHeaders());
  }

  /** A tombstone for the worker on the compacted {@code workers} topic: it has left. */
  CompletableFuture<Void> workerGone(final String workerId) {
    return send(topics.workers(), workerId, null, new RecordHeaders());
  }

  /** Sends a record this worker cannot use to the DLQ with the error headers. */
  public CompletableFuture<Void> deadLetter(
      final ConsumerRecord<byte[], byte[]> source, final String code, final String message) {
    final Headers headers =
        DeadLetters.headers(
            source.headers(), code, message, source.topic(), source.partition(), source.offset());
    return send(topics.dlq(), source.key(), source.value(), headers);
  }

  /** Blocks until everything sent so far is acknowledged or failed. */
  void flush() {
    producer.flush();
  }

  void close(final Duration timeout) {
    producer.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  private <K, V> CompletableFuture<Void> send(
      final Topic<K, V> topic, final K key, final V value, final Headers headers) {
    final byte[] keyBytes = topic.keySerde().serializer().serialize(topic.name(), key);
    final byte[] valueBytes =
        value == null ? null : topic.valueSerde().serializer().serialize(topic.name(), value);
    final CompletableFuture<Void> sent = new CompletableFuture<>();
    producer.send(
        new ProducerRecord<>(topic.name(), null, keyBytes, valueBytes, headers),
        (metadata, error) -> {
          if (error == null) {
            sent.complete(null);
          } else {
            sent.completeExceptionally(error);
          }
        });
    return sent;
  }
}

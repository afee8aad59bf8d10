package dev.runledger.worker.hostapi;

import dev.runledger.avro.Artifact;
import dev.runledger.schemas.topics.Topic;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small in-memory cache of the {@code artifacts} topic (key {@code artifact_id}, value {@code
 * Artifact}, compacted): one consumer without a group reads every partition from the beginning on
 * first use and keeps following; the most recently written artifacts are kept up to a byte budget.
 * A lookup that misses waits briefly for the consumer to catch up with the end of the topic.
 */
final class ArtifactCache implements ArtifactStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactCache.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long CATCH_UP_MS = 5_000;

  private final Properties kafka;
  private final Topic<String, Artifact> topic;
  private final long budgetBytes;
  private final Map<String, Artifact> artifacts = new LinkedHashMap<>(16, 0.75f, true);
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private long bytes;
  private KafkaConsumer<String, Artifact> consumer;
  private Thread thread;
  private volatile boolean closed;

  public ArtifactCache(
      final Properties kafka, final Topic<String, Artifact> topic, final long budgetBytes) {
    this.kafka = kafka;
    this.topic = topic;
    this.budgetBytes = budgetBytes;
  }

  @Override
  public Optional<Artifact> find(final String artifactId) {
    startOnce();
    try {
      if (!caughtUp.await(CATCH_UP_MS, TimeUnit.MILLISECONDS)) {
        LOG.warn("artifact cache has not caught up with {} yet", topic.name());
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (artifacts) {
      return Optional.ofNullable(artifacts.get(artifactId));
    }
  }

  private synchronized void startOnce() {
    if (thread != null || closed) {
      return;
    }
    final Properties props = new Properties();
    props.putAll(kafka);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "runledger-artifacts-" + UUID.randomUUID());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), topic.valueSerde().deserializer());
    thread = new Thread(this::follow, "runledger-artifact-cache");
    thread.setDaemon(true);
    thread.start();
  }

  private void follow() {
    try {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (!closed) {
        for (final ConsumerRecord<String, Artifact> record : consumer.poll(POLL)) {
          put(record.key(), record.value());
        }
        if (caughtUp.getCount() > 0
            && partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
          caughtUp.countDown();
        }
      }
    } catch (final WakeupException e) {
      LOG.debug("artifact cache stopped");
    } catch (final RuntimeException e) {
      LOG.warn("artifact cache stopped reading {}: {}", topic.name(), e.toString());
    } finally {
      caughtUp.countDown();
      consumer.close();
    }
  }

  void put(final String artifactId, final Artifact artifact) {
    synchronized (artifacts) {
      final Artifact previous =
          artifact == null ? artifacts.remove(artifactId) : artifacts.put(artifactId, artifact);
      bytes += size(artifact) - size(previous);
      final var eldest = artifacts.entrySet().iterator();
      while (bytes > budgetBytes && eldest.hasNext()) {
        final Artifact evicted = eldest.next().getValue();
        eldest.remove();
        bytes -= size(evicted);
      }
    }
  }

  private static long size(final Artifact artifact) {
    return artifact == null || artifact.getContent() == null
        ? 0
        : artifact.getContent().remaining();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (consumer != null) {
      consumer.wakeup();
    }
  }
}

package dev.runledger.deploy.worker;

import dev.runledger.avro.CancelRun;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.SteerRun;
import dev.runledger.avro.SteeringItem;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Settings and run-control writes for the worker end-to-end tests. */
final class WorkerStacks {
  private WorkerStacks() {}

  /** Settings for a stack on the shared broker with its own topics and state. */
  static Map<String, String> settings(
      final EmbeddedKafka kafka, final String name, final Path stateDir) {
    final Map<String, String> settings = new HashMap<>();
    settings.put(LedgerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(
        LedgerConfig.TOPIC_PREFIX,
        "t-"
            + name.toLowerCase(Locale.ROOT)
            + "-"
            + UUID.randomUUID().toString().substring(0, 8)
            + ".");
    settings.put(LedgerConfig.TOPIC_PARTITIONS, "3");
    settings.put(LedgerConfig.STATE_DIR, stateDir.toString());
    settings.put(LedgerConfig.HTTP_PORT, "0");
    settings.put(HttpServer.HOST, "127.0.0.1");
    return settings;
  }

  /** Writes {@code CancelRun} for a run to run-control, as the gateway's cancel endpoint does. */
  static void cancel(final LedgerConfig config, final LedgerTopics topics, final String runId) {
    write(
        config,
        topics,
        RunCommand.newBuilder()
            .setRunId(runId)
            .setKind(CancelRun.newBuilder().setReason("requested").setRequestedBy("api").build())
            .build());
  }

  /** Writes {@code SteerRun} with a message for a run to run-control, as the orchestrator does. */
  static void steer(
      final LedgerConfig config,
      final LedgerTopics topics,
      final String runId,
      final String sourceEventId,
      final String text) {
    final SteeringItem item =
        SteeringItem.newBuilder()
            .setSourceEventId(sourceEventId)
            .setClaimedRunId(runId)
            .setRunnerId("builtin:scenario/default")
            .setClaimedAt(Instant.now())
            .setInput(EventInput.newBuilder().setText(text).build())
            .build();
    write(
        config,
        topics,
        RunCommand.newBuilder()
            .setRunId(runId)
            .setKind(SteerRun.newBuilder().setItem(item).build())
            .build());
  }

  private static void write(
      final LedgerConfig config, final LedgerTopics topics, final RunCommand command) {
    final String runId = command.getRunId();
    final Topic<String, RunCommand> control = topics.runControl();
    final Properties props = new Properties();
    props.putAll(config.kafkaProperties());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, RunCommand> producer =
        new KafkaProducer<>(
            props, control.keySerde().serializer(), control.valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(control.name(), runId, command)).get(30, TimeUnit.SECONDS);
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not write a run-control command for " + runId, e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.HostEvent;
import dev.runledger.gateway.EventValidator;
import dev.runledger.gateway.GatewaySettings;
import dev.runledger.gateway.client.HostEventClient;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.topics.LedgerTopics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ledger send}: one host event, built from options or read from a JSON file, posted to the
 * gateway ({@code --url}) or produced straight to Kafka ({@code --kafka}).
 */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = {
      "Send one host event: POST it to the gateway (default) or, with --kafka, produce it"
          + " straight onto the ingest topic. Options override fields of --file.",
      "Example: ledger send --workspace acme --conversation c-1 --text hello"
    })
final class SendCommand implements Callable<Integer> {
  @Option(
      names = "--file",
      paramLabel = "FILE",
      description = "The event as JSON (ARCHITECTURE.md §9.1).")
  Path file;

  @Option(names = "--workspace", description = "workspace_id.")
  String workspace;

  @Option(names = "--conversation", description = "conversation_id.")
  String conversation;

  @Option(names = "--bot", description = "bot_id.")
  String bot;

  @Option(names = "--thread", description = "thread_id.")
  String thread;

  @Option(names = "--text", description = "input.text.")
  String text;

  @Option(names = "--event-id", description = "event_id (default: assigned).")
  String eventId;

  @Option(
      names = "--event-type",
      description = "event_type (default message.received unless --file sets one).")
  String eventType;

  @Mixin ApiOptions api;

  @Option(
      names = "--kafka",
      description = "Produce to Kafka directly (see --bootstrap-servers and --config).")
  boolean kafka;

  @Mixin ConfigOptions config;

  @Mixin KafkaTimeout kafkaTimeout;

  @Mixin OutputOptions output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    final ObjectNode event = build();
    final JsonNode result = kafka ? produce(event) : post(event);
    output.printer().record(result);
    return 0;
  }

  ObjectNode build() {
    final ObjectNode event;
    if (file != null) {
      final JsonNode read = readFile(file);
      if (!read.isObject()) {
        throw new ParameterException(spec.commandLine(), file + " must hold a JSON object");
      }
      event = (ObjectNode) read;
    } else {
      event = AvroJson.mapper().createObjectNode();
    }
    putIfGiven(event, "event_id", eventId);
    putIfGiven(event, "event_type", eventType);
    if (!event.has("event_type")) {
      event.put("event_type", "message.received");
    }
    putIfGiven(event, "workspace_id", workspace);
    putIfGiven(event, "bot_id", bot);
    putIfGiven(event, "conversation_id", conversation);
    putIfGiven(event, "thread_id", thread);
    if (text != null) {
      final JsonNode input = event.path("input");
      (input.isObject() ? (ObjectNode) input : event.putObject("input")).put("text", text);
    }
    if (!event.has("workspace_id")) {
      throw new ParameterException(
          spec.commandLine(),
          "an event needs a workspace: give --workspace or a --file with workspace_id");
    }
    return event;
  }

  private JsonNode post(final ObjectNode event) {
    return api.client().post(ApiPaths.EVENTS, event).orThrow("sending the event");
  }

  private JsonNode produce(final ObjectNode event) throws Exception {
    final LedgerConfig settings = config.load(kafkaTimeout.producerOverrides());
    final HostEvent valid =
        new EventValidator(GatewaySettings.from(settings), Clock.systemUTC())
            .validate(event.toString().getBytes(StandardCharsets.UTF_8));
    return kafkaTimeout.whenReachable(settings, () -> produce(settings, valid));
  }

  private static JsonNode produce(final LedgerConfig settings, final HostEvent valid)
      throws InterruptedException {
    try (HostEventClient client = new HostEventClient(settings, LedgerTopics.create(settings))) {
      final RecordMetadata written = client.send(valid).get(60, TimeUnit.SECONDS);
      final ObjectNode result = AvroJson.mapper().createObjectNode();
      result.put("event_id", valid.getEventId());
      result.put("topic", written.topic());
      result.put("partition", written.partition());
      result.put("offset", written.offset());
      return result;
    } catch (final ExecutionException e) {
      throw new IllegalStateException(
          "cannot produce the event to "
              + settings.get(LedgerConfig.BOOTSTRAP_SERVERS)
              + ": "
              + ApiClient.reason(e.getCause()),
          e);
    } catch (final TimeoutException e) {
      throw new IllegalStateException(
          "the broker at "
              + settings.get(LedgerConfig.BOOTSTRAP_SERVERS)
              + " did not confirm the event within 60s; it may or may not be written (send it"
              + " again with --event-id "
              + valid.getEventId()
              + ")",
          e);
    }
  }

  private static void putIfGiven(final ObjectNode event, final String field, final String value) {
    if (value != null) {
      event.put(field, value);
    }
  }

  private static JsonNode readFile(final Path path) {
    try {
      return AvroJson.mapper().readTree(Files.readString(path, StandardCharsets.UTF_8));
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot read " + path + " as JSON: " + e.getMessage(), e);
    }
  }
}

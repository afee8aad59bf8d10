package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.harness.TopicProbe;
import dev.runledger.schemas.topics.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad input never stops anything (G5: ARCHITECTURE.md §4, §10) on a real broker. */
class BadInputEndToEndTest {
  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("badinput").awaitRunner(DevStack.ECHO_RUNNER).build();

  private final TestApi api = STACK.api();
  private final DevStack stack = STACK.stack();
  private final TopicProbe probe = new TopicProbe(stack.bootstrapServers());

  @Test
  void shouldDeadLetterUndecodableBytesAndCompleteTheNextEventWhenGarbageIsOnTheIngestTopic()
      throws Exception {
    // given a bound workspace; the garbage shares the conversation key, so the same partition
    final String workspace = "w-garbage";
    api.bind("garbage-echo", Binding.of(workspace, DevStack.ECHO_RUNNER).priority(0));
    api.awaitBinding(workspace, "warm-up");
    final String conversationKey = workspace + "//c-garbage/";
    final byte[] garbage =
        ("not an avro record " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);

    // when
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", stack.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  stack.topics().hostEvents().name(),
                  conversationKey.getBytes(StandardCharsets.UTF_8),
                  garbage))
          .get();
    }
    final String eventId = "after-garbage-" + UUID.randomUUID();
    api.post(TestApi.message(eventId, workspace, "c-garbage", "still alive"));

    // then the garbage is in the DLQ, unchanged, with error headers
    final ConsumerRecord<byte[], byte[]> dead =
        probe
            .awaitRecords(
                stack.topics().dlq().name(),
                r -> r.value() != null && java.util.Arrays.equals(r.value(), garbage),
                1)
            .get(0);
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo(conversationKey);
    assertThat(header(dead, DeadLetters.ERROR_CODE)).startsWith("decode.");
    assertThat(header(dead, DeadLetters.ERROR_MESSAGE)).isNotBlank();
    assertThat(header(dead, DeadLetters.SOURCE_TOPIC))
        .isEqualTo(stack.topics().hostEvents().name());

    // and the next valid event still becomes a completed run
    final JsonNode decision = api.awaitDecision(eventId);
    assertThat(decision.path("decision").asText()).isEqualTo("run_created");
    final JsonNode run = api.awaitStatus(decision.path("run_id").asText(), "completed");
    assertThat(run.path("final_message").asText()).isEqualTo("still alive");
  }

  @Test
  void shouldAnswer400Or413AndProduceNothingWhenEventBodiesAreInvalid() throws Exception {
    // given
    final String topic = stack.topics().hostEvents().name();
    final long before = probe.endOffsets(topic);

    // when
    final ApiClient.Response noType =
        api.postRaw("{\"workspace_id\":\"w\",\"input\":{\"text\":\"x\"}}");
    final ApiClient.Response noWorkspace = api.postRaw("{\"event_type\":\"message.received\"}");
    final ApiClient.Response badType =
        api.postRaw("{\"event_type\":\"MessageReceived\",\"workspace_id\":\"w\"}");
    final ApiClient.Response notJson = api.postRaw("this is not json");
    final ApiClient.Response oversize =
        api.postRaw(
            "{\"event_type\":\"message.received\",\"workspace_id\":\"w\",\"input\":{\"text\":\""
                + "x".repeat(1_100_000)
                + "\"}}");

    // then
    assertThat(noType.status()).isEqualTo(400);
    assertThat(noType.body().at("/error/field").asText()).isEqualTo("event_type");
    assertThat(noWorkspace.status()).isEqualTo(400);
    assertThat(noWorkspace.body().at("/error/field").asText()).isEqualTo("workspace_id");
    assertThat(badType.status()).isEqualTo(400);
    assertThat(badType.body().at("/error/field").asText()).isEqualTo("event_type");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.body().at("/error/code").asText()).isNotBlank();
    assertThat(oversize.status()).isEqualTo(413);
    assertThat(oversize.body().at("/error/code").asText()).isNotBlank();
    assertThat(probe.endOffsets(topic)).isEqualTo(before);

    // and a valid event after them is written (so the offsets above were really measured)
    api.post(TestApi.message("valid-" + UUID.randomUUID(), "w", "c-1", "ok"));
    assertThat(probe.endOffsets(topic)).isEqualTo(before + 1);
  }

  private static String header(final ConsumerRecord<byte[], byte[]> record, final String name) {
    final Header header = record.headers().lastHeader(name);
    assertThat(header).as("header %s", name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}

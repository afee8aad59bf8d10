package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.harness.TopicProbe;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.DeadLetters;
import dev.runledger.worker.builtin.ScenarioRunner;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad input never stops anything (G5: ARCHITECTURE.md §4, §10) on a real broker. */
class BadInputEndToEndTest {
  /** A small record limit, so that oversized records are cheap to make. */
  private static final int RECORD_LIMIT = 65_536;

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("badinput")
          .set(LedgerConfig.MAX_RECORD_BYTES, Integer.toString(RECORD_LIMIT))
          .awaitRunner(DevStack.ECHO_RUNNER)
          .awaitRunner(ScenarioRunner.RUNNER_ID)
          .build();

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

  @Test
  void shouldFailRunnerOutputLimitOnceAndAcceptTheCommandWhenAResultIsOverTheRecordLimit()
      throws Exception {
    // given a runner whose final message is larger than the record limit
    final String workspace = "w-big-output";
    final ObjectNode script =
        json(
            "{\"steps\":[{\"complete\":{\"text\":\"0123456789\",\"repeat\":"
                + RECORD_LIMIT / 5
                + "}}]}");
    api.bind("big-output", Binding.of(workspace, ScenarioRunner.RUNNER_ID).config(script));
    api.awaitBinding(workspace, "warm-up");

    // when
    final String runId = api.runOf(api.send(workspace, "c-big", "go"));

    // then the run fails runner.output_limit, naming the size and the limit
    final JsonNode run = api.awaitRun(runId, TestApi::terminal);
    assertThat(run.path("status").asText()).isEqualTo("failed");
    assertThat(run.path("error").path("code").asText()).isEqualTo("runner.output_limit");
    assertThat(run.path("error").path("message").asText())
        .contains("run.completed result is ")
        .contains("over the limit of " + RECORD_LIMIT + " bytes");
    assertThat(run.path("attempt").asInt()).isEqualTo(1);
    // and its command was accepted, not released: the share group has nothing left to deliver
    final String commands = stack.topics().runCommands("default").name();
    final ConsumerRecord<byte[], byte[]> command =
        probe
            .awaitRecords(
                commands, r -> runId.equals(new String(r.key(), StandardCharsets.UTF_8)), 1)
            .get(0);
    awaitShareGroupPast(commands, command.partition(), command.offset());
    // so the runner ran exactly once: one claim, one terminal, nothing of a second attempt
    final List<JsonNode> events = api.events(runId);
    assertThat(events).filteredOn(e -> e.path("attempt").asInt() > 1).isEmpty();
    assertThat(events).filteredOn(e -> "run.claimed".equals(e.path("type").asText())).hasSize(1);
    assertThat(events)
        .filteredOn(e -> List.of("run.completed", "run.failed").contains(e.path("type").asText()))
        .hasSize(1);
  }

  @Test
  void shouldRejectPayloadTooLargeWhenTheStartRunWouldBeOverTheRecordLimit() {
    // given a binding whose runner config and an event that each fit the limit, not together
    final String workspace = "w-big-start";
    final ObjectNode config = json("{\"steps\":[{\"complete\":{\"text\":\"ok\"}}]}");
    config.put("pad", "p".repeat(RECORD_LIMIT * 2 / 3));
    api.bind("big-start", Binding.of(workspace, ScenarioRunner.RUNNER_ID).config(config));
    api.awaitBinding(workspace, "warm-up");

    // when
    final String eventId = api.send(workspace, "c-big", "t".repeat(RECORD_LIMIT * 2 / 3));

    // then the event is rejected, and the next one in the workspace still runs
    final JsonNode decision = api.awaitDecision(eventId);
    assertThat(decision.path("decision").asText()).isEqualTo("rejected");
    assertThat(decision.path("reason").asText()).isEqualTo("payload.too_large");
    assertThat(decision.path("run_id").isMissingNode() || decision.path("run_id").isNull())
        .isTrue();
    final String next = api.runOf(api.send(workspace, "c-big", "small"));
    assertThat(api.awaitRun(next, TestApi::terminal).path("status").asText())
        .isEqualTo("completed");
  }

  /**
   * Waits until the worker's share group has settled every command up to {@code offset}: its start
   * offset is past it, or at it with nothing left to deliver (the share coordinator moves the start
   * offset lazily, so an accepted last record can still be the start with lag 0).
   */
  private void awaitShareGroupPast(final String topic, final int partition, final long offset) {
    final String group = stack.worker().settings().groupId();
    final TopicPartition position = new TopicPartition(topic, partition);
    final AtomicReference<Object> seen = new AtomicReference<>();
    try (Admin admin = Admin.create(stack.config().kafkaProperties())) {
      await()
          .atMost(TestApi.WAIT)
          .alias("share group " + group + " past " + position + "@" + offset + ", seen " + seen)
          .until(
              () -> {
                final Map<TopicPartition, SharePartitionOffsetInfo> all =
                    admin
                        .listShareGroupOffsets(
                            Map.of(
                                group,
                                new ListShareGroupOffsetsSpec().topicPartitions(List.of(position))))
                        .partitionsToOffsetInfo(group)
                        .get();
                seen.set(all);
                final SharePartitionOffsetInfo info = all.get(position);
                return info != null
                    && (info.startOffset() > offset
                        || info.startOffset() == offset && info.lag().orElse(-1L) == 0);
              });
    }
  }

  private static ObjectNode json(final String text) {
    return (ObjectNode) TestApi.json(text);
  }

  private static String header(final ConsumerRecord<byte[], byte[]> record, final String name) {
    final Header header = record.headers().lastHeader(name);
    assertThat(header).as("header %s", name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}

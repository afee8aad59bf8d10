package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.Cli;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.schemas.json.AvroJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The ledger commands against a running stack on the shared broker. */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliEndToEndTest {
  private EmbeddedKafka kafka;
  private DevStack stack;
  private String prefix;
  private Api api;

  @BeforeAll
  void startStack(final EmbeddedKafka kafka, @TempDir final Path state) {
    this.kafka = kafka;
    this.prefix = TestStacks.prefix("cli");
    this.stack = DevStack.start(TestStacks.config(kafka, prefix, state, java.util.Map.of()));
    this.api = new Api(stack);
    stack.awaitRunner(DevStack.ECHO_RUNNER, Duration.ofSeconds(90));
    api.bindEcho("cli-echo", "w-cli", 0);
    api.awaitBindingsVisible("w-cli", "warm-up");
  }

  @AfterAll
  void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void shouldSendAnEventAndReadItsRunWhenUsingTheCommands() throws Exception {
    // when
    final Cli.Result sent =
        Cli.run(
            "send",
            "--url",
            stack.baseUrl(),
            "--workspace",
            "w-cli",
            "--conversation",
            "c-1",
            "--text",
            "hello from the cli",
            "-o",
            "json");

    // then
    assertThat(sent.code()).as(sent.err()).isZero();
    final String eventId = AvroJson.mapper().readTree(sent.out()).path("event_id").asText();
    final String runId = api.awaitDecision(eventId).path("run_id").asText();
    api.awaitCompleted(runId);

    final Cli.Result got = Cli.run("runs", "get", runId, "--url", stack.baseUrl(), "-o", "json");
    assertThat(got.code()).as(got.err()).isZero();
    final JsonNode run = AvroJson.mapper().readTree(got.out());
    assertThat(run.path("status").asText()).isEqualTo("completed");
    assertThat(run.path("final_message").asText()).isEqualTo("hello from the cli");

    final Cli.Result events =
        Cli.run("runs", "events", runId, "--url", stack.baseUrl(), "-o", "yaml");
    assertThat(events.code()).as(events.err()).isZero();
    assertThat(events.out()).contains("type: \"run.created\"").contains("type: \"run.completed\"");

    final Cli.Result table = Cli.run("runs", "events", runId, "--url", stack.baseUrl());
    assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("SEQ").contains("TYPE");
  }

  @Test
  void shouldProduceStraightToKafkaWhenSendIsGivenKafka(@TempDir final Path dir) throws Exception {
    // given
    final Path file = dir.resolve("event.json");
    Files.writeString(
        file,
        "{\"event_type\":\"message.received\",\"workspace_id\":\"w-cli\",\"conversation_id\":\"c-2\",\"input\":{\"text\":\"from a file\"}}");

    // when
    final Cli.Result sent =
        Cli.run(
            "send",
            "--kafka",
            "--file",
            file.toString(),
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--set",
            "topic.prefix=" + prefix,
            "-o",
            "json");

    // then
    assertThat(sent.code()).as(sent.err()).isZero();
    final JsonNode written = AvroJson.mapper().readTree(sent.out());
    assertThat(written.path("topic").asText()).isEqualTo(stack.topics().hostEvents().name());
    final String runId =
        api.awaitDecision(written.path("event_id").asText()).path("run_id").asText();
    assertThat(api.awaitCompleted(runId).path("final_message").asText()).isEqualTo("from a file");
  }

  @Test
  void shouldCreateEveryTopicOnceWhenTopicsCreateRunsTwice() throws Exception {
    // given
    final String fresh = TestStacks.prefix("topics");
    final String[] args = {
      "topics",
      "create",
      "--bootstrap-servers",
      kafka.bootstrapServers(),
      "--set",
      "topic.prefix=" + fresh,
      "-o",
      "json"
    };

    // when
    final Cli.Result first = Cli.run(args);
    final Cli.Result second = Cli.run(args);

    // then
    assertThat(first.code()).as(first.err()).isZero();
    final JsonNode created = AvroJson.mapper().readTree(first.out());
    assertThat(created).hasSize(stack.topics().all(stack.config().pools()).size());
    created.forEach(t -> assertThat(t.path("status").asText()).isEqualTo("created"));
    assertThat(created.findValuesAsText("topic")).allMatch(name -> name.startsWith(fresh));
    assertThat(created.findValuesAsText("cleanup_policy")).contains("compact", "delete");
    AvroJson.mapper()
        .readTree(second.out())
        .forEach(t -> assertThat(t.path("status").asText()).isEqualTo("exists"));
  }

  @Test
  void shouldCompleteTheDemoWhenRunAgainstTheBroker() {
    // when
    final Cli.Result demo =
        Cli.run(
            "demo",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--set",
            "topic.prefix=" + TestStacks.prefix("demo"));

    // then
    assertThat(demo.code()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out()).contains("demo passed").contains("run.completed");
    assertThat(demo.out().lines().filter(l -> l.startsWith("run_") && l.contains("completed")))
        .hasSizeGreaterThanOrEqualTo(3);
  }
}

package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.Cli;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.schemas.json.AvroJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The ledger commands against a running stack on the shared broker. */
class CliEndToEndTest {
  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("cli").awaitRunner(DevStack.ECHO_RUNNER).build();

  private final DevStack stack = STACK.stack();
  private final TestApi api = STACK.api();

  @BeforeAll
  static void bind() {
    STACK.api().bind("cli-echo", Binding.of("w-cli", DevStack.ECHO_RUNNER).priority(0));
    STACK.api().awaitBinding("w-cli", "warm-up");
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
    api.awaitStatus(runId, "completed");

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
            stack.bootstrapServers(),
            "--set",
            "topic.prefix=" + STACK.prefix(),
            "-o",
            "json");

    // then
    assertThat(sent.code()).as(sent.err()).isZero();
    final JsonNode written = AvroJson.mapper().readTree(sent.out());
    assertThat(written.path("topic").asText()).isEqualTo(stack.topics().hostEvents().name());
    final String runId =
        api.awaitDecision(written.path("event_id").asText()).path("run_id").asText();
    assertThat(api.awaitStatus(runId, "completed").path("final_message").asText())
        .isEqualTo("from a file");
  }

  @Test
  void shouldNameTheSettingToLowerWhenTheDefaultReplicationExceedsTheBrokers() {
    // when the production default (3 replicas) meets the single test broker
    final Cli.Result result =
        Cli.run(
            "topics",
            "create",
            "--bootstrap-servers",
            stack.bootstrapServers(),
            "--set",
            "topic.prefix=" + StackBuilder.prefix("rf"));

    // then
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .contains("cannot create topic ")
        .contains("fewer brokers than topic.replication")
        .contains("--set topic.replication=1");
  }

  @Test
  void shouldCreateEveryTopicOnceWhenTopicsCreateRunsTwice() throws Exception {
    // given
    final String fresh = StackBuilder.prefix("topics");
    final String[] args = {
      "topics",
      "create",
      "--bootstrap-servers",
      stack.bootstrapServers(),
      "--set",
      "topic.prefix=" + fresh,
      "--set",
      "topic.replication=1",
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
            stack.bootstrapServers(),
            "--set",
            "topic.prefix=" + StackBuilder.prefix("demo"));

    // then
    assertThat(demo.code()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out()).contains("demo passed").contains("run.completed");
    assertThat(demo.out().lines().filter(l -> l.startsWith("run_") && l.contains("completed")))
        .hasSizeGreaterThanOrEqualTo(3);
  }
}

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
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
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
    api.posted(eventId, "w-cli");
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

    final Cli.Result fields = Cli.run("runs", "get", runId, "--url", stack.baseUrl());
    final String createdAt =
        fields.out().lines().filter(l -> l.startsWith("created_at ")).findFirst().orElseThrow();
    assertThat(OffsetDateTime.parse(createdAt.substring(10).strip()).toInstant().toEpochMilli())
        .isEqualTo(run.path("created_at").asLong());
  }

  @Test
  void shouldPrintEachRecordInTheChosenFormatWhenFollowingARun() throws Exception {
    // given
    final String runId = api.runOf(api.send("w-cli", "c-follow", "follow me"));
    api.awaitStatus(runId, "completed");

    // when
    final Cli.Result json =
        Cli.run("runs", "follow", runId, "--url", stack.baseUrl(), "-o", "json");
    final Cli.Result yaml =
        Cli.run("runs", "follow", runId, "--url", stack.baseUrl(), "-o", "yaml");
    final Cli.Result text = Cli.run("runs", "follow", runId, "--url", stack.baseUrl());

    // then: one JSON object per line, one YAML document per record, one text line per record
    assertThat(json.code()).as(json.err()).isZero();
    final List<JsonNode> records = json.out().lines().map(TestApi::json).toList();
    assertThat(records).extracting(r -> r.path("type").asText()).contains("run.created");
    assertThat(records.get(records.size() - 1).path("type").asText()).isEqualTo("run.completed");
    assertThat(records).allSatisfy(r -> assertThat(r.path("run_id").asText()).isEqualTo(runId));
    assertThat(yaml.code()).as(yaml.err()).isZero();
    assertThat(yaml.out().split("(?m)^---$", -1)).hasSize(records.size() + 1);
    assertThat(yaml.out()).contains("type: \"run.completed\"");
    assertThat(text.out().lines()).hasSize(records.size());
    assertThat(text.out().lines().toList()).last().asString().contains("run.completed");
  }

  @Test
  void shouldPrintTheApiErrorWhenFollowingAnUnknownRun() {
    // when
    final Cli.Result result = Cli.run("runs", "follow", "run-nope", "--url", stack.baseUrl());

    // then
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("ledger runs follow: following run run-nope failed with HTTP 404 (not_found: ")
        .contains("run 'run-nope' is not known")
        .doesNotContain("{");
  }

  @Test
  void shouldPageTheListingWhenThereAreMoreRunsThanTheLimit() throws Exception {
    // given: two finished runs in one conversation
    for (final String text : List.of("page one", "page two")) {
      api.awaitStatus(api.runOf(api.send("w-cli", "c-pages", text)), "completed");
    }
    final String[] list = {"runs", "list", "-w", "w-cli", "--conversation", "c-pages"};
    Awaitility.await()
        .atMost(TestApi.WAIT)
        .until(() -> listed(list, "--limit", "2").path("items").size() == 2);

    // when
    final JsonNode first = listed(list, "--limit", "1");
    final String cursor = first.path("next_cursor").asText();
    final JsonNode second = listed(list, "--limit", "1", "--cursor", cursor);
    final Cli.Result table = Cli.run(with(list, "--limit", "1", "--url", stack.baseUrl()));

    // then
    assertThat(first.path("items")).hasSize(1);
    assertThat(first.path("next_cursor").isTextual()).as(first.toString()).isTrue();
    assertThat(second.path("items")).hasSize(1);
    assertThat(second.path("items").get(0).path("run_id").asText())
        .isNotEqualTo(first.path("items").get(0).path("run_id").asText());
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out().lines().toList())
        .hasSize(3)
        .last()
        .isEqualTo("more: --cursor " + cursor);
  }

  @Test
  void shouldExitNonZeroNamingTheRunWhenACleanupTombstoneIsNotWritten() {
    // given: a finished run, and a topic prefix with no topics on the broker
    final String runId = api.runOf(api.send("w-cli", "c-cleanup", "clean me"));
    api.awaitStatus(runId, "completed");
    final String[] cleanup = {
      "cleanup", "-w", "w-cli", "--older-than", "0s", "--limit", "1", "--url", stack.baseUrl()
    };
    Awaitility.await()
        .atMost(TestApi.WAIT)
        .until(() -> Cli.run(cleanup).out().contains("would remove "));

    // when
    final Cli.Result result =
        Cli.run(
            with(
                cleanup,
                "--confirm",
                "--bootstrap-servers",
                stack.bootstrapServers(),
                "--set",
                "topic.prefix=" + StackBuilder.prefix("no-topics"),
                "--kafka-timeout",
                "1s"));

    // then
    assertThat(result.code()).as(result.out()).isEqualTo(1);
    assertThat(result.out()).containsPattern("(?m)^not removed \\S+: .*not present in metadata");
    assertThat(result.out()).doesNotContain("run(s) removed");
    assertThat(result.err())
        .startsWith("ledger cleanup: 1 of 1 tombstone(s) not written to ")
        .contains("run-ledger");
  }

  private JsonNode listed(final String[] command, final String... more) {
    final Cli.Result result =
        Cli.run(with(with(command, more), "--url", stack.baseUrl(), "-o", "json"));
    assertThat(result.code()).as(result.err()).isZero();
    return TestApi.json(result.out());
  }

  private static String[] with(final String[] args, final String... more) {
    return Stream.concat(Arrays.stream(args), Arrays.stream(more)).toArray(String[]::new);
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
    api.posted(written.path("event_id").asText(), "w-cli");
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

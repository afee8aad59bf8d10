package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.harness.Cli;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.worker.RunnerWorker;
import dev.runledger.worker.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker registry on a real broker (README "Runners and workers"): a worker's heartbeats put it
 * in {@code GET /v1/workers} and its runners' manifests in {@code GET /v1/runners}, and after it
 * closes it is listed as not live; {@code ledger workers list} and {@code runners list} print the
 * same.
 */
class RegistryEndToEndTest {
  private static final String WORKER = "reg-extra";

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("registry")
          .set(CoreSettings.WORKER_HEARTBEAT.key(), "200")
          .awaitRunner(DevStack.ECHO_RUNNER)
          .build();

  private final TestApi api = STACK.api();

  @Test
  void shouldListAWorkerAndItsRunnersWhileItRunsAndAsNotLiveOnceClosed() throws Exception {
    // given: a second worker hosting the builtin runners
    final RunnerWorker worker =
        new RunnerWorker(
            STACK.config().with(Map.of(WorkerSettings.ID, WORKER, WorkerSettings.SLOTS, "3")),
            STACK.topics());
    try {
      worker.start();

      // then: live with its slots and runs in flight
      final JsonNode listed = awaitWorker(w -> w.path("live").asBoolean());
      assertThat(listed.path("pool").asText()).isEqualTo("default");
      assertThat(listed.path("slots").asInt()).isEqualTo(3);
      assertThat(listed.path("active_runs").asInt()).isZero();
      assertThat(listed.path("free_slots").asInt()).isEqualTo(3);
      assertThat(listed.path("version").asText()).isNotBlank();
      assertThat(Instant.parse(listed.path("started_at").asText()))
          .isBeforeOrEqualTo(Instant.parse(listed.path("last_seen_at").asText()));
      assertThat(listed.path("runner_ids").toString()).contains(DevStack.ECHO_RUNNER);

      // and: its runners name it
      final JsonNode echo = runner(api.get(ApiPaths.RUNNERS), DevStack.ECHO_RUNNER).orElseThrow();
      assertThat(echo.path("label").asText()).isNotBlank();
      assertThat(echo.path("capabilities").isObject()).isTrue();
      assertThat(echo.path("config_schema").isObject()).isTrue();
      assertThat(hostedBy(echo, WORKER))
          .hasValueSatisfying(w -> assertThat(w.asBoolean()).isTrue());

      // and: the commands print them
      final Cli.Result table = Cli.run("workers", "list", "--url", api.url());
      assertThat(table.code()).as(table.err()).isZero();
      assertThat(table.out().lines().findFirst().orElseThrow())
          .startsWith("WORKER")
          .contains("LIVE", "SLOTS", "ACTIVE", "FREE", "LAST_SEEN");
      assertThat(table.out().lines().filter(l -> l.startsWith(WORKER + " ")))
          .singleElement()
          .asString()
          .contains("true")
          .contains(DevStack.ECHO_RUNNER);
      final Cli.Result json = Cli.run("runners", "list", "--url", api.url(), "-o", "json");
      assertThat(json.code()).as(json.err()).isZero();
      final JsonNode printed = TestApi.json(json.out());
      assertThat(printed.isArray()).isTrue();
      assertThat(
              StreamSupport.stream(printed.spliterator(), false)
                  .filter(r -> r.path("runner_id").asText().equals(DevStack.ECHO_RUNNER))
                  .findFirst()
                  .flatMap(r -> hostedBy(r, WORKER)))
          .isPresent();
      final Cli.Result yaml = Cli.run("workers", "list", "--url", api.url(), "-o", "yaml");
      assertThat(yaml.out()).contains("worker_id: \"" + WORKER + "\"");
    } finally {
      worker.close();
    }

    // when closed: still listed, not live
    final JsonNode gone = awaitWorker(w -> !w.path("live").asBoolean());
    assertThat(gone.path("slots").asInt()).isEqualTo(3);
    final Cli.Result runners = Cli.run("runners", "list", "--url", api.url());
    assertThat(runners.out().lines().filter(l -> l.startsWith(DevStack.ECHO_RUNNER + " ")))
        .singleElement()
        .asString()
        .contains(WORKER + " (gone)");
  }

  @Test
  void shouldApplyListAndDeleteBindingsFromAFileWhenUsingTheCommands(@TempDir final Path dir)
      throws Exception {
    // given: two bindings, one naming its workspace, one taking --workspace
    final Path file = dir.resolve("bindings.yaml");
    Files.writeString(
        file,
        """
        - binding_id: reg-one
          scope: {workspace_id: w-reg}
          runner_id: builtin:echo/default
          event_types: [message.*]
        - binding_id: reg-two
          runner_id: builtin:echo/default
          event_types: [message.created]
          priority: 5
        """);

    // when
    final Cli.Result applied = bindings("apply", "-f", file.toString(), "-w", "w-reg");

    // then
    assertThat(applied.code()).as(applied.err()).isZero();
    assertThat(applied.out().lines().skip(1))
        .hasSize(2)
        .allSatisfy(l -> assertThat(l).contains("w-reg", "applied"));
    final Cli.Result listed = bindings("list", "-w", "w-reg", "-o", "json");
    assertThat(listed.code()).as(listed.err()).isZero();
    assertThat(TestApi.json(listed.out()).findValuesAsText("binding_id"))
        .containsExactly("reg-one", "reg-two");
    final Cli.Result table = bindings("list", "-w", "w-reg");
    assertThat(table.out().lines().findFirst().orElseThrow())
        .startsWith("BINDING")
        .contains("RUNNER");
    assertThat(table.out()).contains("reg-two").contains("message.created");

    // when: one is deleted
    final Cli.Result deleted = bindings("delete", "reg-one", "-w", "w-reg", "-o", "json");

    // then
    assertThat(deleted.code()).as(deleted.err()).isZero();
    assertThat(TestApi.json(deleted.out()).path("result").asText()).isEqualTo("deleted");
    assertThat(
            TestApi.json(bindings("list", "-w", "w-reg", "-o", "json").out())
                .findValuesAsText("binding_id"))
        .containsExactly("reg-two");
    final Cli.Result again = bindings("delete", "reg-one", "-w", "w-reg");
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("HTTP 404").contains("not_found");
  }

  @Test
  void shouldReportTheServersCodeAndApplyOnlyTheValidBindingsWhenOneIsInvalid(
      @TempDir final Path dir) throws Exception {
    // given: a valid binding and one with an unknown field
    final Path file = dir.resolve("bindings.json");
    Files.writeString(
        file,
        """
        [{"binding_id": "reg-good", "runner_id": "builtin:echo/default",
          "event_types": ["message.*"]},
         {"binding_id": "reg-bad", "runner_id": "builtin:echo/default",
          "event_types": ["message.*"], "colour": "blue"}]
        """);

    // when
    final Cli.Result result = bindings("apply", "-f", file.toString(), "-w", "w-reg-bad");

    // then: the bad one is reported with the server's code and field, and fails the command
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.out().lines().filter(l -> l.startsWith("reg-bad ")))
        .singleElement()
        .asString()
        .contains("failed", "invalid_argument", "colour");
    assertThat(result.err())
        .contains("1 of 2 bindings were not applied: reg-bad (invalid_argument)");
    assertThat(api.response(ApiPaths.binding("w-reg-bad", "reg-bad")).status()).isEqualTo(404);
    assertThat(api.response(ApiPaths.binding("w-reg-bad", "reg-good")).status()).isEqualTo(200);
  }

  @Test
  void shouldApplyNoneWhenABindingOfTheFileHasNoId(@TempDir final Path dir) throws Exception {
    // given
    final Path file = dir.resolve("bindings.yaml");
    Files.writeString(
        file,
        """
        binding_id: reg-first
        runner_id: builtin:echo/default
        ---
        runner_id: builtin:echo/default
        """);

    // when
    final Cli.Result result = bindings("apply", "-f", file.toString(), "-w", "w-reg-none");

    // then
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err()).contains("binding 2 has no binding_id");
    assertThat(api.response(ApiPaths.binding("w-reg-none", "reg-first")).status()).isEqualTo(404);
  }

  private Cli.Result bindings(final String... args) {
    final String[] all = new String[args.length + 3];
    all[0] = "bindings";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--url";
    all[args.length + 2] = api.url();
    return Cli.run(all);
  }

  /** The extra worker in {@code GET /v1/workers} once it satisfies {@code condition}. */
  private JsonNode awaitWorker(final Predicate<JsonNode> condition) {
    return await()
        .atMost(TestApi.WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                StreamSupport.stream(api.get(ApiPaths.WORKERS).path("workers").spliterator(), false)
                    .filter(w -> w.path("worker_id").asText().equals(WORKER))
                    .findFirst(),
            w -> w.isPresent() && condition.test(w.get()))
        .orElseThrow();
  }

  private static Optional<JsonNode> runner(final JsonNode body, final String runnerId) {
    return StreamSupport.stream(body.path("runners").spliterator(), false)
        .filter(r -> r.path("runner_id").asText().equals(runnerId))
        .findFirst();
  }

  /** The {@code live} of {@code workerId} among the runner's workers, if it is one. */
  private static Optional<JsonNode> hostedBy(final JsonNode runner, final String workerId) {
    return StreamSupport.stream(runner.path("workers").spliterator(), false)
        .filter(w -> w.path("worker_id").asText().equals(workerId))
        .map(w -> w.path("live"))
        .findFirst();
  }
}

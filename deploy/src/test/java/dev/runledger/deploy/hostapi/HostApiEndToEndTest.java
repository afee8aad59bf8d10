package dev.runledger.deploy.hostapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.Artifact;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.harness.TopicWriter;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.builtin.ScenarioRunner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The host API and stdio runners on a real broker: G6 (every method outside the snapshot is refused
 * and audited, the same calls inside it succeed), the example Python runner (history, steering,
 * state), and stdio runners that exit non-zero, print garbage or flood stdout.
 */
class HostApiEndToEndTest {
  private static final String PY = "proc:py-example";
  private static final String FOREIGN_ARTIFACT = "art-foreign";
  private static final String ALLOWED_ARTIFACT = "art-allowed";
  private static final FakeHttpRunner HTTP_RUNNER = FakeHttpRunner.start();

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("hostapi")
          .fixedHttpPort()
          .set(
              "worker.runners.proc.py-example.command",
              "python3 -u " + Path.of("examples/python-runner/runner.py").toAbsolutePath())
          .set("worker.runners.proc.py-example.capabilities", "streaming,steering")
          .set(
              "worker.runners.proc.py-example.permissions",
              "history:page,history:search,state:conversation")
          .set(
              "worker.runners.proc.exit-nonzero.command",
              "python3 -c \"import sys; sys.stdin.readline(); sys.stderr.write('bad thing\\n'); sys.exit(3)\"")
          .set(
              "worker.runners.proc.garbage.command",
              "python3 -c \"import sys; sys.stdin.readline(); print('hello'); print('[1, 2]')\"")
          .set(
              "worker.runners.proc.flood.command",
              "python3 -c \"import sys; sys.stdin.readline(); [sys.stdout.write('x' * 65536) for _ in iter(int, 1)]\"")
          .set("worker.runners.proc.flood.max_line_bytes", "100000")
          .set("worker.runners.http.fake.url", HTTP_RUNNER.url())
          .set("worker.runners.http.fake.permissions", "state:conversation")
          .awaitRunner(ScenarioRunner.RUNNER_ID)
          .awaitRunner(PY)
          .build();

  private final DevStack stack = STACK.stack();
  private final TestApi api = STACK.api();

  @BeforeAll
  static void writeArtifacts() {
    writeArtifact(FOREIGN_ARTIFACT, "someone-else", "ws-deny");
    writeArtifact(ALLOWED_ARTIFACT, "someone-else", "ws-allow");
  }

  @AfterAll
  static void stopHttpRunner() {
    HTTP_RUNNER.close();
  }

  @Test
  void shouldRefuseAndAuditEveryMethodOutsideTheSnapshotAndAllowThemInsideIt() {
    // given a foreign event in another conversation, and two bindings of the scenario runner
    final String foreignEvent = "ev-foreign-" + UUID.randomUUID();
    final String ownEvent = "ev-own-" + UUID.randomUUID();
    api.bind(
        "b-deny",
        Binding.of("ws-deny", ScenarioRunner.RUNNER_ID)
            .resourcePolicy(TestApi.json("{}"))
            .config(script(deniedCalls(foreignEvent), "unauthorized")));
    api.bind(
        "b-allow",
        Binding.of("ws-allow", ScenarioRunner.RUNNER_ID)
            .mode("steer")
            .resourcePolicy(fullPolicy())
            .config(script(allowedCalls(ownEvent), "ok")));
    api.awaitBinding("ws-deny", "probe");
    api.awaitBinding("ws-allow", "probe");
    api.awaitDecision(api.send(foreignEvent, "ws-deny", "elsewhere", "foreign"));

    // when
    final String denyRun =
        api.awaitDecision(api.send("ev-deny-" + UUID.randomUUID(), "ws-deny", "c-deny", "hello"))
            .path("run_id")
            .asText();
    api.post(
        TestApi.attach(
            TestApi.message(ownEvent, "ws-allow", "c-allow", "hello"), ALLOWED_ARTIFACT));
    final String allowRun = api.runOf(ownEvent);

    // then every expectation of both scripts held (a mismatch fails the run scenario.unexpected)
    assertThat(api.awaitRun(denyRun, TestApi::terminal).path("status").asText())
        .as("deny run %s: %s", denyRun, api.events(denyRun))
        .isEqualTo("completed");
    assertThat(api.awaitRun(allowRun, TestApi::terminal).path("status").asText())
        .as("allow run %s: %s", allowRun, api.events(allowRun))
        .isEqualTo("completed");
    final List<JsonNode> denials = api.events(denyRun, "host_api.call");
    assertThat(denials)
        .extracting(e -> e.path("data").path("action").asText())
        .containsExactlyElementsOf(deniedCalls(foreignEvent).keySet());
    assertThat(denials)
        .allSatisfy(
            e -> {
              assertThat(e.path("data").path("outcome").asText()).isEqualTo("denied");
              assertThat(e.path("data").path("error_code").asText()).isEqualTo("unauthorized");
            });
    final List<JsonNode> allowed = api.events(allowRun, "host_api.call");
    assertThat(allowed)
        .extracting(e -> e.path("data").path("action").asText())
        .containsExactlyElementsOf(allowedCalls(ownEvent).keySet());
    assertThat(allowed)
        .allSatisfy(e -> assertThat(e.path("data").path("outcome").asText()).isEqualTo("allowed"));
    assertThat(api.events(allowRun, "state.updated")).hasSize(4);
  }

  @Test
  void shouldCompleteTheExamplePythonRunnerWithHistorySteeringAndState() {
    // given an earlier message in the conversation and the example runner bound in steer mode
    final String conversation = "c-py-" + UUID.randomUUID();
    assertThat(
            api.awaitDecision(api.send("ws-py", conversation, "earlier message"))
                .path("decision")
                .asText())
        .isEqualTo("no_binding");
    api.bind(
        "b-py",
        Binding.of("ws-py", PY)
            .mode("steer")
            .resourcePolicy(
                TestApi.json(
                    "{\"history_scopes\":[\"conversation\"],\"state_scopes\":[\"conversation\"]}"))
            .config(TestApi.json("{\"steering_wait_ms\": 20000}")));
    api.awaitBinding("ws-py", "probe-py");
    await()
        .atMost(TestApi.WAIT)
        .until(
            () -> {
              final JsonNode page =
                  api.find(ApiPaths.transcript("ws-py", conversation) + "?limit=10");
              return page != null && page.path("items").size() > 0;
            });

    // when the run answered its message, a second message is steered into it
    final String runId =
        api.awaitDecision(
                api.send(conversation.replace("c-", "ev-"), "ws-py", conversation, "hello python"))
            .path("run_id")
            .asText();
    await().atMost(TestApi.WAIT).until(() -> !api.events(runId, "message.completed").isEmpty());
    final JsonNode steered = api.awaitDecision(api.send("ws-py", conversation, "steer me"));

    // then
    assertThat(steered.path("decision").asText()).isEqualTo("steered");
    final JsonNode run = api.awaitRun(runId, TestApi::terminal);
    assertThat(run.path("status").asText()).as("%s", api.events(runId)).isEqualTo("completed");
    assertThat(api.events(runId, "message.completed"))
        .extracting(e -> e.path("data").path("message").path("content").asText())
        .containsExactly(
            "Turn 1. I can see 1 earlier message(s), the first was 'earlier message'. You said: hello python",
            "You also said: steer me");
    assertThat(api.events(runId, "steering.injected")).hasSize(1);
    await()
        .atMost(TestApi.WAIT)
        .until(
            () ->
                api.find(ApiPaths.state("ws-py", "conversation", conversation, "example.turns"))
                        != null
                    && api.find(
                            ApiPaths.state(
                                "ws-py", "conversation", conversation, "example.last_input"))
                        != null);
    assertThat(
            api.find(ApiPaths.state("ws-py", "conversation", conversation, "example.turns"))
                .path("value")
                .asInt())
        .isEqualTo(1);
    assertThat(
            api.find(ApiPaths.state("ws-py", "conversation", conversation, "example.last_input"))
                .path("value")
                .asText())
        .isEqualTo("steer me");
  }

  @Test
  void shouldFailMisbehavingStdioRunnersWithTheirCodesAndKeepServingOtherRuns() {
    // given
    final Map<String, String> expected = new LinkedHashMap<>();
    expected.put("exit-nonzero", "runner.exit_nonzero");
    expected.put("garbage", "runner.bad_output");
    expected.put("flood", "runner.output_limit");
    expected.forEach(
        (name, code) ->
            api.bind(
                "b-" + name,
                Binding.of("ws-" + name, "proc:" + name)
                    .resourcePolicy(TestApi.json("{}"))
                    .config(TestApi.json("{}"))));

    // when the first event each binding sees runs its runner
    final Map<String, String> runs = new LinkedHashMap<>();
    expected
        .keySet()
        .forEach(
            name -> runs.put(name, api.awaitBinding("ws-" + name, "c").path("run_id").asText()));

    // then
    expected.forEach(
        (name, code) -> {
          final JsonNode run = api.awaitRun(runs.get(name), TestApi::terminal);
          assertThat(run.path("status").asText()).as(name).isEqualTo("failed");
          assertThat(run.path("error").path("code").asText()).as(name).isEqualTo(code);
        });
    assertThat(
            api.awaitRun(runs.get("exit-nonzero"), TestApi::terminal)
                .path("error")
                .path("message")
                .asText())
        .contains("status 3")
        .contains("bad thing");
    // and the worker still completes other runs
    api.bind(
        "b-after",
        Binding.of("ws-after", DevStack.ECHO_RUNNER)
            .resourcePolicy(TestApi.json("{}"))
            .config(TestApi.json("{}")));
    final String after = api.awaitBinding("ws-after", "c").path("run_id").asText();
    assertThat(api.awaitRun(after, TestApi::terminal).path("status").asText())
        .isEqualTo("completed");
  }

  @Test
  void shouldRunAnHttpRunnerThatCallsTheHostApiWithItsRunToken() {
    // when
    final String runId = httpRun("http", "over http");

    // then
    assertThat(api.awaitRun(runId, TestApi::terminal).path("status").asText())
        .isEqualTo("completed");
    assertThat(api.events(runId, "message.completed"))
        .extracting(e -> e.path("data").path("message").path("content").asText())
        .containsExactly("http says over http (200)");
    assertThat(api.events(runId, "host_api.call"))
        .extracting(e -> e.path("data").path("outcome").asText())
        .containsExactly("allowed");
    await()
        .atMost(TestApi.WAIT)
        .until(
            () ->
                api.find(ApiPaths.state("ws-http", "conversation", "c-http", "http.last")) != null);
  }

  @Test
  void shouldAuditAnHttpRunnersCallWithABadTokenAndMaskTheTokenInWhatItStreams() {
    // when the runner calls once with a wrong token, then with its own, and echoes its token
    final String runId = httpRun("http-bad", FakeHttpRunner.HOSTILE);

    // then the wrong token was refused and audited in the run's ledger
    assertThat(api.awaitRun(runId, TestApi::terminal).path("status").asText())
        .isEqualTo("completed");
    assertThat(api.events(runId, "message.completed"))
        .extracting(e -> e.path("data").path("message").path("content").asText())
        .containsExactly("http says hostile (401, 200)");
    assertThat(api.events(runId, "host_api.call"))
        .extracting(
            e -> e.path("data").path("action").asText(),
            e -> e.path("data").path("resource").asText(null),
            e -> e.path("data").path("outcome").asText(),
            e -> e.path("data").path("error_code").asText(null))
        .containsExactly(
            tuple("state_set", "token", "denied", "unauthorized"),
            tuple("state_set", "http.last", "allowed", null));
    // and the token it streamed back is masked, even split over two deltas
    final String token = HTTP_RUNNER.access(runId).path("token").asText();
    assertThat(
            api.events(runId, "message.delta").stream()
                .map(e -> e.path("data").path("chunk").path("content").asText())
                .reduce("", String::concat))
        .isEqualTo("my token is [REDACTED].");
    assertThat(api.events(runId).toString()).doesNotContain(token);
  }

  @Test
  void shouldAuditAHostApiCallAfterTheAttemptEndedAndCountOneForAnUnknownRun() throws Exception {
    // given an http run that has ended
    final String runId = httpRun("http-late", "late");
    api.awaitRun(runId, TestApi::terminal);
    final JsonNode access = HTTP_RUNNER.access(runId);
    final String call =
        "{\"method\":\"state_get\",\"params\":{\"scope\":\"conversation\",\"key\":\"k\"}}";

    // when the runner calls again with its token, and someone calls for a run nobody knows
    final int late =
        HTTP_RUNNER.callHostApi(access.path("url").asText(), access.path("token").asText(), call);
    final int unknown =
        HTTP_RUNNER.callHostApi(
            access.path("url").asText().replace(runId, "run-nobody-knows"), "x", call);

    // then the late call was refused and audited after the terminal; the run stays completed
    assertThat(late).isIn(401, 403);
    assertThat(unknown).isEqualTo(401);
    await().atMost(TestApi.WAIT).until(() -> api.events(runId, "host_api.call").size() == 2);
    final JsonNode audit = api.events(runId, "host_api.call").get(1);
    assertThat(audit.path("data").path("action").asText()).isEqualTo("state_get");
    assertThat(audit.path("data").path("outcome").asText()).isEqualTo("denied");
    assertThat(audit.path("data").path("error_code").asText()).isEqualTo("unauthorized");
    assertThat(audit.path("seq").asLong())
        .isGreaterThan(api.events(runId, "run.completed").get(0).path("seq").asLong());
    assertThat(api.run(runId).path("status").asText()).isEqualTo("completed");
    // and the unknown run's refusal is counted
    assertThat(api.response("/metrics").body().asText())
        .contains("runledger_worker_host_api_denied_total{reason=\"unknown_run\"}");
  }

  /**
   * A run of the fake http runner on {@code text}, by binding {@code b-<name>} in workspace {@code
   * ws-<name>} (conversation {@code c-<name>}).
   */
  private String httpRun(final String name, final String text) {
    api.bind(
        "b-" + name,
        Binding.of("ws-" + name, "http:fake")
            .resourcePolicy(TestApi.json("{\"state_scopes\":[\"conversation\"]}"))
            .config(TestApi.json("{}")));
    stack.awaitRunner("http:fake", TestApi.WAIT);
    api.awaitBinding("ws-" + name, "probe");
    return api.awaitDecision(
            api.send("ev-" + name + "-" + UUID.randomUUID(), "ws-" + name, "c-" + name, text))
        .path("run_id")
        .asText();
  }

  /** Every host-API method once, with parameters the deny binding's snapshot does not allow. */
  private static Map<String, String> deniedCalls(final String foreignEvent) {
    return calls(foreignEvent, "{\"conversation_id\":\"elsewhere\"}", FOREIGN_ARTIFACT);
  }

  /** The same methods inside the allow binding's snapshot. */
  private static Map<String, String> allowedCalls(final String ownEvent) {
    return calls(ownEvent, "{}", ALLOWED_ARTIFACT);
  }

  /** Every host-API method once: reading {@code eventId}, paging {@code eventPage}, … */
  private static Map<String, String> calls(
      final String eventId, final String eventPage, final String artifact) {
    final Map<String, String> calls = new LinkedHashMap<>();
    calls.put("history_page", "{\"limit\":10}");
    calls.put("history_search", "{\"q\":\"hello\"}");
    calls.put("event_get", "{\"event_id\":\"" + eventId + "\"}");
    calls.put("event_page", eventPage);
    calls.put("steering_pull", "{\"mode\":\"all\"}");
    calls.put("artifact_metadata", "{\"artifact_id\":\"" + artifact + "\"}");
    calls.put("artifact_read_range", "{\"artifact_id\":\"" + artifact + "\",\"length\":5}");
    calls.put("state_set", "{\"scope\":\"conversation\",\"key\":\"k\",\"value\":1}");
    calls.put("state_get", "{\"scope\":\"conversation\",\"key\":\"k\"}");
    calls.put("state_list", "{\"scope\":\"runner\"}");
    calls.put("state_delete", "{\"scope\":\"binding\",\"key\":\"k\"}");
    calls.put("storage_set", "{\"area\":\"plugin\",\"key\":\"k\",\"value\":1}");
    calls.put("storage_get", "{\"area\":\"plugin\",\"key\":\"k\"}");
    calls.put("storage_list", "{\"area\":\"workspace\"}");
    calls.put("storage_delete", "{\"area\":\"plugin\",\"key\":\"k\"}");
    calls.put("invoke_model", "{\"model\":\"m1\",\"messages\":[]}");
    calls.put("call_tool", "{\"tool\":\"t1\",\"parameters\":{}}");
    calls.put("retrieve_knowledge", "{\"knowledge_base\":\"kb1\",\"query\":\"q\"}");
    return calls;
  }

  private static JsonNode script(final Map<String, String> calls, final String expect) {
    final ObjectNode config = AvroJson.mapper().createObjectNode();
    final ArrayNode steps = config.putArray("steps");
    calls.forEach(
        (method, params) -> {
          final ObjectNode step = steps.addObject();
          step.putObject("call").put("method", method).set("params", TestApi.json(params));
          step.put("expect", expect);
        });
    steps.addObject().putObject("complete").put("text", "done");
    return config;
  }

  private static JsonNode fullPolicy() {
    return TestApi.json(
        "{\"models\":[\"m1\"],\"tools\":[\"t1\"],\"knowledge_bases\":[\"kb1\"],"
            + "\"history_scopes\":[\"conversation\"],\"storage_areas\":[\"plugin\",\"workspace\"],"
            + "\"state_scopes\":[\"conversation\",\"runner\",\"binding\"]}");
  }

  private static void writeArtifact(final String id, final String runId, final String workspace) {
    final Artifact artifact =
        Artifact.newBuilder()
            .setArtifactId(id)
            .setRunId(runId)
            .setArtifactType("file")
            .setSizeBytes(11)
            .setContent(ByteBuffer.wrap("hello world".getBytes(StandardCharsets.UTF_8)))
            .setCreatedAt(Instant.now())
            .setWorkspaceId(workspace)
            .build();
    TopicWriter.write(STACK.config(), STACK.topics().artifacts(), id, artifact);
  }
}

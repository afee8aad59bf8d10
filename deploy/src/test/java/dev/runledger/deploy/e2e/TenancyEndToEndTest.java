package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.builtin.ScenarioRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two workspaces that cannot see each other (G6 across tenants) on a real broker: {@code acme} and
 * {@code evil} each have a conversation {@code general} and a binding {@code b1}, and post an event
 * with the same id. Each workspace's transcript, runs, decisions and state hold only its own; a
 * runner in {@code evil} that asks the host API for {@code acme}'s history, event and state gets
 * nothing of {@code acme}'s, and the refused call is audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenancyEndToEndTest {
  private static final String ACME = "acme";
  private static final String EVIL = "evil";
  private static final String CONVERSATION = "general";
  private static final String BINDING = "b1";
  private static final String SECRET = "acme secret plan";

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("tenancy").awaitRunner(ScenarioRunner.RUNNER_ID).build();

  private TestApi api;
  private final String suffix = UUID.randomUUID().toString();
  private final String secretEvent = "ev-secret-" + suffix;
  private final String sharedEvent = "ev-shared-" + suffix;
  private String acmeSecretRun;
  private String acmeSharedRun;
  private String evilRun;

  @BeforeAll
  void twoWorkspacesWithTheSameIds() {
    api = STACK.api();
    api.bind(
        BINDING,
        Binding.of(ACME, ScenarioRunner.RUNNER_ID)
            .resourcePolicy(policy())
            .config(
                script(
                    List.of(
                        call(
                            "state_set",
                            "{\"scope\":\"conversation\",\"key\":\"plan\",\"value\":\""
                                + SECRET
                                + "\"}",
                            "ok")))));
    api.bind(
        BINDING,
        Binding.of(EVIL, ScenarioRunner.RUNNER_ID)
            .resourcePolicy(policy())
            .config(
                script(
                    List.of(
                        call("history_page", "{\"limit\":50}", "ok"),
                        call("history_search", "{\"q\":\"secret\"}", "ok"),
                        call("event_get", "{\"event_id\":\"" + secretEvent + "\"}", "not_found"),
                        call(
                            "state_get",
                            "{\"scope\":\"conversation\",\"scope_id\":\""
                                + CONVERSATION
                                + "\",\"key\":\"plan\"}",
                            "ok")))));
    api.awaitBinding(ACME, "probe");
    api.awaitBinding(EVIL, "probe");

    acmeSecretRun = api.runOf(api.send(secretEvent, ACME, CONVERSATION, SECRET));
    api.awaitStatus(acmeSecretRun, "completed");
    acmeSharedRun = api.runOf(api.send(sharedEvent, ACME, CONVERSATION, "acme again"));
    api.awaitStatus(acmeSharedRun, "completed");
    api.post(TestApi.message(sharedEvent, EVIL, CONVERSATION, "evil hello"));
    evilRun = decision(EVIL, sharedEvent).path("run_id").asText();
    api.awaitRun(evilRun, TestApi::terminal);
  }

  @Test
  void shouldDecideTheSameEventIdOnceInEachWorkspace() {
    // then: two decisions, two runs, neither a duplicate of the other
    final JsonNode acme = decision(ACME, sharedEvent);
    final JsonNode evil = decision(EVIL, sharedEvent);
    assertThat(acme.path("decision").asText()).isEqualTo("run_created");
    assertThat(evil.path("decision").asText()).isEqualTo("run_created");
    assertThat(acme.path("run_id").asText()).isEqualTo(acmeSharedRun).isNotEqualTo(evilRun);
    assertThat(api.run(evilRun).path("workspace_id").asText()).isEqualTo(EVIL);
    assertThat(api.decision(EVIL, secretEvent)).as("acme's event in evil").isNull();
  }

  @Test
  void shouldKeepEachWorkspacesTranscriptRunsAndStateApart() {
    // then
    assertThat(transcript(ACME)).containsExactly(SECRET, "acme again");
    assertThat(await().atMost(TestApi.WAIT).until(() -> transcript(EVIL), t -> !t.isEmpty()))
        .containsExactly("evil hello");
    assertThat(runs(ACME)).contains(acmeSecretRun, acmeSharedRun).doesNotContain(evilRun);
    assertThat(runs(EVIL)).contains(evilRun).doesNotContain(acmeSecretRun, acmeSharedRun);
    final JsonNode plan =
        await()
            .atMost(TestApi.WAIT)
            .until(
                () -> api.find(ApiPaths.state(ACME, "conversation", CONVERSATION, "plan")),
                s -> s != null);
    assertThat(plan.path("value").asText()).isEqualTo(SECRET);
    assertThat(api.response(ApiPaths.state(EVIL, "conversation", CONVERSATION, "plan")).status())
        .isEqualTo(404);
  }

  @Test
  void shouldGiveARunnerOfTheOtherWorkspaceNothingOfAcmesAndAuditTheRefusal() {
    // then every expectation of evil's script held
    assertThat(api.run(evilRun).path("status").asText())
        .as("evil run %s: %s", evilRun, api.events(evilRun))
        .isEqualTo("completed");
    final Map<String, JsonNode> answers =
        api.events(evilRun, "action.requested").stream()
            .map(TenancyEndToEndTest::payload)
            .collect(Collectors.toMap(p -> p.path("method").asText(), p -> p));
    assertThat(answers.get("history_page").toString()).doesNotContain(SECRET, "acme again");
    assertThat(answers.get("history_page").toString()).contains("evil hello");
    assertThat(answers.get("history_search").toString()).doesNotContain(SECRET);
    assertThat(answers.get("event_get").path("outcome").asText()).isEqualTo("not_found");
    assertThat(answers.get("state_get").path("result").path("found").asBoolean()).isFalse();
    assertThat(answers.get("state_get").toString()).doesNotContain(SECRET);
    final List<JsonNode> audits = api.events(evilRun, "host_api.call");
    assertThat(audits)
        .filteredOn(a -> "event_get".equals(a.path("data").path("action").asText()))
        .singleElement()
        .satisfies(
            a -> assertThat(a.path("data").path("outcome").asText()).isNotEqualTo("allowed"));
  }

  private JsonNode decision(final String workspace, final String eventId) {
    return await()
        .atMost(TestApi.WAIT)
        .until(() -> api.decision(workspace, eventId), d -> d != null);
  }

  private List<String> transcript(final String workspace) {
    final List<String> texts = new ArrayList<>();
    api.get(ApiPaths.transcript(workspace, CONVERSATION) + "?limit=1000")
        .path("items")
        .forEach(
            i -> {
              if ("user".equals(i.path("role").asText())
                  && !i.path("content").asText().startsWith("probe")) {
                texts.add(i.path("content").asText());
              }
            });
    return texts;
  }

  private List<String> runs(final String workspace) {
    final List<String> ids = new ArrayList<>();
    api.get(ApiPaths.runs(workspace) + "?limit=1000")
        .path("items")
        .forEach(r -> ids.add(r.path("run_id").asText()));
    return ids;
  }

  /** The payload of a scenario {@code call} step's record. */
  private static JsonNode payload(final JsonNode record) {
    final JsonNode data = record.path("data");
    final JsonNode payload = data.path("payload_json");
    return payload.isTextual() ? TestApi.json(payload.asText()) : data.path("payload");
  }

  private static ObjectNode call(final String method, final String params, final String expect) {
    final ObjectNode step = AvroJson.mapper().createObjectNode();
    step.putObject("call").put("method", method).set("params", TestApi.json(params));
    step.put("expect", expect);
    return step;
  }

  private static JsonNode script(final List<ObjectNode> calls) {
    final ObjectNode config = AvroJson.mapper().createObjectNode();
    final ArrayNode steps = config.putArray("steps");
    calls.forEach(steps::add);
    steps.addObject().putObject("complete").put("text", "done");
    return config;
  }

  private static JsonNode policy() {
    return TestApi.json(
        "{\"history_scopes\":[\"conversation\"],\"state_scopes\":[\"conversation\"]}");
  }
}

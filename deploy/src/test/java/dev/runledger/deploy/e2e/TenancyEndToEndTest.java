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
import dev.runledger.deploy.http.HttpServerSettings;
import dev.runledger.deploy.http.TokenFile;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.builtin.ScenarioRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * with the same id, each with an admin token of its own workspace. Each token sees only its
 * workspace's transcript, runs, decisions and state (the other's are 403, a run of the other 404);
 * a runner in {@code evil} that asks the host API for {@code acme}'s history, event and state gets
 * nothing of {@code acme}'s, and the refused call is audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenancyEndToEndTest {
  private static final String ACME = "acme";
  private static final String EVIL = "evil";
  private static final String CONVERSATION = "general";
  private static final String BINDING = "b1";
  private static final String SECRET = "acme secret plan";

  private static final String ACME_TOKEN = TokenFile.newToken();
  private static final String EVIL_TOKEN = TokenFile.newToken();

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("tenancy")
          .set(HttpServerSettings.TOKENS_FILE.key(), tokensFile().toString())
          .awaitRunner(ScenarioRunner.RUNNER_ID)
          .build();

  /** acme's own client (its token); {@link #evil} is evil's. */
  private TestApi api;

  private TestApi evil;
  private final String suffix = UUID.randomUUID().toString();
  private final String secretEvent = "ev-secret-" + suffix;
  private final String sharedEvent = "ev-shared-" + suffix;
  private String acmeSecretRun;
  private String acmeSharedRun;
  private String evilRun;

  @BeforeAll
  void twoWorkspacesWithTheSameIds() {
    api = STACK.api().as(ACME_TOKEN);
    evil = STACK.api().as(EVIL_TOKEN);
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
    evil.bind(
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
    evil.awaitBinding(EVIL, "probe");

    acmeSecretRun = api.runOf(api.send(secretEvent, ACME, CONVERSATION, SECRET));
    api.awaitStatus(acmeSecretRun, "completed");
    acmeSharedRun = api.runOf(api.send(sharedEvent, ACME, CONVERSATION, "acme again"));
    api.awaitStatus(acmeSharedRun, "completed");
    // evil's conversation already holds a message its runner's history must show
    evil.send(EVIL, CONVERSATION, "evil earlier");
    await()
        .atMost(TestApi.WAIT)
        .until(() -> transcript(evil, EVIL), t -> t.contains("evil earlier"));
    evil.post(TestApi.message(sharedEvent, EVIL, CONVERSATION, "evil hello"));
    evilRun = decision(evil, EVIL, sharedEvent).path("run_id").asText();
    evil.awaitRun(evilRun, TestApi::terminal);
  }

  @Test
  void shouldDecideTheSameEventIdOnceInEachWorkspace() {
    // then: two decisions, two runs, neither a duplicate of the other
    final JsonNode inAcme = decision(api, ACME, sharedEvent);
    final JsonNode inEvil = decision(evil, EVIL, sharedEvent);
    assertThat(inAcme.path("decision").asText()).isEqualTo("run_created");
    assertThat(inEvil.path("decision").asText()).isEqualTo("run_created");
    assertThat(inAcme.path("run_id").asText()).isEqualTo(acmeSharedRun).isNotEqualTo(evilRun);
    assertThat(evil.run(evilRun).path("workspace_id").asText()).isEqualTo(EVIL);
    assertThat(evil.response(ApiPaths.decision(EVIL, secretEvent)).status())
        .as("acme's event id in evil")
        .isEqualTo(404);
  }

  @Test
  void shouldRefuseEachTokenTheOtherWorkspace() {
    // then evil's token reads nothing of acme's: workspace paths 403, acme's runs by id 404
    for (final String path :
        List.of(
            ApiPaths.transcript(ACME, CONVERSATION),
            ApiPaths.runs(ACME),
            ApiPaths.decision(ACME, secretEvent),
            ApiPaths.state(ACME, "conversation", CONVERSATION, "plan"),
            ApiPaths.bindings(ACME))) {
      assertThat(evil.response(path).status()).as(path).isEqualTo(403);
    }
    for (final String path :
        List.of(
            ApiPaths.run(acmeSecretRun),
            ApiPaths.runEvents(acmeSecretRun),
            ApiPaths.runStream(acmeSecretRun))) {
      assertThat(evil.response(path).status()).as(path).isEqualTo(404);
    }
    assertThat(api.response(ApiPaths.run(evilRun)).status()).isEqualTo(404);
    assertThat(evil.post(ApiPaths.runCancel(acmeSecretRun), TestApi.json("{}")).status())
        .isEqualTo(404);
    assertThat(
            evil.post(ApiPaths.EVENTS, TestApi.message("ev-x-" + suffix, ACME, CONVERSATION, "x"))
                .status())
        .isEqualTo(403);
  }

  @Test
  void shouldKeepEachWorkspacesTranscriptRunsAndStateApart() {
    // then
    assertThat(transcript(api, ACME)).containsExactly(SECRET, "acme again");
    assertThat(await().atMost(TestApi.WAIT).until(() -> transcript(evil, EVIL), t -> t.size() == 2))
        .containsExactly("evil earlier", "evil hello");
    assertThat(runs(api, ACME)).contains(acmeSecretRun, acmeSharedRun).doesNotContain(evilRun);
    assertThat(runs(evil, EVIL)).contains(evilRun).doesNotContain(acmeSecretRun, acmeSharedRun);
    final JsonNode plan =
        await()
            .atMost(TestApi.WAIT)
            .until(
                () -> api.find(ApiPaths.state(ACME, "conversation", CONVERSATION, "plan")),
                s -> s != null);
    assertThat(plan.path("value").asText()).isEqualTo(SECRET);
    assertThat(evil.response(ApiPaths.state(EVIL, "conversation", CONVERSATION, "plan")).status())
        .isEqualTo(404);
  }

  @Test
  void shouldGiveARunnerOfTheOtherWorkspaceNothingOfAcmesAndAuditTheRefusal() {
    // then every expectation of evil's script held
    assertThat(evil.run(evilRun).path("status").asText())
        .as("evil run %s: %s", evilRun, evil.events(evilRun))
        .isEqualTo("completed");
    final Map<String, JsonNode> answers =
        evil.events(evilRun, "action.requested").stream()
            .map(TenancyEndToEndTest::payload)
            .collect(Collectors.toMap(p -> p.path("method").asText(), p -> p));
    assertThat(answers.get("history_page").toString()).doesNotContain(SECRET, "acme again");
    assertThat(answers.get("history_page").toString()).contains("evil earlier");
    assertThat(answers.get("history_search").toString()).doesNotContain(SECRET);
    assertThat(answers.get("event_get").path("outcome").asText()).isEqualTo("not_found");
    assertThat(answers.get("state_get").path("result").path("found").asBoolean()).isFalse();
    assertThat(answers.get("state_get").toString()).doesNotContain(SECRET);
    final List<JsonNode> audits = evil.events(evilRun, "host_api.call");
    assertThat(audits)
        .filteredOn(a -> "event_get".equals(a.path("data").path("action").asText()))
        .singleElement()
        .satisfies(
            a -> assertThat(a.path("data").path("outcome").asText()).isNotEqualTo("allowed"));
  }

  private static JsonNode decision(
      final TestApi client, final String workspace, final String eventId) {
    return await()
        .atMost(TestApi.WAIT)
        .until(() -> client.decision(workspace, eventId), d -> d != null);
  }

  private static List<String> transcript(final TestApi client, final String workspace) {
    final List<String> texts = new ArrayList<>();
    client
        .get(ApiPaths.transcript(workspace, CONVERSATION) + "?limit=1000")
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

  private static List<String> runs(final TestApi client, final String workspace) {
    final List<String> ids = new ArrayList<>();
    client
        .get(ApiPaths.runs(workspace) + "?limit=1000")
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

  private static Path tokensFile() {
    try {
      final Path file = Files.createTempFile("runledger-tenancy-tokens", ".yaml");
      Files.delete(file);
      file.toFile().deleteOnExit();
      TokenFile.append(
          file,
          new TokenFile.Entry(
              "acme-admin", TokenFile.sha256(ACME_TOKEN), Caller.Role.ADMIN, List.of(ACME)));
      TokenFile.append(
          file,
          new TokenFile.Entry(
              "evil-admin", TokenFile.sha256(EVIL_TOKEN), Caller.Role.ADMIN, List.of(EVIL)));
      return file;
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode policy() {
    return TestApi.json(
        "{\"history_scopes\":[\"conversation\"],\"state_scopes\":[\"conversation\"]}");
  }
}

package dev.runledger.worker.hostapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.Actor;
import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.ApiOutcome;
import dev.runledger.avro.Artifact;
import dev.runledger.avro.ArtifactPermission;
import dev.runledger.avro.ArtifactRef;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.AvailableApis;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.EventPermission;
import dev.runledger.avro.HistoryPermission;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.KnowledgePermission;
import dev.runledger.avro.ModelPermission;
import dev.runledger.avro.Permissions;
import dev.runledger.avro.StatePermission;
import dev.runledger.avro.StateUpdated;
import dev.runledger.avro.SteeringItem;
import dev.runledger.avro.StoragePermission;
import dev.runledger.avro.ToolPermission;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.Fixtures;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.HostApi;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostApiServiceTest {
  private static final Instant DEADLINE = Fixtures.NOW.plusSeconds(60);
  private static final String RUN = "run-1";

  private final FakeViews views = new FakeViews();
  private final Map<String, Artifact> artifacts = new java.util.HashMap<>();
  private Clock clock = Clock.fixed(Fixtures.NOW, ZoneOffset.UTC);
  private Providers providers = Providers.none();

  @BeforeEach
  void givenAConversation() {
    views.say("c1", "user", "hello there", "ev-0");
    views.say("c1", "assistant", "hi", null);
  }

  /** Every method once, with parameters that are inside a full snapshot. */
  static final Map<String, String> CALLS =
      Map.ofEntries(
          Map.entry("history_page", "{\"limit\":10}"),
          Map.entry("history_search", "{\"q\":\"hello\",\"top_k\":3}"),
          Map.entry("event_get", "{\"event_id\":\"ev-run-1\"}"),
          Map.entry("event_page", "{\"limit\":10}"),
          Map.entry("steering_pull", "{\"mode\":\"all\"}"),
          Map.entry("artifact_metadata", "{\"artifact_id\":\"a1\"}"),
          Map.entry("artifact_read_range", "{\"artifact_id\":\"a1\",\"offset\":1,\"length\":3}"),
          Map.entry("state_get", "{\"scope\":\"conversation\",\"key\":\"k\"}"),
          Map.entry("state_set", "{\"scope\":\"conversation\",\"key\":\"k\",\"value\":{\"n\":1}}"),
          Map.entry("state_delete", "{\"scope\":\"conversation\",\"key\":\"k\"}"),
          Map.entry("state_list", "{\"scope\":\"conversation\"}"),
          Map.entry("storage_get", "{\"area\":\"plugin\",\"key\":\"k\"}"),
          Map.entry("storage_set", "{\"area\":\"plugin\",\"key\":\"k\",\"value\":\"v\"}"),
          Map.entry("storage_delete", "{\"area\":\"plugin\",\"key\":\"k\"}"),
          Map.entry("storage_list", "{\"area\":\"plugin\"}"),
          Map.entry("invoke_model", "{\"model\":\"m1\",\"messages\":[]}"),
          Map.entry("call_tool", "{\"tool\":\"t1\",\"parameters\":{}}"),
          Map.entry("retrieve_knowledge", "{\"knowledge_base\":\"kb1\",\"query\":\"q\"}"));

  @Test
  void shouldAllowEveryMethodWhenTheSnapshotGrantsIt() {
    // given
    providers = echoProviders();
    artifacts.put("a1", artifact("a1", "other-run"));
    final FakeRunAccess run = run(fullSnapshot(), withAttachment("a1"));
    final HostApi api = service().forRun(run);

    // when
    for (final Map.Entry<String, String> call : CALLS.entrySet()) {
      api.call(call.getKey(), json(call.getValue()));
    }

    // then
    assertThat(run.audits).hasSize(CALLS.size());
    assertThat(run.audits)
        .allSatisfy(a -> assertThat(a.getOutcome()).isEqualTo(ApiOutcome.ALLOWED));
    assertThat(run.audits)
        .extracting(HostApiCall::getAction)
        .containsExactlyInAnyOrderElementsOf(CALLS.keySet());
  }

  @Test
  void shouldAnswerNotFoundAndAuditWhenTheInputRefersToAnotherWorkspacesArtifact() {
    // given an artifact of another workspace that the run's input refers to
    providers = echoProviders();
    artifacts.put(
        "a1", Artifact.newBuilder(artifact("a1", "other-run")).setWorkspaceId("acme").build());
    final FakeRunAccess run = run(fullSnapshot(), withAttachment("a1"));
    final HostApi api = service().forRun(run);

    // when / then: it reads as not stored, and the refusal is audited
    for (final String method : List.of("artifact_metadata", "artifact_read_range")) {
      assertThatThrownBy(() -> api.call(method, json("{\"artifact_id\":\"a1\"}")))
          .as(method)
          .isInstanceOfSatisfying(
              AgentApiException.class,
              e -> assertThat(e.code()).isEqualTo(AgentApiException.NOT_FOUND));
    }
    assertThat(run.audits)
        .extracting(HostApiCall::getOutcome)
        .containsExactly(ApiOutcome.DENIED, ApiOutcome.DENIED);
  }

  @Test
  void shouldRefuseEveryMethodAsUnauthorizedWhenTheSnapshotGrantsNothing() {
    // given
    providers = echoProviders();
    artifacts.put("a1", artifact("a1", "other-run"));
    final FakeRunAccess run = run(emptySnapshot(), withAttachment("a1"));
    final HostApi api = service().forRun(run);

    // when / then
    for (final Map.Entry<String, String> call : CALLS.entrySet()) {
      assertThatThrownBy(() -> api.call(call.getKey(), json(call.getValue())))
          .as(call.getKey())
          .isInstanceOfSatisfying(
              AgentApiException.class,
              e -> assertThat(e.code()).isEqualTo(AgentApiException.UNAUTHORIZED));
    }
    assertThat(run.audits).hasSize(CALLS.size());
    assertThat(run.audits)
        .allSatisfy(
            a -> {
              assertThat(a.getOutcome()).isEqualTo(ApiOutcome.DENIED);
              assertThat(a.getErrorCode()).isEqualTo("unauthorized");
            });
    assertThat(run.emitted).isEmpty();
    assertThat(views.requests).isEmpty();
  }

  @Test
  void shouldRefuseModelCallsWhenNotAuthorizedEvenWithoutAProvider() {
    final FakeRunAccess run = run(emptySnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api = service().forRun(run);

    assertThat(code(api, "invoke_model", "{\"model\":\"m1\"}")).isEqualTo("unauthorized");
    assertThat(code(api, "call_tool", "{\"tool\":\"t1\"}")).isEqualTo("unauthorized");
    assertThat(code(api, "retrieve_knowledge", "{\"knowledge_base\":\"kb1\"}"))
        .isEqualTo("unauthorized");
  }

  @Test
  void shouldFailAuthorizedModelCallsAsRuntimeErrorWhenNoProviderIsConfigured() {
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api = service().forRun(run);

    assertThatThrownBy(() -> api.call("invoke_model", json("{\"model\":\"m1\"}")))
        .isInstanceOfSatisfying(
            AgentApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo("runtime_error");
              assertThat(e.getMessage()).startsWith("provider.missing");
            });
    assertThat(run.audits.get(0).getOutcome()).isEqualTo(ApiOutcome.FAILED);
  }

  @Test
  void shouldRefuseResourcesOutsideTheSnapshotWhenTheApiIsAvailable() {
    providers = echoProviders();
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api = service().forRun(run);

    assertThat(code(api, "history_page", "{\"conversation_id\":\"c2\"}")).isEqualTo("unauthorized");
    assertThat(code(api, "history_page", "{\"scope\":\"workspace\"}")).isEqualTo("unauthorized");
    assertThat(code(api, "state_get", "{\"scope\":\"subject\",\"key\":\"k\"}"))
        .isEqualTo("unauthorized");
    assertThat(
            code(
                api, "state_get", "{\"scope\":\"conversation\",\"scope_id\":\"c2\",\"key\":\"k\"}"))
        .isEqualTo("unauthorized");
    assertThat(code(api, "storage_set", "{\"area\":\"workspace\",\"key\":\"k\",\"value\":1}"))
        .isEqualTo("unauthorized");
    assertThat(code(api, "invoke_model", "{\"model\":\"m2\"}")).isEqualTo("unauthorized");
    assertThat(code(api, "call_tool", "{\"tool\":\"t2\"}")).isEqualTo("unauthorized");
    assertThat(code(api, "retrieve_knowledge", "{\"knowledge_base\":\"kb2\"}"))
        .isEqualTo("unauthorized");
    assertThat(code(api, "artifact_metadata", "{\"artifact_id\":\"foreign\"}"))
        .isEqualTo("unauthorized");
    assertThat(run.audits)
        .hasSize(9)
        .allSatisfy(a -> assertThat(a.getOutcome()).isEqualTo(ApiOutcome.DENIED));
    assertThat(run.audits.get(2).getScope()).isEqualTo("subject");
  }

  @Test
  void shouldRefuseEveryCallWhenTheAttemptIsNoLongerActive() {
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api = service().forRun(run);
    run.active = false;

    assertThat(code(api, "history_page", "{}")).isEqualTo("unauthorized");
    assertThat(run.audits)
        .singleElement()
        .satisfies(a -> assertThat(a.getOutcome()).isEqualTo(ApiOutcome.DENIED));
  }

  @Test
  void shouldAuditACallTheEndpointRefusedAsDeniedWhetherOrNotTheAttemptIsActive() {
    // given
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api = service().forRun(run);

    // when a bad token while it runs, then a late call once it ended
    api.refused("history_page", "token");
    run.active = false;
    api.refused("state_get", null);

    // then
    assertThat(run.audits)
        .extracting(HostApiCall::getAction, HostApiCall::getResource, HostApiCall::getOutcome)
        .containsExactly(
            Tuple.tuple("history_page", "token", ApiOutcome.DENIED),
            Tuple.tuple("state_get", null, ApiOutcome.DENIED));
    assertThat(run.audits)
        .extracting(HostApiCall::getErrorCode)
        .containsOnly(AgentApiException.UNAUTHORIZED);
  }

  @Test
  void shouldCutAVeryLongMethodNameInItsAudit() {
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));

    assertThat(code(service().forRun(run), "m".repeat(100_000), "{}")).isEqualTo("not_found");
    assertThat(run.audits.get(0).getAction()).hasSize(200);
  }

  @Test
  void shouldRefuseCallsWhenTheSnapshotIsOfAnotherRun() {
    final FakeRunAccess run =
        run(
            AuthorizationSnapshot.newBuilder(fullSnapshot()).setRunId("other").build(),
            Fixtures.context(RUN, "hi", "{}", DEADLINE));
    assertThat(code(service().forRun(run), "state_list", "{\"scope\":\"runner\"}"))
        .isEqualTo("unauthorized");
  }

  @Test
  void shouldAnswerDeadlineExceededWhenTheDeadlineHasPassed() {
    clock = Clock.fixed(DEADLINE.plusMillis(1), ZoneOffset.UTC);
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    assertThat(code(service().forRun(run), "history_page", "{}")).isEqualTo("deadline_exceeded");
    assertThat(run.audits.get(0).getErrorCode()).isEqualTo("deadline_exceeded");
  }

  @Test
  void shouldAnswerNotFoundForAnUnknownMethodAndInvalidArgumentForBadParams() {
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api = service().forRun(run);

    assertThat(code(api, "drop_tables", "{}")).isEqualTo("not_found");
    assertThat(code(api, "history_page", "[1]")).isEqualTo("invalid_argument");
    assertThat(code(api, "history_page", "{\"limit\":\"many\"}")).isEqualTo("invalid_argument");
    assertThat(code(api, "history_page", "{\"limit\":100000}")).isEqualTo("invalid_argument");
    assertThat(code(api, "history_search", "{}")).isEqualTo("invalid_argument");
    assertThat(code(api, "state_set", "{\"scope\":\"conversation\",\"key\":\"k\"}"))
        .isEqualTo("invalid_argument");
    assertThat(code(api, "state_get", "{\"scope\":\"conversation\",\"key\":\"a\\u0001b\"}"))
        .isEqualTo("invalid_argument");
    assertThat(code(api, "steering_pull", "{\"mode\":\"some\"}")).isEqualTo("invalid_argument");
    assertThat(run.audits)
        .hasSize(8)
        .allSatisfy(a -> assertThat(a.getOutcome()).isEqualTo(ApiOutcome.FAILED));
  }

  @Test
  void shouldRejectStateValuesOverTheLimitAsPayloadTooLarge() {
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api = service().forRun(run);
    final String big = "x".repeat(65_536);

    assertThat(
            code(
                api,
                "state_set",
                "{\"scope\":\"conversation\",\"key\":\"k\",\"value\":\"" + big + "\"}"))
        .isEqualTo("payload_too_large");
    assertThat(run.emitted).isEmpty();
    // 65534 characters + 2 quotes is exactly the limit
    api.call(
        "state_set",
        json("{\"scope\":\"conversation\",\"key\":\"k\",\"value\":\"" + big.substring(2) + "\"}"));
    assertThat(run.emitted).hasSize(1);
  }

  @Test
  void shouldRejectArtifactReadsOverOneMebibyteAsPayloadTooLarge() {
    artifacts.put("a1", artifact("a1", RUN));
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    assertThat(
            code(
                service().forRun(run),
                "artifact_read_range",
                "{\"artifact_id\":\"a1\",\"length\":1048577}"))
        .isEqualTo("payload_too_large");
  }

  @Test
  void shouldWriteStateAsStateUpdatedResultsAndReadItBackBeforeTheViewHasIt() {
    // given
    views.putState("conversation", "c1", "old", "\"from-view\"");
    views.putState("conversation", "c1", "gone", "1");
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api = service().forRun(run);

    // when
    api.call(
        "state_set", json("{\"scope\":\"conversation\",\"key\":\"counter\",\"value\":{\"n\":2}}"));
    api.call("state_delete", json("{\"scope\":\"conversation\",\"key\":\"gone\"}"));
    final JsonNode got =
        api.call("state_get", json("{\"scope\":\"conversation\",\"key\":\"counter\"}"));
    final JsonNode old =
        api.call("state_get", json("{\"scope\":\"conversation\",\"key\":\"old\"}"));
    final JsonNode list = api.call("state_list", json("{\"scope\":\"conversation\"}"));
    final JsonNode again =
        service().forRun(run).call("state_get", json("{\"scope\":\"conversation\",\"key\":\"x\"}"));

    // then
    assertThat(run.emitted)
        .extracting(r -> r.getType())
        .containsExactly("state.updated", "state.updated");
    final StateUpdated set = (StateUpdated) run.emitted.get(0).getPayload();
    assertThat(set.getScope()).isEqualTo("conversation");
    assertThat(set.getScopeId()).isEqualTo("c1");
    assertThat(set.getValueJson()).isEqualTo("{\"n\":2}");
    assertThat(((StateUpdated) run.emitted.get(1).getPayload()).getValueJson()).isNull();
    assertThat(got.path("found").asBoolean()).isTrue();
    assertThat(got.path("value").path("n").asInt()).isEqualTo(2);
    assertThat(old.path("value").asText()).isEqualTo("from-view");
    assertThat(list.path("items"))
        .extracting(i -> i.path("key").asText())
        .containsExactly("counter", "old");
    assertThat(again.path("found").asBoolean()).isFalse();
  }

  @Test
  void shouldUseTheC3ScopeIdsForEveryStateScopeAndStorageArea() {
    final AgentRunContext context =
        AgentRunContext.newBuilder(Fixtures.context(RUN, "hi", "{}", DEADLINE))
            .setActor(Actor.newBuilder().setActorType("user").setActorId("u7").build())
            .build();
    final FakeRunAccess run = run(fullSnapshot(), context);
    final HostApi api = service().forRun(run);

    for (final String scope : List.of("conversation", "actor", "runner", "binding")) {
      api.call("state_set", json("{\"scope\":\"" + scope + "\",\"key\":\"k\",\"value\":true}"));
    }
    api.call("storage_set", json("{\"area\":\"plugin\",\"key\":\"k\",\"value\":true}"));

    assertThat(run.emitted)
        .extracting(
            r ->
                ((StateUpdated) r.getPayload()).getScope()
                    + "/"
                    + ((StateUpdated) r.getPayload()).getScopeId())
        .containsExactly(
            "conversation/c1",
            "actor/u7",
            "runner/proc:test",
            "binding/b1",
            "storage.plugin/proc:test");
    assertThat(code(api, "state_get", "{\"scope\":\"subject\",\"key\":\"k\"}"))
        .isEqualTo("unauthorized");
  }

  @Test
  void shouldServeHistoryFromTheTranscriptView() {
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api = service().forRun(run);

    final JsonNode page = api.call("history_page", json("{\"limit\":50}"));
    final JsonNode found = api.call("history_search", json("{\"q\":\"hello\"}"));
    final JsonNode events = api.call("event_page", json("{}"));

    assertThat(page.path("items"))
        .extracting(i -> i.path("content").asText())
        .containsExactly("hello there", "hi");
    assertThat(found.path("items")).hasSize(1);
    assertThat(events.path("items"))
        .extracting(i -> i.path("event_id").asText())
        .containsExactly("ev-0");
    assertThat(run.audits.get(0).getScope()).isEqualTo("c1");
  }

  @Test
  void shouldPullSteeringAndReturnPulledItemsFromEventGet() {
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    run.queue.add(steering("ev-s1", "first"));
    run.queue.add(steering("ev-s2", "second"));
    final HostApi api = service().forRun(run);

    final JsonNode one = api.call("steering_pull", json("{\"mode\":\"one\"}"));
    final JsonNode rest = api.call("steering_pull", json("{}"));
    final JsonNode event = api.call("event_get", json("{\"event_id\":\"ev-s1\"}"));
    final JsonNode own = api.call("event_get", json("{\"event_id\":\"ev-run-1\"}"));

    assertThat(one.path("items"))
        .extracting(i -> i.path("input").path("text").asText())
        .containsExactly("first");
    assertThat(rest.path("items"))
        .extracting(i -> i.path("input").path("text").asText())
        .containsExactly("second");
    assertThat(event.path("steering_item").path("source_event_id").asText()).isEqualTo("ev-s1");
    assertThat(own.path("input").path("text").asText()).isEqualTo("hi");
  }

  @Test
  void shouldGetOtherEventsOnlyInsideTheRunsConversation() {
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    views.decide(FakeViews.WS, "ev-in", "r-in");
    views.putRun(FakeViews.WS, "r-in", "c1");
    views.decide(FakeViews.WS, "ev-out", "r-out");
    views.putRun(FakeViews.WS, "r-out", "c9");
    final HostApi api = service().forRun(run);

    assertThat(
            api.call("event_get", json("{\"event_id\":\"ev-in\"}"))
                .path("conversation_id")
                .asText())
        .isEqualTo("c1");
    assertThat(code(api, "event_get", "{\"event_id\":\"ev-out\"}")).isEqualTo("unauthorized");
    assertThat(code(api, "event_get", "{\"event_id\":\"ev-none\"}")).isEqualTo("not_found");
  }

  @Test
  void shouldReadArtifactRangesAsBase64() {
    artifacts.put("a1", artifact("a1", RUN));
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api = service().forRun(run);

    final JsonNode meta = api.call("artifact_metadata", json("{\"artifact_id\":\"a1\"}"));
    final JsonNode range =
        api.call(
            "artifact_read_range", json("{\"artifact_id\":\"a1\",\"offset\":6,\"length\":100}"));

    assertThat(meta.path("size_bytes").asLong()).isEqualTo(11);
    assertThat(meta.has("content")).isFalse();
    assertThat(
            new String(
                java.util.Base64.getDecoder().decode(range.path("content_base64").asText()),
                StandardCharsets.UTF_8))
        .isEqualTo("world");
    assertThat(range.path("eof").asBoolean()).isTrue();
  }

  @Test
  void shouldAnswerRateLimitedWhenAnAttemptMakesTooManyCalls() {
    final HostApiSettings settings =
        HostApiSettings.from(
            dev.runledger.schemas.config.LedgerConfig.of(Map.of(HostApiSettings.MAX_CALLS, "2")));
    final FakeRunAccess run = run(fullSnapshot(), Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api =
        new HostApiService(settings, views, id -> Optional.empty(), providers, clock).forRun(run);

    assertThat(code(api, "state_list", "{\"scope\":\"runner\"}")).isEqualTo("allowed");
    assertThat(code(api, "state_list", "{\"scope\":\"runner\"}")).isEqualTo("allowed");
    assertThat(code(api, "state_list", "{\"scope\":\"runner\"}")).isEqualTo("rate_limited");
  }

  @Test
  void shouldRefuseHistoryWhenOnlyTheThreadScopeIsGranted() {
    final AuthorizationSnapshot threadOnly =
        AuthorizationSnapshot.newBuilder(fullSnapshot())
            .setHistoryScopes(List.of("thread"))
            .build();
    final FakeRunAccess run = run(threadOnly, Fixtures.context(RUN, "hi", "{}", DEADLINE));
    final HostApi api = service().forRun(run);

    assertThat(code(api, "history_page", "{}")).isEqualTo("unauthorized");
    assertThat(code(api, "history_search", "{\"q\":\"x\",\"scope\":\"thread\"}"))
        .isEqualTo("unauthorized");
    assertThat(views.requests).isEmpty();
  }

  private HostApiService service() {
    return new HostApiService(
        HostApiSettings.defaults(),
        views,
        id -> Optional.ofNullable(artifacts.get(id)),
        providers,
        clock);
  }

  private static String code(final HostApi api, final String method, final String params) {
    try {
      api.call(method, json(params));
    } catch (final AgentApiException e) {
      return e.code();
    }
    return "allowed";
  }

  private static FakeRunAccess run(
      final AuthorizationSnapshot snapshot, final AgentRunContext context) {
    return new FakeRunAccess(context, snapshot);
  }

  private static AgentRunContext withAttachment(final String artifactId) {
    final AgentRunContext context = Fixtures.context(RUN, "hi", "{}", DEADLINE);
    return AgentRunContext.newBuilder(context)
        .setInput(
            EventInput.newBuilder(context.getInput())
                .setAttachments(List.of(ArtifactRef.newBuilder().setArtifactId(artifactId).build()))
                .build())
        .build();
  }

  static AuthorizationSnapshot fullSnapshot() {
    return AuthorizationSnapshot.newBuilder()
        .setRunId(RUN)
        .setRunnerId("proc:test")
        .setBindingId("b1")
        .setWorkspaceId("ws")
        .setConversationId("c1")
        .setPermissions(
            Permissions.newBuilder()
                .setModels(List.of(ModelPermission.INVOKE))
                .setTools(List.of(ToolPermission.CALL))
                .setKnowledgeBases(List.of(KnowledgePermission.RETRIEVE))
                .setHistory(List.of(HistoryPermission.PAGE, HistoryPermission.SEARCH))
                .setEvents(List.of(EventPermission.GET, EventPermission.PAGE))
                .setArtifacts(List.of(ArtifactPermission.METADATA, ArtifactPermission.READ))
                .setStorage(List.of(StoragePermission.PLUGIN))
                .setState(
                    List.of(
                        StatePermission.CONVERSATION,
                        StatePermission.ACTOR,
                        StatePermission.RUNNER,
                        StatePermission.BINDING))
                .build())
        .setModels(List.of("m1"))
        .setTools(List.of("t1"))
        .setKnowledgeBases(List.of("kb1"))
        .setHistoryScopes(List.of("conversation"))
        .setStorageAreas(List.of("plugin"))
        .setStateScopes(List.of("conversation", "actor", "runner", "binding"))
        .setAvailableApis(new AvailableApis(true, true, true, true, true, true, true, true, true))
        .setCreatedAt(Fixtures.NOW)
        .build();
  }

  static AuthorizationSnapshot emptySnapshot() {
    return AuthorizationSnapshot.newBuilder()
        .setRunId(RUN)
        .setRunnerId("proc:test")
        .setBindingId("b1")
        .setWorkspaceId("ws")
        .setConversationId("c1")
        .setPermissions(Permissions.newBuilder().build())
        .setAvailableApis(AvailableApis.newBuilder().build())
        .setCreatedAt(Fixtures.NOW)
        .build();
  }

  private static Artifact artifact(final String id, final String runId) {
    return Artifact.newBuilder()
        .setArtifactId(id)
        .setRunId(runId)
        .setArtifactType("file")
        .setSizeBytes(11)
        .setContent(ByteBuffer.wrap("hello world".getBytes(StandardCharsets.UTF_8)))
        .setCreatedAt(Fixtures.NOW)
        .setWorkspaceId("ws")
        .build();
  }

  private static SteeringItem steering(final String eventId, final String text) {
    return SteeringItem.newBuilder()
        .setSourceEventId(eventId)
        .setClaimedRunId(RUN)
        .setRunnerId("proc:test")
        .setClaimedAt(Fixtures.NOW)
        .setInput(EventInput.newBuilder().setText(text).build())
        .build();
  }

  private static Providers echoProviders() {
    return new Providers(
        Optional.of((model, params, run) -> params),
        Optional.of((tool, params, run) -> params),
        Optional.of((kb, params, run) -> params));
  }

  static JsonNode json(final String text) {
    return AvroJson.parse(text, "params");
  }

  @SuppressWarnings("unused")
  private static ObjectNode object() {
    return AvroJson.mapper().createObjectNode();
  }
}

package dev.runledger.worker.hostapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.Actor;
import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.ApiOutcome;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.Subject;
import dev.runledger.worker.Fixtures;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.HostApi;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's hostile runner: a run of workspace {@code evil} whose conversation, actor, subject,
 * runner and binding ids are all also {@code acme}'s reads nothing of {@code acme}'s through the
 * host API, whichever ids it passes, and every refusal is audited as a denial.
 */
class CrossWorkspaceHostApiTest {
  private static final Instant DEADLINE = Fixtures.NOW.plusSeconds(60);
  private static final String RUN = "run-evil";
  private static final String ACME = "acme";
  private static final String EVIL = "evil";

  private final FakeViews views = new FakeViews();
  private FakeRunAccess run;
  private HostApi api;

  @BeforeEach
  void setUp() {
    // acme's data under ids that evil's run shares
    views.say(ACME, "general", "user", "acme secret plan", "ev-acme");
    views.decide(ACME, "ev-acme", "run-acme");
    views.putRun(ACME, "run-acme", "general");
    for (final String[] scope :
        List.of(
            new String[] {"conversation", "general"},
            new String[] {"actor", "u1"},
            new String[] {"subject", "s1"},
            new String[] {"runner", "builtin:scenario"},
            new String[] {"binding", "b1"},
            new String[] {"storage.plugin", "builtin:scenario"})) {
      views.putState(ACME, scope[0], scope[1], "secret", "\"acme's\"");
    }
    // evil's own
    views.say(EVIL, "general", "user", "evil hello", "ev-evil");

    final AuthorizationSnapshot snapshot =
        AuthorizationSnapshot.newBuilder(HostApiServiceTest.fullSnapshot())
            .setRunId(RUN)
            .setRunnerId("builtin:scenario")
            .setWorkspaceId(EVIL)
            .setConversationId("general")
            .setStateScopes(List.of("conversation", "actor", "subject", "runner", "binding"))
            .build();
    final AgentRunContext base = Fixtures.context(RUN, "hi", "{}", DEADLINE);
    final AgentRunContext context =
        AgentRunContext.newBuilder(base)
            .setActor(Actor.newBuilder().setActorType("user").setActorId("u1").build())
            .setSubject(Subject.newBuilder().setSubjectType("doc").setSubjectId("s1").build())
            .build();
    run = new FakeRunAccess(context, snapshot);
    api =
        new HostApiService(
                HostApiSettings.defaults(),
                views,
                id -> Optional.empty(),
                Providers.none(),
                Clock.fixed(Fixtures.NOW, ZoneOffset.UTC))
            .forRun(run);
  }

  @Test
  void shouldReadHistoryOfTheRunsOwnWorkspaceOnly() {
    // when
    final JsonNode page = api.call("history_page", json("{\"conversation_id\":\"general\"}"));
    final JsonNode found = api.call("history_search", json("{\"q\":\"secret\"}"));

    // then
    assertThat(page.path("items"))
        .extracting(i -> i.path("content").asText())
        .containsExactly("evil hello");
    assertThat(found.path("items")).isEmpty();
    assertThat(views.requests).containsExactly("transcript evil/general", "search evil/general");
  }

  @Test
  void shouldDenyAndAuditAnotherWorkspaceNamedInTheParameters() {
    // when
    final String page = code("history_page", "{\"workspace_id\":\"acme\"}");
    final String search = code("history_search", "{\"q\":\"plan\",\"workspace_id\":\"acme\"}");
    final String state =
        code(
            "state_get",
            "{\"scope\":\"conversation\",\"key\":\"secret\",\"workspace_id\":\"acme\"}");

    // then
    assertThat(List.of(page, search, state)).containsOnly(AgentApiException.UNAUTHORIZED);
    assertThat(run.audits)
        .extracting(HostApiCall::getOutcome, HostApiCall::getScope)
        .containsOnly(org.assertj.core.groups.Tuple.tuple(ApiOutcome.DENIED, ACME));
    assertThat(views.requests).isEmpty();
  }

  @Test
  void shouldAnswerAnotherWorkspacesEventAsNotFoundAndAuditTheDenial() {
    // when: acme's event id, then an evil decision that names acme's run
    final String foreign = code("event_get", "{\"event_id\":\"ev-acme\"}");
    views.decide(EVIL, "ev-forged", "run-acme");
    final String forged = code("event_get", "{\"event_id\":\"ev-forged\"}");

    // then: both answer like an unknown event and are audited as denials
    assertThat(List.of(foreign, forged)).containsOnly(AgentApiException.NOT_FOUND);
    assertThat(run.audits)
        .extracting(HostApiCall::getResource, HostApiCall::getOutcome, HostApiCall::getErrorCode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "ev-acme", ApiOutcome.DENIED, AgentApiException.NOT_FOUND),
            org.assertj.core.groups.Tuple.tuple(
                "ev-forged", ApiOutcome.DENIED, AgentApiException.NOT_FOUND));
    assertThat(views.requests).containsExactly("decision evil/ev-acme", "decision evil/ev-forged");
  }

  @Test
  void shouldKeepEveryStateScopeAndStorageAreaUnderTheRunsWorkspace() {
    // when: every scope, with the ids acme's state is kept under
    for (final String scope : List.of("conversation", "actor", "subject", "runner", "binding")) {
      final JsonNode got =
          api.call("state_get", json("{\"scope\":\"" + scope + "\",\"key\":\"secret\"}"));
      final JsonNode listed = api.call("state_list", json("{\"scope\":\"" + scope + "\"}"));

      // then: nothing of acme's
      assertThat(got.path("found").asBoolean()).as(scope).isFalse();
      assertThat(listed.path("items")).as(scope).isEmpty();
    }
    final JsonNode stored =
        api.call("storage_get", json("{\"area\":\"plugin\",\"key\":\"secret\"}"));
    assertThat(stored.path("found").asBoolean()).isFalse();
    assertThat(views.requests).allSatisfy(r -> assertThat(r).startsWith("state evil/"));
  }

  @Test
  void shouldDenyAndAuditAnotherScopeIdWhateverWorkspaceHoldsIt() {
    // when: acme's actor id is evil's too, but another actor is refused
    final String other =
        code("state_get", "{\"scope\":\"actor\",\"scope_id\":\"u2\",\"key\":\"secret\"}");

    // then
    assertThat(other).isEqualTo(AgentApiException.UNAUTHORIZED);
    assertThat(run.audits)
        .singleElement()
        .satisfies(a -> assertThat(a.getOutcome()).isEqualTo(ApiOutcome.DENIED));
    assertThat(views.requests).isEmpty();
  }

  private String code(final String method, final String params) {
    try {
      api.call(method, json(params));
    } catch (final AgentApiException e) {
      return e.code();
    }
    return "allowed";
  }

  private static JsonNode json(final String text) {
    return HostApiServiceTest.json(text);
  }
}

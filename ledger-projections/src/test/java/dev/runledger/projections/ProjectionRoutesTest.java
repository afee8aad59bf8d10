package dev.runledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.fold.FoldResult;
import dev.runledger.projections.fold.RunFold;
import dev.runledger.projections.http.InstanceRouter;
import dev.runledger.projections.query.EventPage;
import dev.runledger.projections.query.RunFilter;
import dev.runledger.projections.query.RunPage;
import dev.runledger.projections.query.RunQueries;
import dev.runledger.projections.query.StatePage;
import dev.runledger.projections.query.TranscriptPage;
import dev.runledger.projections.query.ViewDigest;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.http.Cursors;
import dev.runledger.schemas.json.AvroJson;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The read API over a fake query service, on a real Javalin server on a free port. */
class ProjectionRoutesTest {
  private static final long TRANSCRIPT_END = 7;
  private static final String WS = LedgerFixture.WS;
  private final FakeQueries queries = new FakeQueries();
  private final HttpClient http = HttpClient.newHttpClient();
  private Javalin app;

  /** The caller the server (not mounted here) would have authenticated. */
  private volatile Caller caller = Caller.UNRESTRICTED;

  @BeforeEach
  void start() {
    app = Javalin.create();
    app.before(ctx -> ctx.attribute(Caller.ATTRIBUTE, caller));
    app.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(e.body()));
    new ProjectionRoutes(queries).register(app);
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  @Test
  void shouldReturnRunAsJsonWhenRunIsKnown() throws Exception {
    // given
    queries.add(completedRun("run-1", 3));

    // when
    final Response response = get("/v1/runs/run-1");

    // then
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body().get("run_id").asText()).isEqualTo("run-1");
    assertThat(response.body().get("status").asText()).isEqualTo("completed");
    assertThat(response.body().get("final_message").asText()).isEqualTo("done");
    assertThat(response.body().get("created_at").isNumber()).isTrue();
  }

  @Test
  void shouldAnswer404WhenRunIsUnknown() throws Exception {
    // when
    final Response response = get("/v1/runs/nope");

    // then
    assertThat(response.status()).isEqualTo(404);
    assertThat(response.body().at("/error/code").asText()).isEqualTo("not_found");
    assertThat(response.body().at("/error/message").asText()).contains("nope");
  }

  @Test
  void shouldPageEventsWithOpaqueCursorsUntilTheEnd() throws Exception {
    // given: created, claimed, 3 deltas, message, completed = 7 events
    queries.add(completedRun("run-1", 3));

    // when
    final Response first = get("/v1/runs/run-1/events?limit=4");
    final String cursor = first.body().get("next_cursor").asText();
    final Response second = get("/v1/runs/run-1/events?limit=4&after=" + cursor);

    // then
    assertThat(first.status()).isEqualTo(200);
    assertThat(seqs(first)).containsExactly(1L, 2L, 3L, 4L);
    assertThat(cursor).isNotBlank().doesNotContain("4");
    assertThat(seqs(second)).containsExactly(5L, 6L, 7L);
    assertThat(second.body().get("next_cursor").isNull()).isTrue();
    final JsonNode last = second.body().get("items").get(2);
    assertThat(last.get("type").asText()).isEqualTo("run.completed");
    assertThat(last.get("data").get("finish_reason").asText()).isEqualTo("stop");
  }

  @Test
  void shouldReturnAllEventsWithDefaultLimitWhenNoParametersAreGiven() throws Exception {
    // given
    queries.add(completedRun("run-1", 150));

    // when
    final Response response = get("/v1/runs/run-1/events");

    // then
    assertThat(response.body().get("items")).hasSize(ProjectionRoutes.DEFAULT_LIMIT);
    assertThat(response.body().get("next_cursor").isTextual()).isTrue();
  }

  @Test
  void shouldAnswer400NamingAfterWhenCursorIsNotOurs() throws Exception {
    // given
    queries.add(completedRun("run-1", 1));

    // when
    final Response notBase64 = get("/v1/runs/run-1/events?after=5");
    final Response foreign = get("/v1/runs/run-1/events?after=aGVsbG8");

    // then
    for (final Response response : List.of(notBase64, foreign)) {
      assertThat(response.status()).isEqualTo(400);
      assertThat(response.body().at("/error/code").asText()).isEqualTo("invalid_argument");
      assertThat(response.body().at("/error/field").asText()).isEqualTo("after");
    }
  }

  @Test
  void shouldAnswer400NamingLimitWhenLimitIsOutOfRange() throws Exception {
    // given
    queries.add(completedRun("run-1", 1));

    // then
    for (final String limit : List.of("0", "1001", "ten", "-3")) {
      final Response response = get("/v1/runs/run-1/events?limit=" + limit);
      assertThat(response.status()).as("limit=%s", limit).isEqualTo(400);
      assertThat(response.body().at("/error/field").asText()).isEqualTo("limit");
    }
    assertThat(get("/v1/runs/run-1/events?limit=1000").status()).isEqualTo(200);
  }

  @Test
  void shouldPageStateEntriesByKeyWithCursorsUntilTheEnd() throws Exception {
    // given seven entries, two of another prefix
    for (final String key : List.of("a1", "a2", "a3", "a4", "a5", "b1", "b2")) {
      queries.states.add(stateEntry(key));
    }
    final String path = ApiPaths.states(WS, "conversation", "c-1") + "?prefix=a&limit=2";

    // when following next_cursor
    final List<String> keys = new ArrayList<>();
    final List<Boolean> lastPage = new ArrayList<>();
    String cursor = null;
    do {
      final Response page = get(path + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(page.status()).isEqualTo(200);
      page.body().get("items").forEach(e -> keys.add(e.get("key").asText()));
      cursor =
          page.body().get("next_cursor").isTextual()
              ? page.body().get("next_cursor").asText()
              : null;
      lastPage.add(cursor == null);
    } while (cursor != null);

    // then every entry of the prefix once, by key, two at a time
    assertThat(keys).containsExactly("a1", "a2", "a3", "a4", "a5");
    assertThat(lastPage).containsExactly(false, false, true);
    assertThat(get(ApiPaths.states(WS, "conversation", "c-1")).body().get("items")).hasSize(7);
  }

  @Test
  void shouldAnswer400WhenAStateListingHasABadLimitOrCursor() throws Exception {
    for (final String query :
        List.of(
            "limit=0", "limit=1001", "limit=ten", "cursor=nope", "cursor=" + Cursors.encode(3))) {
      // when
      final Response response = get(ApiPaths.states(WS, "conversation", "c-1") + "?" + query);

      // then
      assertThat(response.status()).as(query).isEqualTo(400);
      assertThat(response.body().at("/error/code").asText()).isEqualTo("invalid_argument");
      assertThat(response.body().at("/error/field").asText())
          .isEqualTo(query.substring(0, query.indexOf('=')));
    }
  }

  @Test
  void shouldAnswer400NamingStatusWhenTheStatusFilterIsNoRunStatus() throws Exception {
    // given
    queries.add(completedRun("run-1", 1));

    // when
    final Response bogus = get(ApiPaths.runs(WS) + "?status=bogus");
    final Response upper = get(ApiPaths.runs(WS) + "?status=COMPLETED");
    final Response known = get(ApiPaths.runs(WS) + "?status=completed");

    // then
    for (final Response response : List.of(bogus, upper)) {
      assertThat(response.status()).isEqualTo(400);
      assertThat(response.body().at("/error/code").asText()).isEqualTo("invalid_argument");
      assertThat(response.body().at("/error/field").asText()).isEqualTo("status");
      assertThat(response.body().at("/error/message").asText()).contains("completed, failed");
    }
    assertThat(known.status()).isEqualTo(200);
  }

  @Test
  void shouldAnswer404WhenEventsOfUnknownRunAreAsked() throws Exception {
    // when
    final Response response = get("/v1/runs/nope/events");

    // then
    assertThat(response.status()).isEqualTo(404);
  }

  @Test
  void shouldStreamEveryEventAndCloseAfterTheTerminalOne() throws Exception {
    // given: 7 events, the last run.completed
    queries.add(completedRun("run-1", 3));

    // when
    final Stream all = stream("run-1", null);
    final Stream resumed = stream("run-1", "5");

    // then
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.ids()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(resumed.ids()).containsExactly(6L, 7L);
  }

  @Test
  void shouldCloseAtOnceWhenResumedAtOrAfterTheTerminalEvent() throws Exception {
    // given
    queries.add(completedRun("run-1", 3));

    // when: at the terminal (what an EventSource sends after every finished stream), and after it
    final Stream atTerminal = stream("run-1", "7");
    final Stream after = stream("run-1", "42");

    // then: both end with no event
    for (final Stream response : List.of(atTerminal, after)) {
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.ids()).isEmpty();
      assertThat(response.body()).startsWith(": stream of run run-1");
    }
  }

  @Test
  void shouldSendWhatFollowsTheTerminalEventAndCloseWhenResumedAtIt() throws Exception {
    // given: run.completed at 3, then an orchestrator record at 4
    final LedgerFixture run = new LedgerFixture("run-1");
    final List<LedgerRecord> records = new ArrayList<>();
    records.add(run.created());
    records.add(run.claimed(1));
    records.add(run.completed(1));
    records.add(run.cancelRequested());
    queries.add(records);
    assertThat(queries.run("run-1").orElseThrow().getEventCount()).isEqualTo(4);

    // when
    final Stream resumed = stream("run-1", "3");

    // then
    assertThat(resumed.ids()).containsExactly(4L);
  }

  @Test
  void shouldAnswer400NamingLastEventIdWhenItIsNotAnEventId() throws Exception {
    // given
    queries.add(completedRun("run-1", 1));

    // then
    for (final String bogus : List.of("abc", "-1", "7.5", "c2VxOjc", "99999999999999999999")) {
      final Stream response = stream("run-1", bogus);
      assertThat(response.status()).as("Last-Event-ID: %s", bogus).isEqualTo(400);
      final JsonNode body = AvroJson.parse(response.body(), "body");
      assertThat(body.at("/error/code").asText()).isEqualTo("invalid_argument");
      assertThat(body.at("/error/field").asText()).isEqualTo("Last-Event-ID");
      assertThat(body.at("/error/message").asText()).contains(bogus).contains("whole number");
    }
  }

  @Test
  void shouldAnswer404BeforeAnyEventWhenStreamedRunIsUnknown() throws Exception {
    // when
    final Stream response = stream("nope", null);

    // then
    assertThat(response.status()).isEqualTo(404);
    assertThat(response.ids()).isEmpty();
  }

  @Test
  void shouldReturnDecisionWhenEventWasDecidedAnd404Otherwise() throws Exception {
    // given
    queries.decisions.put(
        WS + "/e-1",
        DispatchDecision.newBuilder()
            .setEventId("e-1")
            .setDecision(Decision.DUPLICATE)
            .setDecidedAt(Instant.ofEpochMilli(1_700_000_000_000L))
            .build());

    // when
    final Response known = get(ApiPaths.decision(WS, "e-1"));
    final Response unknown = get(ApiPaths.decision(WS, "e-2"));
    final Response otherWorkspace = get(ApiPaths.decision("ws-2", "e-1"));

    // then
    assertThat(known.status()).isEqualTo(200);
    assertThat(known.body().get("decision").asText()).isEqualTo("duplicate");
    assertThat(known.body().get("decided_at").asLong()).isEqualTo(1_700_000_000_000L);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(otherWorkspace.status()).isEqualTo(404);
  }

  @Test
  void shouldAnswer503WhenStoresAreUnavailable() throws Exception {
    // given
    queries.unavailable = true;

    // when
    final Response response = get("/v1/runs/run-1");

    // then
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.body().at("/error/code").asText()).isEqualTo("unavailable");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/v1/workspaces/ws-1/runs?statuss=running | statuss",
        "/v1/runs/run-1?limit=5 | limit",
        "/v1/runs/run-1/events?cursor=x | cursor",
        "/v1/runs/run-1/events/stream?after=3 | after",
        "/v1/workspaces/ws-1/events/e-1?verbose=1 | verbose",
        "/v1/workspaces/ws-1/conversations/c-1/transcript?from=1 | from",
        "/v1/workspaces/ws-1/conversations/c-1/transcript/search?q=hi&k=3 | k",
        "/v1/workspaces/ws-1/state/conversation/c-1?prefixx=a | prefixx",
        "/v1/workspaces/ws-1/state/conversation/c-1/mood?x=1 | x",
        "/v1/views/digests?view=runs | view"
      })
  void shouldAnswer400NamingTheParameterWhenARouteDoesNotTakeIt(
      final String path, final String parameter) throws Exception {
    // given
    queries.add(completedRun("run-1", 1));

    // when
    final Response response = get(path);

    // then
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body().at("/error/code").asText()).isEqualTo("invalid_argument");
    assertThat(response.body().at("/error/field").asText()).isEqualTo(parameter);
    assertThat(response.body().at("/error/message").asText())
        .contains("query parameter '" + parameter + "' is not known here");
  }

  @Test
  void shouldKeepACursorAtTheEndWhenATranscriptIsTailedPastIt() throws Exception {
    // when
    final Response response =
        get(ApiPaths.transcript(WS, "c-1") + "?after=" + Cursors.encode(TRANSCRIPT_END + 5));

    // then
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body().get("items")).isEmpty();
    assertThat(response.body().get("next_cursor").asText())
        .isEqualTo(Cursors.encode(TRANSCRIPT_END));
    assertThat(response.body().get("has_more").asBoolean()).isFalse();
  }

  @Test
  void shouldAnswerEveryWorkspaceReadInTheWorkspaceOfItsPath() throws Exception {
    // given a run in each of two workspaces
    queries.add(completedRun("run-1", 1));
    queries.add(run("run-2", "ws-2"));

    // when
    final Response runs = get(ApiPaths.runs("ws-2"));
    get(ApiPaths.transcript("ws-2", "c-1"));
    get(ApiPaths.transcriptSearch("ws-2", "c-1") + "?q=hi");
    get(ApiPaths.states("ws-2", "conversation", "c-1"));
    get(ApiPaths.state("ws-2", "conversation", "c-1", "a/b"));

    // then
    assertThat(runs.status()).isEqualTo(200);
    assertThat(runs.body().get("items"))
        .extracting(r -> r.get("run_id").asText())
        .containsExactly("run-2");
    assertThat(queries.asked)
        .containsExactly(
            "runs ws-2",
            "transcript ws-2/c-1",
            "search ws-2/c-1",
            "states ws-2/conversation/c-1",
            "state ws-2/conversation/c-1/a/b");
  }

  @ParameterizedTest
  @CsvSource({
    "/v1/runs",
    "/v1/runs?status=completed",
    "/v1/events/e-1",
    "/v1/conversations/c-1/transcript",
    "/v1/conversations/c-1/transcript/search?q=hi",
    "/v1/state/conversation/c-1",
    "/v1/state/conversation/c-1/mood"
  })
  void shouldAnswer404ForTheRemovedFlatPaths(final String path) throws Exception {
    // given
    queries.add(completedRun("run-1", 1));

    // when
    final int status =
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode();

    // then
    assertThat(status).isEqualTo(404);
    assertThat(queries.asked).isEmpty();
  }

  @Test
  void shouldAnswerARunOfAnotherWorkspaceExactlyAsAnUnknownOne() throws Exception {
    // given a run of ws-1 and a reader of ws-2 only
    queries.add(completedRun("run-1", 1));
    caller = new Caller("reader-2", Caller.Role.READER, Set.of("ws-2"));

    // when
    final Response run = get("/v1/runs/run-1");
    final Response unknown = get("/v1/runs/nope");
    final Response events = get("/v1/runs/run-1/events");
    final Stream stream = stream("run-1", null);

    // then: 404 not_found, worded as for an unknown run, with nothing of the run
    assertThat(run.status()).isEqualTo(404);
    assertThat(run.body().at("/error/code").asText()).isEqualTo("not_found");
    assertThat(run.body().at("/error/message").asText())
        .isEqualTo(unknown.body().at("/error/message").asText().replace("nope", "run-1"));
    assertThat(events.status()).isEqualTo(404);
    assertThat(events.body().has("items")).isFalse();
    assertThat(stream.status()).isEqualTo(404);
    assertThat(stream.ids()).isEmpty();

    // and a reader of ws-1 reads it
    caller = new Caller("reader-1", Caller.Role.READER, Set.of("ws-2", WS));
    assertThat(get("/v1/runs/run-1").status()).isEqualTo(200);
    assertThat(get("/v1/runs/run-1/events").status()).isEqualTo(200);
    assertThat(stream("run-1", null).ids()).isNotEmpty();
  }

  @Test
  void shouldTrustTheForwardedHeaderOnlyFromTheInternalCaller() throws Exception {
    // given
    app.get("/probe", ctx -> ctx.result(String.valueOf(ProjectionRoutes.forwarded(ctx))));
    final HttpRequest forwarded =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/probe"))
            .header(InstanceRouter.FORWARDED_HEADER, "1")
            .build();

    // when / then: a client's header means nothing, the internal caller's is honoured, and so
    // is any while authentication is off (else forwarded listings would fan out for ever)
    final List<String> answers = new ArrayList<>();
    for (final Caller who :
        List.of(
            new Caller("admin", Caller.Role.ADMIN, Set.of(Caller.ALL)),
            new Caller("reader", Caller.Role.READER, Set.of(WS)),
            Caller.INTERNAL,
            Caller.UNRESTRICTED)) {
      caller = who;
      answers.add(http.send(forwarded, HttpResponse.BodyHandlers.ofString()).body());
    }
    assertThat(answers).containsExactly("false", "false", "true", "true");
  }

  @Test
  void shouldAnswer401WhenNoCallerWasAuthenticated() throws Exception {
    // given routes mounted without the server's authentication
    caller = null;
    queries.add(completedRun("run-1", 1));

    // when
    final Response response = get("/v1/runs/run-1");

    // then
    assertThat(response.status()).isEqualTo(401);
  }

  private Response get(final String path) throws IOException, InterruptedException {
    final HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return new Response(response.statusCode(), AvroJson.parse(response.body(), "body"));
  }

  /** The whole server-sent stream of a run; fails when it is not closed within 10 s. */
  private Stream stream(final String runId, final String lastEventId) throws Exception {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + app.port() + "/v1/runs/" + runId + "/events/stream"));
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    final HttpResponse<String> response =
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
            .get(10, TimeUnit.SECONDS);
    return new Stream(response.statusCode(), response.body());
  }

  private static List<Long> seqs(final Response response) {
    final List<Long> seqs = new ArrayList<>();
    response.body().get("items").forEach(item -> seqs.add(item.get("seq").asLong()));
    return seqs;
  }

  private static List<LedgerRecord> run(final String runId, final String workspace) {
    final LedgerFixture run = new LedgerFixture(runId, workspace);
    return List.of(run.created());
  }

  private static List<LedgerRecord> completedRun(final String runId, final int deltas) {
    final LedgerFixture run = new LedgerFixture(runId);
    final List<LedgerRecord> records = new ArrayList<>();
    records.add(run.created());
    records.add(run.claimed(1));
    for (int i = 0; i < deltas; i++) {
      records.add(run.delta(1, "d" + i));
    }
    records.add(run.message(1, "done"));
    records.add(run.completed(1));
    return records;
  }

  private record Response(int status, JsonNode body) {}

  private record Stream(int status, String body) {
    List<Long> ids() {
      return body.lines()
          .filter(line -> line.startsWith("id: "))
          .map(line -> Long.parseLong(line.substring(4)))
          .toList();
    }
  }

  private static StateEntry stateEntry(final String key) {
    return StateEntry.newBuilder()
        .setScope("conversation")
        .setScopeId("c-1")
        .setKey(key)
        .setValueJson("1")
        .setVersion(1)
        .setUpdatedAt(Instant.ofEpochMilli(1_700_000_000_000L))
        .setRunId("run-1")
        .setWorkspaceId(WS)
        .build();
  }

  /** Folds records with the real fold into maps; can pretend the stores are rebalancing. */
  private static final class FakeQueries implements RunQueries {
    private final Map<String, AgentRun> runs = new HashMap<>();
    private final Map<String, List<AgentRunEvent>> events = new HashMap<>();
    private final Map<String, DispatchDecision> decisions = new HashMap<>();
    private final List<String> asked = new ArrayList<>();

    /** The entries of every state scope, by key. */
    private final List<StateEntry> states = new ArrayList<>();

    private boolean unavailable;

    void add(final List<LedgerRecord> records) {
      long offset = 0;
      for (final LedgerRecord record : records) {
        final FoldResult result = RunFold.apply(runs.get(record.getRunId()), record, offset++);
        runs.put(record.getRunId(), result.run());
        result
            .event()
            .ifPresent(e -> events.computeIfAbsent(e.getRunId(), k -> new ArrayList<>()).add(e));
      }
    }

    @Override
    public Optional<AgentRun> run(final String runId) {
      check();
      return Optional.ofNullable(runs.get(runId));
    }

    @Override
    public Optional<EventPage> events(final String runId, final long after, final int limit) {
      check();
      if (!runs.containsKey(runId)) {
        return Optional.empty();
      }
      final List<AgentRunEvent> rest =
          events.get(runId).stream().filter(e -> e.getSeq() > after).toList();
      final List<AgentRunEvent> items = rest.stream().limit(limit).toList();
      final OptionalLong next =
          rest.size() > limit
              ? OptionalLong.of(items.get(items.size() - 1).getSeq())
              : OptionalLong.empty();
      return Optional.of(new EventPage(items, next));
    }

    @Override
    public Optional<DispatchDecision> decision(final String workspaceId, final String eventId) {
      check();
      return Optional.ofNullable(decisions.get(workspaceId + "/" + eventId));
    }

    @Override
    public RunPage runs(
        final String workspaceId,
        final RunFilter filter,
        final String afterPosition,
        final int limit) {
      check();
      asked.add("runs " + workspaceId);
      return new RunPage(
          runs.values().stream()
              .filter(r -> workspaceId.equals(r.getWorkspaceId()))
              .filter(filter::matches)
              .limit(limit)
              .toList(),
          Optional.empty());
    }

    @Override
    public TranscriptPage transcript(
        final String workspaceId,
        final String conversationId,
        final Long before,
        final Long after,
        final int limit) {
      check();
      asked.add("transcript " + workspaceId + "/" + conversationId);
      return after == null
          ? new TranscriptPage(List.of(), false)
          : new TranscriptPage(List.of(), false, OptionalLong.of(TRANSCRIPT_END));
    }

    @Override
    public List<TranscriptItem> search(
        final String workspaceId, final String conversationId, final String query, final int topK) {
      check();
      asked.add("search " + workspaceId + "/" + conversationId);
      return List.of();
    }

    @Override
    public Optional<StateEntry> state(
        final String workspaceId, final String scope, final String scopeId, final String key) {
      check();
      asked.add("state " + workspaceId + "/" + scope + "/" + scopeId + "/" + key);
      return Optional.empty();
    }

    @Override
    public StatePage states(
        final String workspaceId,
        final String scope,
        final String scopeId,
        final String prefix,
        final String afterKey,
        final int limit) {
      check();
      asked.add("states " + workspaceId + "/" + scope + "/" + scopeId);
      final List<StateEntry> rest =
          states.stream()
              .filter(e -> prefix == null || e.getKey().startsWith(prefix))
              .filter(e -> afterKey == null || e.getKey().compareTo(afterKey) > 0)
              .toList();
      final List<StateEntry> items = rest.stream().limit(limit).toList();
      return new StatePage(
          items,
          rest.size() > limit
              ? Optional.of(items.get(items.size() - 1).getKey())
              : Optional.empty());
    }

    @Override
    public Map<String, ViewDigest> digests() {
      check();
      return Map.of();
    }

    private void check() {
      if (unavailable) {
        throw new ApiException(503, "unavailable", "rebalancing");
      }
    }
  }
}

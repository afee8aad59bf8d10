package dev.runledger.deploy.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCreated;
import dev.runledger.projections.LedgerFixture;
import dev.runledger.projections.query.ViewDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChaosCheckerTest {
  private static final String WS = LedgerFixture.WS;
  private static final Map<String, ViewDigest> DIGESTS =
      Map.of("runs", new ViewDigest(2, 42), "run-events", new ViewDigest(8, 7));

  private final ChaosChecker checker = new ChaosChecker();
  private final FakeViews views = new FakeViews();
  private long offset;

  @Test
  void shouldFindNoAnomalyWhenHistoryIsClean() {
    // given
    cleanRun("run-a");
    cleanRun("run-b");

    // when
    final ChaosChecker.Result result = checker.check(views, DIGESTS, live(DIGESTS));

    // then
    assertThat(result.anomalies()).containsOnlyKeys(ChaosChecker.KINDS);
    assertThat(result.anomalies().values()).containsOnly(0);
    assertThat(result.clean()).isTrue();
    assertThat(result.events()).isEqualTo(2);
    assertThat(result.runs()).isEqualTo(2);
  }

  @Test
  void shouldFindLostEventWhenAcceptedEventHasNoDecision() {
    // given
    cleanRun("run-a");
    checker.hostEvent(event("event-without-decision"));

    // when / then
    assertThat(only(ChaosChecker.LOST)).isEqualTo(1);
  }

  @Test
  void shouldFindDoubledWhenEventHasTwoRunCreatedDecisions() {
    // given
    cleanRun("run-a");
    checker.decision(WS + "/event-run-a", decision("event-run-a", "run-a"));

    // when
    final ChaosChecker.Result result = checker.check(views, DIGESTS, live(DIGESTS));

    // then: verify reports it too
    assertThat(result.anomalies().get(ChaosChecker.DOUBLED)).isEqualTo(1);
    assertThat(result.anomalies().get(ChaosChecker.VERIFY)).isEqualTo(1);
    assertThat(result.anomalies().get(ChaosChecker.LOST)).isZero();
  }

  @Test
  void shouldFindDoubledWhenOneEventCreatedTwoRuns() {
    // given: run-b's RunCreated names run-a's event
    cleanRun("run-a");
    final LedgerFixture b = new LedgerFixture("run-b");
    final LedgerRecord original = b.created();
    final LedgerRecord created =
        LedgerRecord.newBuilder(original)
            .setBody(
                RunCreated.newBuilder((RunCreated) original.getBody())
                    .setEventId("event-run-a")
                    .build())
            .build();
    feed(created, b.claimed(1), b.completed(1));
    views.counts.put("run-b", 3L);

    // when / then
    assertThat(only(ChaosChecker.DOUBLED)).isEqualTo(1);
  }

  @Test
  void shouldFindDoubledWhenRunIsCreatedTwice() {
    // given
    final LedgerFixture run = new LedgerFixture("run-a");
    accept(run);
    feed(run.created(), run.created(), run.claimed(1), run.completed(1));
    views.counts.put("run-a", 4L);

    // when
    final ChaosChecker.Result result = checker.check(views, DIGESTS, live(DIGESTS));

    // then
    assertThat(result.anomalies().get(ChaosChecker.DOUBLED)).isEqualTo(1);
    assertThat(result.anomalies().get(ChaosChecker.VERIFY)).isEqualTo(1);
  }

  @Test
  void shouldFindUnendedWhenCreatedRunHasNoTerminal() {
    // given
    final LedgerFixture run = new LedgerFixture("run-a");
    accept(run);
    feed(run.created(), run.claimed(1), run.message(1, "half way"));
    views.counts.put("run-a", 3L);

    // when / then
    assertThat(only(ChaosChecker.UNENDED)).isEqualTo(1);
  }

  @Test
  void shouldFindDoubleTerminalWhenAttemptWritesTwoTerminals() {
    // given
    final LedgerFixture run = new LedgerFixture("run-a");
    accept(run);
    feed(run.created(), run.claimed(1), run.completed(1), run.failed(1, "again"));
    views.counts.put("run-a", 3L);

    // when
    final ChaosChecker.Result result = checker.check(views, DIGESTS, live(DIGESTS));

    // then
    assertThat(result.anomalies().get(ChaosChecker.DOUBLE_TERMINAL)).isEqualTo(1);
    assertThat(result.anomalies().get(ChaosChecker.VERIFY)).isEqualTo(1);
    assertThat(result.anomalies().get(ChaosChecker.LOST)).isZero();
  }

  @Test
  void shouldFindOutOfOrderWhenSequenceHasGap() {
    // given
    final LedgerFixture run = new LedgerFixture("run-a");
    accept(run);
    feed(
        run.created(),
        run.claimed(1),
        run.at(1, 4, run.message(1, "after a gap").getBody()),
        run.completed(1));
    views.counts.put("run-a", 4L);

    // when
    final ChaosChecker.Result result = checker.check(views, DIGESTS, live(DIGESTS));

    // then
    assertThat(result.anomalies().get(ChaosChecker.OUT_OF_ORDER)).isEqualTo(1);
    assertThat(result.examples().get(ChaosChecker.OUT_OF_ORDER)).containsExactly("run-a");
  }

  @Test
  void shouldFindNoFencedAppliedWhenSupersededAttemptWritesLate() {
    // given: attempt 1 writes after attempt 2 claimed; the fold fences it
    final LedgerFixture run = new LedgerFixture("run-a");
    accept(run);
    feed(
        run.created(),
        run.claimed(1),
        run.claimed(2),
        run.message(1, "late from attempt 1"),
        run.completed(2));
    views.counts.put("run-a", 4L);

    // when / then
    assertThat(checker.check(views, DIGESTS, live(DIGESTS)).clean()).isTrue();
  }

  @Test
  void shouldFindUnseenWhenViewsLackRecord() {
    // given
    cleanRun("run-a");
    views.counts.put("run-a", 2L);

    // when / then
    assertThat(only(ChaosChecker.UNSEEN)).isEqualTo(1);
  }

  @Test
  void shouldFindUnseenWhenViewsLackDecision() {
    // given
    cleanRun("run-a");
    views.decisions.remove("event-run-a");

    // when / then
    assertThat(only(ChaosChecker.UNSEEN)).isEqualTo(1);
  }

  @Test
  void shouldFindDigestMismatchWhenLiveViewDiffers() {
    // given
    cleanRun("run-a");
    final Map<String, String> live = live(DIGESTS);
    live.put("runs", new ViewDigest(1, 1).text());

    // when
    final ChaosChecker.Result result = checker.check(views, DIGESTS, live);

    // then
    assertThat(result.anomalies().get(ChaosChecker.DIGEST_MISMATCH)).isEqualTo(1);
    assertThat(result.examples().get(ChaosChecker.DIGEST_MISMATCH)).containsExactly("runs");
  }

  @Test
  void shouldForgetRunWhenCleanupTombstoneArrives() {
    // given: a run without terminal, then cleaned up
    final LedgerFixture run = new LedgerFixture("run-a");
    accept(run);
    feed(run.created(), run.claimed(1));
    checker.ledger("run-a", null, 0, offset++);

    // when / then
    assertThat(checker.check(views, DIGESTS, live(DIGESTS)).anomalies().get(ChaosChecker.UNENDED))
        .isZero();
  }

  @Test
  void shouldCountVerifyOnlyRulesUnderVerify() {
    assertThat(ChaosChecker.kindOf("cancel.after_claim")).isNull();
    assertThat(ChaosChecker.kindOf("sequence.gap")).isEqualTo(ChaosChecker.OUT_OF_ORDER);
  }

  /** The one anomaly kind with a count; asserts every other is zero. */
  private int only(final String kind) {
    final ChaosChecker.Result result = checker.check(views, DIGESTS, live(DIGESTS));
    result
        .anomalies()
        .forEach(
            (k, count) -> {
              if (!k.equals(kind)) {
                assertThat(count).as(k).isZero();
              }
            });
    assertThat(result.examples().keySet()).isEqualTo(Set.of(kind));
    return result.anomalies().get(kind);
  }

  /** An event accepted, decided, and its run created, claimed, answered and completed. */
  private void cleanRun(final String runId) {
    final LedgerFixture run = new LedgerFixture(runId);
    accept(run);
    feed(run.created(), run.claimed(1), run.message(1, "hi"), run.completed(1));
    views.counts.put(runId, 4L);
  }

  private void accept(final LedgerFixture run) {
    final String eventId = "event-" + run.runId();
    checker.hostEvent(event(eventId));
    checker.decision(WS + "/" + eventId, decision(eventId, run.runId()));
    views.decisions.add(eventId);
  }

  private void feed(final LedgerRecord... records) {
    for (final LedgerRecord r : records) {
      checker.ledger(r.getRunId(), r, 0, offset++);
    }
  }

  private static HostEvent event(final String eventId) {
    return HostEvent.newBuilder()
        .setEventId(eventId)
        .setEventType("message.received")
        .setEventTime(Instant.EPOCH)
        .setWorkspaceId(WS)
        .build();
  }

  private static DispatchDecision decision(final String eventId, final String runId) {
    return DispatchDecision.newBuilder()
        .setEventId(eventId)
        .setDecision(Decision.RUN_CREATED)
        .setRunId(runId)
        .setBindingId("binding-1")
        .setWorkspaceId(WS)
        .setDecidedAt(Instant.EPOCH)
        .build();
  }

  private static Map<String, String> live(final Map<String, ViewDigest> digests) {
    final Map<String, String> live = new HashMap<>();
    digests.forEach((k, v) -> live.put(k, v.text()));
    return live;
  }

  private static final class FakeViews implements ChaosChecker.Views {
    final Map<String, Long> counts = new HashMap<>();
    final java.util.Set<String> decisions = new java.util.HashSet<>();

    @Override
    public OptionalLong eventCount(final String runId) {
      final Long count = counts.get(runId);
      return count == null ? OptionalLong.empty() : OptionalLong.of(count);
    }

    @Override
    public boolean hasDecision(final String workspaceId, final String eventId) {
      return decisions.contains(eventId);
    }
  }
}

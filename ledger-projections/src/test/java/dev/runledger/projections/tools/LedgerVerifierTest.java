package dev.runledger.projections.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.projections.LedgerFixture;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerVerifierTest {
  @Test
  void shouldReportNothingWhenLedgerIsWellFormed() {
    // given
    final LedgerVerifier verifier = new LedgerVerifier();
    final LedgerFixture run = new LedgerFixture("run-a");

    // when
    feed(verifier, List.of(run.created(), run.claimed(1), run.message(1, "x"), run.completed(1)));
    verifier.decision("ws-1/event-run-a", decision("event-run-a"));

    // then
    assertThat(verifier.violations()).isEmpty();
  }

  @Test
  void shouldReportEachBrokenInvariantWithRunAndOffsetWhenLedgerIsBroken() {
    // given
    final LedgerVerifier verifier = new LedgerVerifier();
    final LedgerFixture run = new LedgerFixture("run-b");

    // when
    feed(
        verifier,
        List.of(
            run.created(),
            run.claimed(1),
            run.at(1, 5, run.message(1, "gap").getBody()),
            run.completed(1),
            run.completed(1),
            run.at(1, 3, run.hostApiCall(1).getBody()),
            run.at(0, 2, run.created().getBody())));

    // then
    assertThat(verifier.violations())
        .extracting(LedgerVerifier.Violation::rule)
        .containsExactly(
            "sequence.gap",
            "terminal.repeated_in_attempt",
            "sequence.not_increasing",
            "run.created.repeated",
            "decision.missing");
    assertThat(verifier.violations().get(0).offset()).isEqualTo(2);
    assertThat(verifier.violations().get(0).runId()).isEqualTo("run-b");
  }

  @Test
  void shouldForgetRunWhenCleanupTombstoneArrives() {
    // given
    final LedgerVerifier verifier = new LedgerVerifier();
    final LedgerFixture run = new LedgerFixture("run-c");
    feed(verifier, List.of(run.created(), run.claimed(1)));

    // when
    verifier.ledger("run-c", null, 0, 9);

    // then
    assertThat(verifier.violations()).isEmpty();
  }

  @Test
  void shouldReportAnOrchestratorCancelTerminalAfterAWorkersClaim() {
    // given: the interrupt race of issue 16 — claimed, cancel requested, ended by both
    final LedgerVerifier verifier = new LedgerVerifier();
    final LedgerFixture run = new LedgerFixture("run-d");

    // when
    feed(
        verifier,
        List.of(
            run.created(),
            run.claimed(1),
            run.cancelRequested(),
            run.failed(0, "cancelled"),
            run.failed(1, "cancelled")));
    verifier.decision("ws-1/event-run-d", decision("event-run-d"));

    // then
    assertThat(verifier.violations())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.rule()).isEqualTo(LedgerVerifier.CANCEL_AFTER_CLAIM);
              assertThat(v.offset()).isEqualTo(3);
            });
  }

  @Test
  void shouldAcceptTheCancelStoriesTheOrchestratorAndWorkersTell() {
    // given
    final LedgerVerifier verifier = new LedgerVerifier();
    final LedgerFixture unclaimed = new LedgerFixture("run-e");
    final LedgerFixture claimed = new LedgerFixture("run-f");

    // when: ended by the orchestrator before any claim; ended by the worker after the request
    feed(
        verifier,
        List.of(
            unclaimed.created(),
            unclaimed.cancelRequested(),
            unclaimed.failed(0, "cancelled"),
            claimed.created(),
            claimed.claimed(1),
            claimed.cancelRequested(),
            claimed.failed(1, "cancelled")));
    verifier.decision("ws-1/event-run-e", decision("event-run-e"));
    verifier.decision("ws-1/event-run-f", decision("event-run-f"));

    // then
    assertThat(verifier.violations()).isEmpty();
  }

  @Test
  void shouldReportACancelledTerminalThatPrecedesTheCancelRequest() {
    // given
    final LedgerVerifier verifier = new LedgerVerifier();
    final LedgerFixture run = new LedgerFixture("run-g");

    // when: the worker ended the run before its request was recorded
    feed(
        verifier,
        List.of(run.created(), run.claimed(1), run.failed(1, "cancelled"), run.cancelRequested()));
    verifier.decision("ws-1/event-run-g", decision("event-run-g"));

    // then
    assertThat(verifier.violations())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.rule()).isEqualTo(LedgerVerifier.CANCEL_BEFORE_REQUEST);
              assertThat(v.runId()).isEqualTo("run-g");
              assertThat(v.offset()).isEqualTo(2);
            });
  }

  @Test
  void shouldNotReportALateCancelledTerminalAfterATimeout() {
    // given: the deadline ended the run; the worker's cancel{timeout} comes second and is not
    // applied
    final LedgerVerifier verifier = new LedgerVerifier();
    final LedgerFixture run = new LedgerFixture("run-i");

    // when
    feed(
        verifier,
        List.of(run.created(), run.claimed(1), run.timedOut(), run.failed(1, "cancelled")));
    verifier.decision("ws-1/event-run-i", decision("event-run-i"));

    // then
    assertThat(verifier.violations()).isEmpty();
  }

  private static void feed(final LedgerVerifier verifier, final List<LedgerRecord> records) {
    long offset = 0;
    for (final LedgerRecord r : records) {
      verifier.ledger(r.getRunId(), r, 0, offset++);
    }
  }

  private static DispatchDecision decision(final String eventId) {
    return DispatchDecision.newBuilder()
        .setEventId(eventId)
        .setDecision(Decision.RUN_CREATED)
        .setRunId("run-a")
        .setDecidedAt(Instant.EPOCH)
        .build();
  }
}

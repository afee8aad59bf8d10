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
    verifier.decision("event-run-a", decision("event-run-a"));

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

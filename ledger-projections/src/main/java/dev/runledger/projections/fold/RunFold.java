package dev.runledger.projections.fold;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunStatus;
import dev.runledger.avro.RunTimedOut;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The fold of the run ledger into the {@code runs} and {@code run-events} views (ARCHITECTURE.md
 * §3.5, §7.2): one pure, deterministic function shared by the live projection and by rebuild, so
 * replay equals live by construction. Nothing here reads a clock; {@code updated_at} is the
 * record's timestamp.
 *
 * <p>The guards, in order:
 *
 * <ol>
 *   <li><b>Fenced</b>: a worker record (attempt &gt; 0) of an attempt below the current one (it was
 *       superseded by a later {@code RunClaimed}), or of a new attempt after the run already ended
 *       (a claim after the end can never become current). Counted in {@code fenced_count}.
 *       Orchestrator records (attempt 0) are never fenced.
 *   <li><b>Duplicate</b>: a sequence at or below the highest one accepted from that attempt.
 *       Counted in {@code duplicate_count}, so each (run, attempt, sequence) is applied once.
 *   <li><b>Gap</b>: a sequence more than one above it. Counted in {@code gap_count}, then applied.
 *   <li><b>Late terminal</b>: a terminal record when the run already ended; the first terminal in
 *       ledger order wins. Counted in {@code late_terminal_count}.
 *   <li><b>Invalid result</b>: a result whose payload is not the one its type names. Dropped and
 *       counted in {@code invalid_result_count}.
 * </ol>
 *
 * Late terminals and invalid results still consume their sequence, so the record after them is not
 * a gap. Everything else is applied ({@link RunChanges}) and becomes the run's next event, with a
 * run-level {@code seq} from 1 without gaps.
 */
public final class RunFold {
  private static final Set<RunStatus> TERMINAL =
      EnumSet.of(RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.TIMEOUT);

  private RunFold() {}

  /**
   * Folds one record into a run's view.
   *
   * @param current the run's view so far, or null when the run has none yet (the record may even
   *     precede the run's {@code RunCreated}: the view is then started from what the record knows)
   * @param record the next ledger record of this run, in ledger order
   * @param offset the record's offset in its ledger partition
   */
  public static FoldResult apply(
      final AgentRun current, final LedgerRecord record, final long offset) {
    Objects.requireNonNull(record, "record");
    final AgentRun before = current != null ? current : emptyRun(record.getRunId());
    final AgentRun.Builder run = AgentRun.newBuilder(before).setUpdatedAt(record.getTimestamp());
    final int attempt = record.getAttempt();
    if (isFenced(before, attempt)) {
      run.setFencedCount(before.getFencedCount() + 1);
      return FoldResult.counted(run.build(), FoldOutcome.FENCED);
    }
    final long accepted = AttemptLog.lastSequence(before.getAttempts(), attempt);
    if (record.getSequence() <= accepted) {
      run.setDuplicateCount(before.getDuplicateCount() + 1);
      return FoldResult.counted(run.build(), FoldOutcome.DUPLICATE);
    }
    if (record.getSequence() > accepted + 1) {
      run.setGapCount(before.getGapCount() + 1);
    }
    run.setAttempts(AttemptLog.advance(before.getAttempts(), attempt, record.getSequence()));
    if (isTerminal(record) && isTerminal(before.getStatus())) {
      run.setLateTerminalCount(before.getLateTerminalCount() + 1);
      return FoldResult.counted(run.build(), FoldOutcome.LATE_TERMINAL);
    }
    if (record.getBody() instanceof AgentRunResult result
        && !RecordTypes.payloadMatchesType(result)) {
      run.setInvalidResultCount(before.getInvalidResultCount() + 1);
      return FoldResult.counted(run.build(), FoldOutcome.INVALID_RESULT);
    }
    final FoldOutcome outcome = RunChanges.apply(run, record);
    final long seq = before.getEventCount() + 1;
    run.setEventCount(seq).setLastOffset(offset);
    if (attempt == run.getAttempt()) {
      run.setLastSequence(record.getSequence());
    }
    return FoldResult.appended(run.build(), event(record, seq), outcome);
  }

  /** True for completed, failed, cancelled and timeout. */
  public static boolean isTerminal(final RunStatus status) {
    return TERMINAL.contains(status);
  }

  /** True for {@code run.completed}, {@code run.failed} and {@code RunTimedOut}. */
  public static boolean isTerminal(final LedgerRecord record) {
    final Object body = record.getBody();
    if (body instanceof AgentRunResult result) {
      final Object payload = result.getPayload();
      return payload instanceof RunCompleted || payload instanceof RunFailed;
    }
    return body instanceof RunTimedOut;
  }

  /** The view of a run before any record: status {@code created}, every counter 0. */
  public static AgentRun emptyRun(final String runId) {
    return AgentRun.newBuilder().setRunId(runId).setStatus(RunStatus.CREATED).build();
  }

  private static boolean isFenced(final AgentRun run, final int attempt) {
    if (attempt == 0) {
      return false;
    }
    return attempt < run.getAttempt()
        || (attempt > run.getAttempt() && isTerminal(run.getStatus()));
  }

  private static AgentRunEvent event(final LedgerRecord record, final long seq) {
    return AgentRunEvent.newBuilder()
        .setRunId(record.getRunId())
        .setSeq(seq)
        .setType(RecordTypes.typeOf(record))
        .setAttempt(record.getAttempt())
        .setSequence(record.getSequence())
        .setTimestamp(record.getTimestamp())
        .setProducer(record.getProducer())
        .setDataJson(RecordTypes.dataJsonOf(record))
        .build();
  }
}

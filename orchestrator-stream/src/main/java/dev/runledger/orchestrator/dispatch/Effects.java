package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.CancelRun;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCreated;
import dev.runledger.schemas.topics.CancelMarks;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one step of {@link DispatchPolicy} writes, in order: decisions (keyed by event id),
 * attempt-0 ledger records (by run id, in sequence order), {@code StartRun} commands to pool
 * topics, {@code CancelRun}/{@code SteerRun} commands to {@code run-control}, and deadline changes.
 * The topology writes them all in one exactly-once transaction.
 */
public final class Effects {
  private final List<DispatchDecision> decisions = new ArrayList<>();
  private final List<LedgerRecord> ledger = new ArrayList<>();
  private final List<RunDecider.CreatedRun> starts = new ArrayList<>();
  private final List<RunCommand> control = new ArrayList<>();
  private final Set<String> ended = new HashSet<>();
  private final Set<String> laneless = new HashSet<>();
  private final List<Deadline> deadlinesAdded = new ArrayList<>();
  private final List<Deadline> deadlinesRemoved = new ArrayList<>();

  /**
   * A run's deadline.
   *
   * @param runId the run
   * @param deadlineMs epoch milliseconds
   * @param routingKey the routing key of the run's conversation (the ingest key of its event)
   */
  public record Deadline(String runId, long deadlineMs, String routingKey) {}

  void decide(final DispatchDecision decision) {
    decisions.add(decision);
  }

  void append(final LedgerRecord record) {
    ledger.add(record);
  }

  /** The run's {@code RunCreated}, its {@code StartRun} and its deadline. */
  void start(final RunDecider.CreatedRun run, final String routingKey) {
    ledger.add(run.created());
    starts.add(run);
    deadlinesAdded.add(
        new Deadline(run.runId(), run.body().getDeadlineAt().toEpochMilli(), routingKey));
  }

  /** The run's {@code RunCreated} and its {@code StartRun}, for a run without a lane. */
  void startLaneless(final RunDecider.CreatedRun run) {
    ledger.add(run.created());
    starts.add(run);
    laneless.add(run.runId());
  }

  void control(final RunCommand command) {
    control.add(command);
  }

  /** A {@code CancelRun} the step recorded; {@code endedHere} when the step also ended the run. */
  void cancel(final RunCommand command, final boolean endedHere) {
    control.add(command);
    if (endedHere) {
      ended.add(command.getRunId());
    }
  }

  /** Only the run's {@code RunCreated}: a run that is never dispatched. */
  void created(final RunDecider.CreatedRun run) {
    ledger.add(run.created());
  }

  void deadlineRemoved(final String runId, final long deadlineMs, final String routingKey) {
    deadlinesRemoved.add(new Deadline(runId, deadlineMs, routingKey));
  }

  public List<DispatchDecision> decisions() {
    return List.copyOf(decisions);
  }

  public List<LedgerRecord> ledger() {
    return List.copyOf(ledger);
  }

  public List<RunDecider.CreatedRun> starts() {
    return List.copyOf(starts);
  }

  public List<RunCommand> control() {
    return List.copyOf(control);
  }

  /**
   * The {@link CancelMarks} header value of a command of {@link #control()}: {@link
   * CancelMarks#ENDED} for a cancel whose run the orchestrator ended itself ({@code RunTimedOut}),
   * {@link CancelMarks#REQUESTED} for any other cancel, empty for {@code SteerRun}.
   */
  public Optional<String> cancelMark(final RunCommand command) {
    if (!(command.getKind() instanceof CancelRun)) {
      return Optional.empty();
    }
    return Optional.of(
        ended.contains(command.getRunId()) ? CancelMarks.ENDED : CancelMarks.REQUESTED);
  }

  /**
   * Whether {@code record} is the {@code RunCreated} of a run started without a lane, which the run
   * tracker is to hold from then on ({@link LanelessRuns}).
   */
  public boolean startsLaneless(final LedgerRecord record) {
    return record.getBody() instanceof RunCreated && laneless.contains(record.getRunId());
  }

  public List<Deadline> deadlinesAdded() {
    return List.copyOf(deadlinesAdded);
  }

  public List<Deadline> deadlinesRemoved() {
    return List.copyOf(deadlinesRemoved);
  }
}

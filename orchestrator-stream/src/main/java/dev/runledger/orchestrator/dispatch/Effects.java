package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import java.util.ArrayList;
import java.util.List;

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

  void control(final RunCommand command) {
    control.add(command);
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

  public List<Deadline> deadlinesAdded() {
    return List.copyOf(deadlinesAdded);
  }

  public List<Deadline> deadlinesRemoved() {
    return List.copyOf(deadlinesRemoved);
  }
}

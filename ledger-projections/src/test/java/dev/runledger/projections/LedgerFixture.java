package dev.runledger.projections;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ApiOutcome;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.AvailableApis;
import dev.runledger.avro.CancelRequested;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.Decision;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.Permissions;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunLiveness;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.SteeringDropped;
import dev.runledger.avro.SteeringInjected;
import dev.runledger.avro.SteeringItem;
import dev.runledger.avro.SteeringQueued;
import dev.runledger.avro.UnknownResult;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the ledger records of one run the way the orchestrator and workers do: attempt 0 for the
 * orchestrator, per-attempt sequences from 1, and a clock that advances one second per record.
 */
public final class LedgerFixture {
  public static final Instant START = Instant.ofEpochMilli(1_700_000_000_000L);
  public static final Instant DEADLINE = START.plusSeconds(600);

  /** The workspace of a fixture's run unless it names another. */
  public static final String WS = "ws-1";

  private final String runId;
  private final String workspace;
  private final Map<Integer, Long> sequences = new HashMap<>();
  private Instant clock = START;

  public LedgerFixture(final String runId) {
    this(runId, WS);
  }

  /** A run of {@code workspace}, in its conversation {@code conv-1}. */
  public LedgerFixture(final String runId, final String workspace) {
    this.runId = runId;
    this.workspace = workspace;
  }

  public String runId() {
    return runId;
  }

  /** A record of {@code attempt} with that attempt's next sequence. */
  public LedgerRecord next(final int attempt, final Object body) {
    final long sequence = sequences.merge(attempt, 1L, Long::sum);
    return at(attempt, sequence, body);
  }

  /** A record with an explicit sequence (for gaps and regressions); moves the counter there. */
  public LedgerRecord at(final int attempt, final long sequence, final Object body) {
    sequences.merge(attempt, sequence, Math::max);
    clock = clock.plusSeconds(1);
    return LedgerRecord.newBuilder()
        .setRunId(runId)
        .setAttempt(attempt)
        .setSequence(sequence)
        .setTimestamp(clock)
        .setProducer(attempt == 0 ? "orchestrator" : "worker-" + attempt)
        .setConversationKey(workspace + "/bot-1/conv-1/")
        .setBody(body)
        .build();
  }

  public LedgerRecord created() {
    return next(0, createdBody());
  }

  /** A claim as written before LedgerRecord v2: no phase (a liveness record follows it). */
  public LedgerRecord claimed(final int attempt) {
    return claimed(attempt, null);
  }

  /** A claim carrying the attempt's first liveness phase (LedgerRecord v2). */
  public LedgerRecord claimed(final int attempt, final LivenessPhase phase) {
    return next(attempt, new RunClaimed("worker-" + attempt, attempt, phase));
  }

  public LedgerRecord liveness(final int attempt, final LivenessPhase phase) {
    return next(attempt, new RunLiveness(phase));
  }

  public LedgerRecord delta(final int attempt, final String text) {
    return result(attempt, "message.delta", new MessageDelta(new ChatMessage("assistant", text)));
  }

  public LedgerRecord message(final int attempt, final String text) {
    return result(
        attempt, "message.completed", new MessageCompleted(new ChatMessage("assistant", text)));
  }

  public LedgerRecord completed(final int attempt) {
    return result(attempt, "run.completed", new RunCompleted("stop", null, List.of()));
  }

  public LedgerRecord completedWith(final int attempt, final String text) {
    return result(
        attempt,
        "run.completed",
        new RunCompleted("stop", new ChatMessage("assistant", text), List.of()));
  }

  public LedgerRecord failed(final int attempt, final String code) {
    return result(
        attempt, "run.failed", new RunFailed(code, "it went wrong: " + code, true, List.of()));
  }

  public LedgerRecord unknown(final int attempt, final String type) {
    return result(attempt, type, new UnknownResult(type, "{\"answer\":42}"));
  }

  public LedgerRecord result(final int attempt, final String type, final Object payload) {
    return next(attempt, new AgentRunResult(type, payload));
  }

  public LedgerRecord timedOut() {
    return next(0, new RunTimedOut(DEADLINE));
  }

  public LedgerRecord cancelRequested() {
    return next(0, new CancelRequested("user asked", "api"));
  }

  public LedgerRecord queued(final String eventId) {
    final SteeringItem item =
        SteeringItem.newBuilder()
            .setSourceEventId(eventId)
            .setClaimedRunId(runId)
            .setRunnerId("builtin:echo/default")
            .setClaimedAt(clock)
            .setInput(EventInput.newBuilder().setText("more").build())
            .build();
    return next(0, new SteeringQueued(item));
  }

  public LedgerRecord injected(final int attempt, final String eventId) {
    return next(attempt, new SteeringInjected(eventId));
  }

  public LedgerRecord dropped(final String eventId) {
    return next(0, new SteeringDropped(eventId, "run.ended"));
  }

  public LedgerRecord hostApiCall(final int attempt) {
    return next(
        attempt,
        new HostApiCall("history_page", "conv-1", "conversation", ApiOutcome.ALLOWED, null));
  }

  private RunCreated createdBody() {
    final AuthorizationSnapshot snapshot =
        AuthorizationSnapshot.newBuilder()
            .setRunId(runId)
            .setRunnerId("builtin:echo/default")
            .setBindingId("binding-1")
            .setWorkspaceId(workspace)
            .setConversationId("conv-1")
            .setPermissions(Permissions.newBuilder().build())
            .setAvailableApis(AvailableApis.newBuilder().build())
            .setCreatedAt(START)
            .build();
    return RunCreated.newBuilder()
        .setEventId("event-" + runId)
        .setEventType("message.received")
        .setBindingId("binding-1")
        .setRunnerId("builtin:echo/default")
        .setPool("default")
        .setWorkspaceId(workspace)
        .setConversationId("conv-1")
        .setSnapshot(snapshot)
        .setDeadlineAt(DEADLINE)
        .setDecision(Decision.RUN_CREATED)
        .build();
  }
}

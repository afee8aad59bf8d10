package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.StartRun;
import dev.runledger.schemas.topics.ConversationKeys;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Turns a binding resolution into what the orchestrator writes for the event (ARCHITECTURE.md §6.3,
 * {@code parallel} policy): the decision, and for a new run its {@code RunCreated} ledger record
 * and its {@code StartRun} command. Pure; the topology writes the results in one transaction.
 *
 * <p>A {@code StartRun} is the event and the binding's {@code runner_config} together, so it can be
 * larger than either: one over the record limit ({@code record.max.bytes}, ARCHITECTURE.md §2.8)
 * would fail the transaction, so the event is rejected as {@value #PAYLOAD_TOO_LARGE} instead.
 */
public final class RunDecider {
  /** Producer of every ledger record the orchestrator writes. */
  public static final String PRODUCER = "orchestrator";

  /** The runner's manifest names a pool that is not configured, so no command topic exists. */
  public static final String POOL_UNKNOWN = "runner.pool_unknown";

  /** The run's {@code StartRun} would be over the record limit. */
  public static final String PAYLOAD_TOO_LARGE = "payload.too_large";

  /** Run timeout used when a binding carries none (or a non-positive one). */
  public static final long DEFAULT_TIMEOUT_MS = 600_000;

  private final Set<String> pools;
  private final ToIntFunction<RunCommand> commandSize;
  private final int maxRecordBytes;

  /** A decider that sends commands only to these pools, of any size. */
  public RunDecider(final Set<String> pools) {
    this(pools, command -> 0, Integer.MAX_VALUE);
  }

  /**
   * A decider that sends commands only to these pools, and only those that measure at most {@code
   * maxRecordBytes} by {@code commandSize} (key and encoded value).
   */
  public RunDecider(
      final Set<String> pools,
      final ToIntFunction<RunCommand> commandSize,
      final int maxRecordBytes) {
    this.pools = Set.copyOf(pools);
    this.commandSize = commandSize;
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * What to write for one event.
   *
   * @param decision the event's dispatch decision, keyed by workspace and event id
   * @param run the created run, when there is one
   */
  public record Dispatch(DispatchDecision decision, Optional<CreatedRun> run) {}

  /**
   * A new run.
   *
   * @param runId the run, key of both records
   * @param pool the worker pool whose command topic gets {@code start}
   * @param created {@code RunCreated}, attempt 0, sequence 1
   * @param start the {@code StartRun} command
   */
  public record CreatedRun(String runId, String pool, LedgerRecord created, RunCommand start) {
    /** The {@code RunCreated} body of {@link #created}. */
    public RunCreated body() {
      return (RunCreated) created.getBody();
    }
  }

  /** Decides for {@code event} given its {@code resolution}, at {@code now}. */
  public Dispatch decide(final HostEvent event, final Resolution resolution, final Instant now) {
    return switch (resolution.outcome()) {
      case NO_BINDING -> new Dispatch(Decisions.noBinding(event, now), Optional.empty());
      case REJECTED -> rejected(event, resolution.binding(), resolution.reason(), now);
      case MATCHED ->
          create(event, resolution.binding(), resolution.manifest(), now, Decision.RUN_CREATED);
    };
  }

  /**
   * Creates the run of {@code event} under {@code binding} now, recording {@code kind} as the
   * decision that created it ({@code run_created}, or {@code enqueued}/{@code followup} for a run
   * created after an earlier one ended); rejected with {@value #POOL_UNKNOWN} when the runner's
   * pool has no command topic, and with {@value #PAYLOAD_TOO_LARGE} when the {@code StartRun} would
   * be over the record limit.
   */
  public Dispatch create(
      final HostEvent event,
      final AgentBinding binding,
      final RunnerManifest manifest,
      final Instant now,
      final Decision kind) {
    final String pool = manifest.getPool();
    if (!pools.contains(pool)) {
      return rejected(event, binding, POOL_UNKNOWN, now);
    }
    final String runId =
        RunIds.runId(event.getWorkspaceId(), event.getEventId(), binding.getBindingId());
    final long timeoutMs = binding.getTimeoutMs() > 0 ? binding.getTimeoutMs() : DEFAULT_TIMEOUT_MS;
    final Instant deadline = now.plusMillis(timeoutMs);
    final AuthorizationSnapshot snapshot =
        AuthorizationSnapshots.intersect(manifest, binding, event, runId, now);
    final RunCommand start =
        RunCommand.newBuilder()
            .setRunId(runId)
            .setKind(
                StartRun.newBuilder()
                    .setContext(RunContexts.startContext(event, binding, snapshot, runId, deadline))
                    .setSnapshot(snapshot)
                    .setDeadlineAt(deadline)
                    .build())
            .build();
    if (commandSize.applyAsInt(start) > maxRecordBytes) {
      return rejected(event, binding, PAYLOAD_TOO_LARGE, now);
    }
    final LedgerRecord created =
        LedgerRecord.newBuilder()
            .setRunId(runId)
            .setAttempt(0)
            .setSequence(1)
            .setTimestamp(now)
            .setProducer(PRODUCER)
            .setConversationKey(ConversationKeys.conversationKey(event))
            .setBody(
                RunCreated.newBuilder()
                    .setEventId(event.getEventId())
                    .setEventType(event.getEventType())
                    .setBindingId(binding.getBindingId())
                    .setRunnerId(manifest.getRunnerId())
                    .setPool(pool)
                    .setWorkspaceId(event.getWorkspaceId())
                    .setConversationId(event.getConversationId())
                    .setSnapshot(snapshot)
                    .setDeadlineAt(deadline)
                    .setDecision(kind)
                    .build())
            .build();
    return new Dispatch(
        Decisions.of(event, kind, runId, binding.getBindingId(), null, now),
        Optional.of(new CreatedRun(runId, pool, created, start)));
  }

  private static Dispatch rejected(
      final HostEvent event, final AgentBinding binding, final String reason, final Instant now) {
    final String bindingId = binding == null ? null : binding.getBindingId();
    return new Dispatch(Decisions.rejected(event, bindingId, reason, now), Optional.empty());
  }
}

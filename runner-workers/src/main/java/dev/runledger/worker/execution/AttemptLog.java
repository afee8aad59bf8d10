package dev.runledger.worker.execution;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunLiveness;
import dev.runledger.avro.SteeringInjected;
import dev.runledger.avro.SteeringItem;
import dev.runledger.worker.claim.RunClaim;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.Results;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The ledger records of one attempt, decided without I/O, threads or a clock: each change returns
 * the records to append, in order, and the caller appends them in that order. Not thread-safe; the
 * caller serialises changes.
 *
 * <p>The rules, in the order they apply:
 *
 * <ol>
 *   <li>Sequences start at 1 with {@code RunClaimed{worker_id, attempt, phase}} and increase by one
 *       per record; every record carries {@code run_id}, {@code attempt}, {@code producer} = worker
 *       id and the conversation key. The claim's {@code phase} is the attempt's first liveness
 *       phase, so no {@code RunLiveness} of its own follows it.
 *   <li>Exactly one terminal: the first {@link #end} (or terminal {@link #emit}) writes it; after
 *       it — or after the attempt {@linkplain #giveUp gave up} — nothing is written but a delta
 *       held from before and the {@linkplain #audit audit} of a host-API call (every call, denied
 *       ones above all, is audited).
 *   <li>The terminal's {@code pulled_steering} lists, after the runner's own ids, the source event
 *       ids of the steering items this attempt {@linkplain #pull pulled}, each pull appending
 *       {@code SteeringInjected} per item.
 *   <li>A liveness record is written only when the phase changes (from the claim's on).
 *   <li>With coalescing on, consecutive {@code message.delta}s of one role are merged into one held
 *       delta (up to {@value #MAX_COALESCED_CHARS} characters); any other record flushes it first,
 *       so ledger order is kept. The caller {@linkplain #flushDelta flushes} it when its window
 *       passes (ARCHITECTURE.md §7.2). A {@code message.completed} of the same role whose text
 *       contains the held delta's drops it instead: the delta would repeat part of the message that
 *       follows it at once. Deltas already written stay, so a runner that streams for longer than
 *       the window still streams.
 *   <li>No record over the ledger's record limit ({@code record.max.bytes}, measured as it will be
 *       encoded) is written: in its place, with its sequence, comes the terminal {@code
 *       runner.output_limit} naming its size and the limit, and the attempt has ended
 *       (ARCHITECTURE.md §2.8). The caller {@linkplain #takeRefusal stops the runner}.
 * </ol>
 */
final class AttemptLog {
  static final int MAX_COALESCED_CHARS = 16 * 1024;

  /** What {@link #emit} did with a result. */
  enum Emit {
    /** Appended as it came (with a held delta before it). */
    APPENDED,
    /** A delta now held: the caller flushes it when the coalescing window passes. */
    HELD,
    /** A delta merged into the one held. */
    MERGED,
    /** The attempt's terminal. */
    ENDED,
    /** Came after the attempt ended: nothing written. */
    IGNORED
  }

  /** What {@link #emit} did and the records to append. */
  record Emitted(Emit outcome, List<LedgerRecord> records) {}

  /** The steering items a {@link #pull} took, and the records to append. */
  record Pulled(List<SteeringItem> items, List<LedgerRecord> records) {}

  /** The last sequence written; 0 before the claim. */
  private long sequence;

  /** Set by the terminal or by giving up; nothing but a held delta is written after. */
  private boolean ended;

  /** The last liveness phase written. */
  private LivenessPhase phase;

  private int steeringCursor;

  /** The delta waiting to be merged with the next one, when coalescing. */
  private MessageDelta heldDelta;

  /** The steering items pulled, for the terminal. */
  private final PulledSteering pulled = new PulledSteering();

  private final RunClaim claim;
  private final String workerId;
  private final String conversationKey;
  private final boolean coalesceDeltas;
  private final ToIntFunction<LedgerRecord> encodedSize;
  private final int maxRecordBytes;

  /** Set when the attempt gave up without a terminal. */
  private boolean gaveUp;

  /** Why a record over the limit ended the attempt, until {@link #takeRefusal} takes it. */
  private String refusal;

  /**
   * The log of {@code claim} on this worker: its id as producer, its coalescing, and the record
   * limit of its appender.
   */
  static AttemptLog of(final RunClaim claim, final WorkerContext worker) {
    final LedgerAppender appender = worker.appender();
    return new AttemptLog(
        claim,
        worker.workerId(),
        !worker.deltaCoalesce().isZero(),
        appender::encodedSize,
        appender.maxRecordBytes());
  }

  /** An attempt with no record limit. */
  AttemptLog(final RunClaim claim, final String workerId, final boolean coalesceDeltas) {
    this(claim, workerId, coalesceDeltas, record -> 0, Integer.MAX_VALUE);
  }

  /**
   * An attempt whose records must each measure at most {@code maxRecordBytes} by {@code
   * encodedSize}.
   */
  AttemptLog(
      final RunClaim claim,
      final String workerId,
      final boolean coalesceDeltas,
      final ToIntFunction<LedgerRecord> encodedSize,
      final int maxRecordBytes) {
    this.claim = claim;
    this.workerId = workerId;
    this.conversationKey = claim.conversationKey();
    this.coalesceDeltas = coalesceDeltas;
    this.encodedSize = encodedSize;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** True once the terminal was written or the attempt gave up. */
  boolean ended() {
    return ended;
  }

  /**
   * Once after a record over the limit ended the attempt: the reason (the terminal's error), so the
   * caller stops the runner; else null.
   */
  String takeRefusal() {
    final String taken = refusal;
    refusal = null;
    return taken;
  }

  /** How many of the run's steering items (in claim order) this attempt has pulled. */
  int steeringCursor() {
    return steeringCursor;
  }

  /**
   * The claim record, sequence 1, carrying the attempt's first liveness phase when it has one (the
   * attempt runs its runner) instead of a {@code RunLiveness} of its own.
   */
  List<LedgerRecord> claimed(final LivenessPhase firstPhase, final Instant now) {
    if (sequence != 0) {
      throw new IllegalStateException("the claim is the attempt's first record");
    }
    phase = firstPhase;
    return append(
        RunClaimed.newBuilder()
            .setWorkerId(workerId)
            .setAttempt(claim.attempt())
            .setPhase(firstPhase)
            .build(),
        now);
  }

  /** A liveness record when the phase changes; nothing once ended. */
  List<LedgerRecord> liveness(final LivenessPhase next, final Instant now) {
    if (ended || next == phase) {
      return List.of();
    }
    phase = next;
    return append(RunLiveness.newBuilder().setPhase(next).build(), now);
  }

  /** A runner's result: appended, held or merged (a delta), the terminal, or ignored once ended. */
  Emitted emit(final AgentRunResult result, final Instant now) {
    if (ended) {
      return new Emitted(Emit.IGNORED, List.of());
    }
    if (Results.isTerminal(result)) {
      return new Emitted(Emit.ENDED, end(result, now));
    }
    if (coalesceDeltas && result.getPayload() instanceof MessageDelta delta) {
      return hold(delta, now);
    }
    if (result.getPayload() instanceof MessageCompleted completed && repeats(completed)) {
      heldDelta = null;
    }
    return new Emitted(Emit.APPENDED, append(result, now));
  }

  /** An audit record of a host-API call, also once ended (then it follows the terminal). */
  List<LedgerRecord> audit(final HostApiCall call, final Instant now) {
    return append(call, now);
  }

  /**
   * Takes steering items (all, or only the oldest) and appends {@code SteeringInjected} for each.
   *
   * @param queued the run's items from {@link #steeringCursor()} on, in claim order
   */
  Pulled pull(final List<SteeringItem> queued, final boolean oneOnly, final Instant now) {
    if (ended) {
      return new Pulled(List.of(), List.of());
    }
    final List<SteeringItem> taken =
        oneOnly && queued.size() > 1 ? List.of(queued.get(0)) : List.copyOf(queued);
    steeringCursor += taken.size();
    final List<LedgerRecord> records = new ArrayList<>();
    for (final SteeringItem item : taken) {
      records.addAll(
          append(
              SteeringInjected.newBuilder().setSourceEventId(item.getSourceEventId()).build(),
              now));
      pulled.add(item.getSourceEventId());
    }
    return new Pulled(taken, List.copyOf(records));
  }

  /**
   * The terminal, with this attempt's pulled steering added to its {@code pulled_steering}; empty
   * when the attempt already ended, so a non-empty answer means this call ended it.
   */
  List<LedgerRecord> end(final AgentRunResult terminal, final Instant now) {
    if (ended) {
      return List.of();
    }
    ended = true;
    return append(pulled.listedIn(terminal), now);
  }

  /** {@code RunLiveness{runner_stalled}}, then the terminal; empty when already ended. */
  List<LedgerRecord> stalled(final AgentRunResult terminal, final Instant now) {
    if (ended) {
      return List.of();
    }
    phase = LivenessPhase.RUNNER_STALLED;
    final List<LedgerRecord> records =
        new ArrayList<>(append(RunLiveness.newBuilder().setPhase(phase).build(), now));
    records.addAll(end(terminal, now));
    return List.copyOf(records);
  }

  /** Ends the attempt without a terminal; true if this call ended it. */
  boolean giveUp() {
    if (ended) {
      return false;
    }
    ended = true;
    gaveUp = true;
    return true;
  }

  /** The held delta, if any. */
  List<LedgerRecord> flushDelta(final Instant now) {
    if (heldDelta == null) {
      return List.of();
    }
    final MessageDelta delta = heldDelta;
    heldDelta = null;
    return fitted(List.of(), record(new AgentRunResult(Results.MESSAGE_DELTA, delta), now), now);
  }

  /**
   * True when the held delta says nothing {@code completed} does not: same role, its text inside
   * the message's. Only a held delta is dropped; one already written stays.
   */
  private boolean repeats(final MessageCompleted completed) {
    return heldDelta != null
        && heldDelta.getChunk().getRole().equals(completed.getMessage().getRole())
        && completed.getMessage().getContent().contains(heldDelta.getChunk().getContent());
  }

  private Emitted hold(final MessageDelta delta, final Instant now) {
    if (heldDelta != null
        && heldDelta.getChunk().getRole().equals(delta.getChunk().getRole())
        && heldDelta.getChunk().getContent().length() < MAX_COALESCED_CHARS) {
      heldDelta =
          MessageDelta.newBuilder()
              .setChunk(
                  ChatMessage.newBuilder(heldDelta.getChunk())
                      .setContent(heldDelta.getChunk().getContent() + delta.getChunk().getContent())
                      .build())
              .build();
      return new Emitted(Emit.MERGED, List.of());
    }
    final List<LedgerRecord> flushed = flushDelta(now);
    heldDelta = delta;
    return new Emitted(Emit.HELD, flushed);
  }

  /**
   * The held delta (if any), then a record of {@code body}; only the first when the held delta was
   * over the limit.
   */
  private List<LedgerRecord> append(final Object body, final Instant now) {
    final boolean fitting = refusal == null;
    final List<LedgerRecord> flushed = flushDelta(now);
    if (fitting && refusal != null) {
      return flushed;
    }
    return fitted(flushed, record(body, now), now);
  }

  /**
   * {@code before}, then {@code record} when it is within the limit. Otherwise the attempt ends:
   * {@code record} is replaced by the terminal {@code runner.output_limit} with its sequence (or,
   * after giving up, dropped).
   */
  private List<LedgerRecord> fitted(
      final List<LedgerRecord> before, final LedgerRecord record, final Instant now) {
    final int size = encodedSize.applyAsInt(record);
    final List<LedgerRecord> records = new ArrayList<>(before);
    if (size <= maxRecordBytes) {
      records.add(record);
      return List.copyOf(records);
    }
    sequence--;
    ended = true;
    heldDelta = null;
    if (gaveUp) {
      return List.copyOf(records);
    }
    refusal =
        "the runner's "
            + describe(record.getBody())
            + " is "
            + size
            + " bytes as a ledger record, over the limit of "
            + maxRecordBytes
            + " bytes (record.max.bytes); it was not written and the run is failed";
    records.add(
        record(
            pulled.listedIn(Results.failed(FailureCodes.RUNNER_OUTPUT_LIMIT, refusal, false)),
            now));
    return List.copyOf(records);
  }

  private static String describe(final Object body) {
    return body instanceof AgentRunResult result
        ? result.getType() + " result"
        : body.getClass().getSimpleName() + " record";
  }

  private LedgerRecord record(final Object body, final Instant now) {
    return LedgerRecord.newBuilder()
        .setRunId(claim.runId())
        .setAttempt(claim.attempt())
        .setSequence(++sequence)
        .setTimestamp(now)
        .setProducer(workerId)
        .setConversationKey(conversationKey)
        .setBody(body)
        .build();
  }
}

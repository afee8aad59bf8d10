package dev.runledger.orchestrator.topology;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.ConversationState;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.orchestrator.dispatch.BindingResolver;
import dev.runledger.orchestrator.dispatch.Conversation;
import dev.runledger.orchestrator.dispatch.Decisions;
import dev.runledger.orchestrator.dispatch.DispatchPolicy;
import dev.runledger.orchestrator.dispatch.Effects;
import dev.runledger.orchestrator.dispatch.FilterLimits;
import dev.runledger.orchestrator.dispatch.Resolution;
import dev.runledger.orchestrator.dispatch.RunDecider;
import dev.runledger.schemas.metrics.LedgerMeters;
import dev.runledger.schemas.topics.ConversationKeys;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import dev.runledger.schemas.topics.WorkspaceKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conversation processor: runs new events (keyed by {@code workspace_id/event_id}) and run
 * notices (keyed by routing key) through {@link DispatchPolicy} against the conversation's state in
 * {@value DispatchTopology#STORE_CONVERSATIONS}, and writes the {@link Effects}. A wall-clock
 * punctuator finds runs past their deadline in {@value DispatchTopology#STORE_DEADLINES}. Every
 * decision is also kept in {@value DispatchTopology#STORE_DECISIONS} so that a duplicate can name
 * the original run.
 */
final class ConversationProcessor
    implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(ConversationProcessor.class);

  /** Most passed deadlines one punctuation times out; the rest wait for the next. */
  static final int MAX_DEADLINES_PER_PUNCTUATION = 1000;

  private final LedgerTopics topics;
  private final OrchestratorSettings settings;
  private final Outputs out;
  private final BindingResolver resolver;
  private ProcessorContext<String, SpecificRecord> context;
  private StoredRecords<AgentBinding> bindings;
  private StoredRecords<RunnerManifest> runners;
  private DispatchPolicy policy;
  private KeyValueStore<String, ConversationState> conversations;
  private KeyValueStore<String, String> deadlines;
  private WindowStore<String, DispatchDecision> decisions;

  /** The events whose decisions {@link #write} forwarded for the current record. */
  private final Set<String> decidedNow = new HashSet<>();

  /**
   * Where the processor's effects go.
   *
   * @param decisions each event's decision, keyed by {@code workspace_id/event_id}
   * @param ledger attempt-0 ledger records, keyed by run id
   * @param starts {@code StartRun} commands with the {@value DispatchTopology#POOL_HEADER} header
   * @param control {@code CancelRun} and {@code SteerRun} commands
   */
  record Outputs(
      Outlet<String, DispatchDecision> decisions,
      Outlet<String, LedgerRecord> ledger,
      Outlet<String, RunCommand> starts,
      Outlet<String, RunCommand> control) {}

  ConversationProcessor(
      final LedgerTopics topics,
      final OrchestratorSettings settings,
      final FilterLimits limits,
      final Outputs out) {
    this.topics = topics;
    this.settings = settings;
    this.resolver = new BindingResolver(limits);
    this.out = out;
  }

  @Override
  public void init(final ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.bindings =
        new StoredRecords<>(
            context.getStateStore(DispatchTopology.STORE_BINDINGS),
            topics.bindings().valueSerde().deserializer(),
            topics.bindings().name());
    this.runners =
        new StoredRecords<>(
            context.getStateStore(DispatchTopology.STORE_RUNNERS),
            topics.runners().valueSerde().deserializer(),
            topics.runners().name());
    this.policy =
        new DispatchPolicy(
            decider(),
            (workspace, id) -> bindings.get(WorkspaceKeys.key(workspace, id)),
            runners::get);
    this.conversations = context.getStateStore(DispatchTopology.STORE_CONVERSATIONS);
    this.deadlines = context.getStateStore(DispatchTopology.STORE_DEADLINES);
    this.decisions = context.getStateStore(DispatchTopology.STORE_DECISIONS);
    context.schedule(
        settings.deadlineCheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::expire);
  }

  /**
   * A decider over the configured pools that measures each {@code StartRun} as its command topic
   * encodes it ({@code run-control} carries the same key and value types) against {@code
   * record.max.bytes}.
   */
  private RunDecider decider() {
    final Topic<String, RunCommand> commands = topics.runControl();
    return new RunDecider(
        settings.pools(),
        command -> commands.encodedSize(command.getRunId(), command),
        topics.settings().maxRecordBytes());
  }

  @Override
  public void process(final Record<String, SpecificRecord> record) {
    final Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    if (record.value() instanceof HostEvent event) {
      decidedNow.clear();
      try {
        dispatch(event, record.timestamp(), now);
      } catch (final RuntimeException e) {
        // The event still gets its one decision (unless write() had already forwarded it), and the
        // processing exception handler dead-letters the record with Kafka Streams' headers.
        if (!decidedNow.contains(Decisions.key(event))) {
          FailedDispatch.decide(
              context, out.decisions(), decisions, "dispatching", event, record.timestamp(), e);
        }
        throw e;
      }
    } else if (record.value() instanceof RunNotice notice) {
      final String key = record.key();
      final ConversationState stored = conversations.get(key);
      final Conversation state = Conversation.from(stored);
      final Effects effects = policy.onNotice(state, key, notice, now);
      save(key, stored, state);
      write(effects, record.timestamp(), now);
    }
  }

  private void dispatch(final HostEvent event, final long timestamp, final Instant now) {
    final String key = ConversationKeys.ingestKey(event);
    final ConversationState stored = conversations.get(key);
    final Conversation state = Conversation.from(stored);
    // Only the bindings of the event's own workspace are candidates (their keys start with it).
    final Resolution resolution =
        resolver.resolve(
            event,
            bindings.withPrefix(WorkspaceKeys.key(event.getWorkspaceId(), "")),
            runners::get);
    final Effects effects = policy.onEvent(state, event, resolution, now);
    save(key, stored, state);
    write(effects, timestamp, now);
  }

  /** Times out every run whose deadline is before now (bounded per call). */
  private void expire(final long wallClockMs) {
    final List<KeyValue<String, String>> due = new ArrayList<>();
    try (KeyValueIterator<String, String> it =
        deadlines.range(DeadlineKeys.from(0), DeadlineKeys.until(wallClockMs))) {
      while (it.hasNext() && due.size() < MAX_DEADLINES_PER_PUNCTUATION) {
        due.add(it.next());
      }
    }
    final Instant now = Instant.ofEpochMilli(wallClockMs);
    for (final KeyValue<String, String> entry : due) {
      deadlines.delete(entry.key);
      final String key = entry.value;
      final ConversationState stored = conversations.get(key);
      final Conversation state = Conversation.from(stored);
      final Effects effects = policy.onDeadline(state, key, DeadlineKeys.runId(entry.key), now);
      LOG.info("run {} passed its deadline", DeadlineKeys.runId(entry.key));
      save(key, stored, state);
      write(effects, wallClockMs, now);
    }
  }

  /**
   * Writes {@code state} back over {@code stored} when it changed; an event or notice that changes
   * nothing kept (a run without a lane, a rejection, a notice of a run not held here) writes
   * nothing, so it costs no changelog record.
   */
  private void save(final String key, final ConversationState stored, final Conversation state) {
    if (state.isEmpty()) {
      if (stored != null) {
        conversations.delete(key);
      }
      return;
    }
    final ConversationState changed = state.toState();
    if (!changed.equals(stored)) {
      conversations.put(key, changed);
    }
  }

  private void write(final Effects effects, final long timestamp, final Instant now) {
    for (final Effects.Deadline deadline : effects.deadlinesRemoved()) {
      deadlines.delete(DeadlineKeys.key(deadline.deadlineMs(), deadline.runId()));
    }
    for (final LedgerRecord ledger : effects.ledger()) {
      out.ledger().forward(context, EffectRecords.ledger(effects, ledger, timestamp));
    }
    for (final RunDecider.CreatedRun run : effects.starts()) {
      final RecordHeaders pool = new RecordHeaders();
      TextHeaders.put(pool, DispatchTopology.POOL_HEADER, run.pool());
      out.starts().forward(context, new Record<>(run.runId(), run.start(), timestamp, pool));
      LedgerMeters.runCreated(run.pool());
    }
    for (final Effects.Deadline deadline : effects.deadlinesAdded()) {
      deadlines.put(
          DeadlineKeys.key(deadline.deadlineMs(), deadline.runId()), deadline.routingKey());
    }
    for (final RunCommand command : effects.control()) {
      out.control().forward(context, EffectRecords.control(effects, command, timestamp));
    }
    for (final DispatchDecision decision : effects.decisions()) {
      LOG.debug(
          "event {}: {} {} {}",
          decision.getEventId(),
          decision.getDecision(),
          decision.getRunId(),
          decision.getReason());
      if (RunDecider.PAYLOAD_TOO_LARGE.equals(decision.getReason())) {
        LOG.warn(
            "event {} rejected: its StartRun would be over record.max.bytes ({} bytes)",
            decision.getEventId(),
            topics.settings().maxRecordBytes());
      }
      final String key = Decisions.key(decision);
      decisions.put(key, decision, now.toEpochMilli());
      out.decisions().forward(context, new Record<>(key, decision, timestamp));
      LedgerMeters.eventDecided(decision.getDecision(), decision.getReason());
      decidedNow.add(key);
    }
  }
}

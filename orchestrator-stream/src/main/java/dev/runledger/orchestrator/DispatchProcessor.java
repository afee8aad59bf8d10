package dev.runledger.orchestrator;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.schemas.topics.LedgerTopics;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves each new event against the bindings and runners tables and writes the outcome: always a
 * decision keyed by event id; for a new run also {@code RunCreated} to the ledger and {@code
 * StartRun} to the pool's command topic, both keyed by run id. All three leave in the same
 * exactly-once transaction.
 */
final class DispatchProcessor implements Processor<String, HostEvent, Object, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(DispatchProcessor.class);

  private final LedgerTopics topics;
  private final RunDecider decider;
  private final BindingResolver resolver = new BindingResolver();
  private ProcessorContext<Object, Object> context;
  private StoredRecords<AgentBinding> bindings;
  private StoredRecords<RunnerManifest> runners;

  DispatchProcessor(final LedgerTopics topics, final OrchestratorSettings settings) {
    this.topics = topics;
    this.decider = new RunDecider(settings.pools());
  }

  @Override
  public void init(final ProcessorContext<Object, Object> context) {
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
  }

  @Override
  public void process(final Record<String, HostEvent> record) {
    final HostEvent event = record.value();
    final Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    final Resolution resolution = resolver.resolve(event, bindings.all(), runners::get);
    final RunDecider.Dispatch dispatch = decider.decide(event, resolution, now);
    dispatch
        .run()
        .ifPresent(
            run -> {
              context.forward(
                  record.withKey(run.runId()).withValue(run.created()),
                  DispatchTopology.SINK_LEDGER);
              final RecordHeaders pool = new RecordHeaders();
              TextHeaders.put(pool, DispatchTopology.POOL_HEADER, run.pool());
              context.forward(
                  record.withKey(run.runId()).withValue(run.start()).withHeaders(pool),
                  DispatchTopology.SINK_RUN_COMMANDS);
            });
    LOG.debug(
        "event {}: {} {}",
        event.getEventId(),
        dispatch.decision().getDecision(),
        dispatch.decision().getReason());
    context.forward(
        record.withKey(event.getEventId()).withValue(dispatch.decision()),
        DispatchTopology.SINK_DECISIONS);
  }
}

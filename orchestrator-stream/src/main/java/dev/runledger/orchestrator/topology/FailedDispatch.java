package dev.runledger.orchestrator.topology;

import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.orchestrator.dispatch.Decisions;
import dev.runledger.orchestrator.dispatch.DispatchPolicy;
import dev.runledger.schemas.metrics.LedgerMeters;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one decision of a host event whose processing failed unexpectedly in any step after it was
 * decoded (validation, dedupe, dispatch): {@code rejected} with {@value
 * DispatchPolicy#DISPATCH_FAILED}, so that every event still ends with exactly one decision. The
 * step then rethrows, and the processing exception handler dead-letters the record with Kafka
 * Streams' error headers and goes on with the next one. An event that does not even decode has no
 * event id to decide and is only dead-lettered.
 */
final class FailedDispatch {
  private static final Logger LOG = LoggerFactory.getLogger(FailedDispatch.class);

  private FailedDispatch() {}

  /**
   * Decides {@code event} as failed in {@code step} and forwards the decision to {@code out}. When
   * the step has the {@value DispatchTopology#STORE_DECISIONS} store ({@code decisions} not null)
   * the decision is kept there too, so that a redelivered copy is a {@code duplicate} of it; a
   * store that fails again only adds to {@code cause}.
   */
  static void decide(
      final ProcessorContext<? super String, ? super DispatchDecision> context,
      final Outlet<String, DispatchDecision> out,
      final WindowStore<String, DispatchDecision> decisions,
      final String step,
      final HostEvent event,
      final long timestamp,
      final RuntimeException cause) {
    LOG.error(
        "{} event {} failed; it is rejected as {}",
        step,
        Decisions.key(event),
        DispatchPolicy.DISPATCH_FAILED,
        cause);
    final long now = context.currentSystemTimeMs();
    final DispatchDecision failed =
        Decisions.rejected(event, null, DispatchPolicy.DISPATCH_FAILED, Instant.ofEpochMilli(now));
    if (decisions != null) {
      try {
        decisions.put(Decisions.key(event), failed, now);
      } catch (final RuntimeException again) {
        cause.addSuppressed(again);
      }
    }
    out.forward(context, new Record<>(Decisions.key(event), failed, timestamp));
    LedgerMeters.eventDecided(failed.getDecision(), failed.getReason());
  }
}

package dev.runledger.orchestrator.topology;

import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.orchestrator.dispatch.Effects;
import dev.runledger.schemas.topics.CancelMarks;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The records of a step's {@link Effects} as the orchestrator writes them, keyed by run id, with
 * their headers: {@value DispatchTopology#LANE_HEADER} on the {@code RunCreated} of a run started
 * without a lane, the {@link CancelMarks} header on every {@code CancelRun}.
 */
final class EffectRecords {
  private EffectRecords() {}

  static Record<String, LedgerRecord> ledger(
      final Effects effects, final LedgerRecord ledger, final long timestamp) {
    final RecordHeaders headers = new RecordHeaders();
    if (effects.startsLaneless(ledger)) {
      TextHeaders.put(headers, DispatchTopology.LANE_HEADER, DispatchTopology.NO_LANE);
    }
    return new Record<>(ledger.getRunId(), ledger, timestamp, headers);
  }

  static Record<String, RunCommand> control(
      final Effects effects, final RunCommand command, final long timestamp) {
    final RecordHeaders headers = new RecordHeaders();
    effects
        .cancelMark(command)
        .ifPresent(mark -> TextHeaders.put(headers, CancelMarks.HEADER, mark));
    return new Record<>(command.getRunId(), command, timestamp, headers);
  }
}

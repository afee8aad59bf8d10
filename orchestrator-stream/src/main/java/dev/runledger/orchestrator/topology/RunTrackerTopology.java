package dev.runledger.orchestrator.topology;

import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunNotice;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/** Sub-topology 1 of {@link DispatchTopology}, the run tracker, keyed by run id. */
final class RunTrackerTopology {
  private static final Outlet<byte[], byte[]> LEDGER_DEAD_LETTERS =
      new Outlet<>(DispatchTopology.SINK_LEDGER_DLQ);
  private static final Outlet<byte[], byte[]> CONTROL_DEAD_LETTERS =
      new Outlet<>(DispatchTopology.SINK_CONTROL_DLQ);

  /** Ledger records, run-control commands and cleanup {@code Forget}s, keyed by run id. */
  private static final Outlet<String, Object> RUN_INPUTS =
      new Outlet<>(DispatchTopology.MERGE_RUN_INPUTS);

  private RunTrackerTopology() {}

  /**
   * Sub-topology 1: ledger and run-control → run tracks → notices by routing key, and the records
   * of the runs it holds.
   */
  static KStream<String, RunNotice> build(
      final StreamsBuilder builder,
      final LedgerTopics topics,
      final OrchestratorSettings settings) {
    final Serde<byte[]> bytes = Serdes.ByteArray();
    final Topic<String, LedgerRecord> ledger = topics.runLedger();
    final Topic<String, RunCommand> control = topics.runControl();
    final KStream<Object, Object> ledgerRecords =
        builder.stream(
                ledger.name(), Consumed.with(bytes, bytes).withName(DispatchTopology.SOURCE_LEDGER))
            .process(
                () ->
                    new RecordDecoder<>(
                        ledger, RUN_INPUTS.name(), LEDGER_DEAD_LETTERS.name(), true),
                Named.as(DispatchTopology.PROCESSOR_DECODE_LEDGER));
    DispatchTopology.to(LEDGER_DEAD_LETTERS, ledgerRecords, topics.dlq());
    final KStream<Object, Object> controlCommands =
        builder.stream(
                control.name(),
                Consumed.with(bytes, bytes).withName(DispatchTopology.SOURCE_CONTROL))
            .process(
                () -> new RecordDecoder<>(control, RUN_INPUTS.name(), CONTROL_DEAD_LETTERS.name()),
                Named.as(DispatchTopology.PROCESSOR_DECODE_CONTROL));
    DispatchTopology.to(CONTROL_DEAD_LETTERS, controlCommands, topics.dlq());
    final Map<String, KStream<String, SpecificRecord>> tracked =
        RUN_INPUTS
            .of(ledgerRecords)
            .merge(RUN_INPUTS.of(controlCommands), Named.as(DispatchTopology.MERGE_RUN_INPUTS))
            .process(
                () -> new TrackerProcessor(settings.deadlineCheckInterval()),
                Named.as(DispatchTopology.PROCESSOR_TRACKER),
                DispatchTopology.STORE_RUN_TRACKS)
            .split(Named.as(DispatchTopology.SPLIT_TRACKED))
            .branch(
                (runId, out) -> out instanceof LedgerRecord,
                Branched.as(DispatchTopology.BRANCH_TRACKED_LEDGER))
            .branch(
                (runId, out) -> out instanceof RunCommand,
                Branched.as(DispatchTopology.BRANCH_TRACKED_CONTROL))
            .defaultBranch(Branched.as(DispatchTopology.BRANCH_TRACKED_NOTICES));
    RunTrackerTopology.<LedgerRecord>branch(tracked, DispatchTopology.BRANCH_TRACKED_LEDGER)
        .to(
            ledger.name(),
            Produced.with(ledger.keySerde(), ledger.valueSerde())
                .withName(DispatchTopology.SINK_TRACKER_LEDGER));
    RunTrackerTopology.<RunCommand>branch(tracked, DispatchTopology.BRANCH_TRACKED_CONTROL)
        .to(
            control.name(),
            Produced.with(control.keySerde(), control.valueSerde())
                .withName(DispatchTopology.SINK_TRACKER_CONTROL));
    return RunTrackerTopology.<RunNotice>branch(tracked, DispatchTopology.BRANCH_TRACKED_NOTICES)
        .repartition(
            Repartitioned.<String, RunNotice>as(DispatchTopology.REPARTITION_NOTICES)
                .withKeySerde(Serdes.String())
                .withValueSerde(topics.serdes().forType(RunNotice.class))
                .withNumberOfPartitions(topics.hostEvents().partitions()));
  }

  /**
   * The tracker's branch {@code name}, typed as what the tracker forwards there: the split sends
   * ledger records and commands to their branches and only notices to the default one.
   */
  @SuppressWarnings("unchecked")
  private static <V> KStream<String, V> branch(
      final Map<String, KStream<String, SpecificRecord>> tracked, final String name) {
    return (KStream<String, V>)
        (KStream<String, ?>) tracked.get(DispatchTopology.SPLIT_TRACKED + name);
  }
}

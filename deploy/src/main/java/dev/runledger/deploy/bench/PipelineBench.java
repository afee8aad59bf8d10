package dev.runledger.deploy.bench;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.EventSource;
import dev.runledger.avro.HostEvent;
import dev.runledger.deploy.DevStack;
import dev.runledger.orchestrator.dispatch.RunIds;
import dev.runledger.schemas.json.AvroJson;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The whole pipeline with the echo runner, in one process: host events produced straight onto the
 * ingest topic (no HTTP), decided by the orchestrator, run by the worker, folded by the
 * projections. Each run is timed twice, from just before its event is produced: to its first
 * terminal record in the ledger ({@code read_committed}), and to its terminal status being written
 * to the {@code runs} view (readable over the API from then), both seen by a {@link RunWatch}
 * without polling. Each phase also counts what it wrote to Kafka ({@link KafkaFootprint}).
 */
public final class PipelineBench {
  private static final String BINDING_ID = "bench-echo";
  private static final String WORKSPACE = "bench";
  private static final int CONVERSATIONS = 50;

  private final DevStack stack;
  private final Duration timeout;
  private final KafkaFootprint footprint;

  public PipelineBench(final DevStack stack, final Duration timeout) {
    this.stack = stack;
    this.timeout = timeout;
    this.footprint = new KafkaFootprint(stack);
  }

  /**
   * Figures of one phase; latency percentiles are written as fields of this object, prefixed.
   *
   * @param ledgerRunsPerSecond runs over the time until the last was terminal in the ledger
   * @param viewRunsPerSecond runs over the time until the last was readable as terminal in the view
   * @param ledgerRecordsPerRun the mean of the runs' {@code event_count} in the view
   * @param kafkaRecordsPerRun records written to every topic of the stack (changelogs and
   *     repartitions included), per run
   * @param markersPerRun transaction markers written, per run
   * @param streamsCommitsPerRun commits (transactions, under exactly-once) of both Streams apps
   * @param topics per topic (without the prefix): offsets and records written in the phase
   */
  public record Result(
      int runs,
      double offeredPerSecond,
      double ledgerRunsPerSecond,
      double viewRunsPerSecond,
      double ledgerRecordsPerRun,
      double kafkaRecordsPerRun,
      double markersPerRun,
      double streamsCommitsPerRun,
      @JsonUnwrapped(prefix = "ledger_latency_") Percentiles ledgerLatency,
      @JsonUnwrapped(prefix = "view_latency_") Percentiles viewLatency,
      Map<String, KafkaFootprint.Usage> topics) {}

  /** Binds the echo runner for the bench workspace and waits until the orchestrator knows it. */
  public void bind() {
    bindEcho(stack, WORKSPACE, BINDING_ID, "{}", timeout);
  }

  /**
   * Binds the echo runner with {@code config} (its {@code runner_config}, JSON) for every message
   * of {@code workspace}, in parallel, and waits until the orchestrator knows it.
   */
  static void bindEcho(
      final DevStack stack,
      final String workspace,
      final String bindingId,
      final String config,
      final Duration timeout) {
    final AgentBinding binding =
        AvroJson.fromJson(
            "{\"binding_id\":\""
                + bindingId
                + "\",\"scope\":{\"workspace_id\":\""
                + workspace
                + "\"},\"event_types\":[\"message.*\"],\"runner_id\":\""
                + DevStack.ECHO_RUNNER
                + "\",\"runner_config\":"
                + config
                + ",\"dispatch_policy\":{\"mode\":\"parallel\"}}",
            AgentBinding.class);
    stack.gateway().client().putBinding(binding).join();
    stack.awaitRunner(DevStack.ECHO_RUNNER, timeout);
    stack.awaitBinding(workspace, bindingId, timeout);
  }

  /** Offers {@code runs} events as fast as they can be produced. */
  public Result saturation(final int runs) throws InterruptedException, ExecutionException {
    return measure(runs, 0);
  }

  /** Offers {@code rate} events a second for {@code seconds}. */
  public Result fixedRate(final int rate, final int seconds)
      throws InterruptedException, ExecutionException {
    return measure(rate * seconds, rate);
  }

  private Result measure(final int runs, final int rate)
      throws InterruptedException, ExecutionException {
    try (RunWatch watch = new RunWatch(stack)) {
      final KafkaFootprint.Snapshot before = footprint.snapshot();
      watch.expect(runs);
      final long intervalNanos = rate == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / rate;
      final long began = System.nanoTime();
      for (int i = 0; i < runs; i++) {
        if (rate > 0) {
          Pacing.waitUntil(began + i * intervalNanos);
        }
        final HostEvent event = event(i);
        watch.sending(RunIds.runId(event.getWorkspaceId(), event.getEventId(), BINDING_ID));
        stack.gateway().client().send(event);
      }
      watch.awaitAll(timeout);
      final double toLedger = Math.max(1e-9, (watch.lastInLedger() - began) / 1e9);
      final double toView = Math.max(1e-9, (watch.lastInView() - began) / 1e9);
      // Trailing writes of the last runs (changelogs, deliveries) land within a commit or two.
      Thread.sleep(500);
      final KafkaFootprint.Written written = footprint.between(before, footprint.snapshot());
      return new Result(
          runs,
          rate == 0 ? Double.NaN : rate,
          runs / toLedger,
          runs / toView,
          watch.ledgerRecordsPerRun(),
          (double) written.records() / runs,
          (double) written.markers() / runs,
          written.streamsCommits() / runs,
          watch.ledgerLatencies().percentiles(),
          watch.viewLatencies().percentiles(),
          written.topics());
    }
  }

  private static HostEvent event(final int i) {
    return message("bench-", WORKSPACE, "c-" + (i % CONVERSATIONS), "bench message " + i);
  }

  /** A {@code message.received} host event with a fresh id starting {@code idPrefix}. */
  static HostEvent message(
      final String idPrefix, final String workspace, final String conversation, final String text) {
    return HostEvent.newBuilder()
        .setEventId(idPrefix + UUID.randomUUID())
        .setEventType("message.received")
        .setEventTime(Instant.now())
        .setSource(EventSource.API)
        .setWorkspaceId(workspace)
        .setConversationId(conversation)
        .setInput(dev.runledger.avro.EventInput.newBuilder().setText(text).build())
        .build();
  }
}

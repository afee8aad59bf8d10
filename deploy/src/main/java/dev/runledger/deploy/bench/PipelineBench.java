package dev.runledger.deploy.bench;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.AgentRun;
import dev.runledger.avro.EventSource;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.RunStatus;
import dev.runledger.deploy.DevStack;
import dev.runledger.orchestrator.dispatch.RunIds;
import dev.runledger.projections.query.RunQueries;
import dev.runledger.schemas.json.AvroJson;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The whole pipeline with the echo runner, in one process: host events produced straight onto the
 * ingest topic (no HTTP), decided by the orchestrator, run by the worker, folded by the
 * projections. A run counts as done when its {@code completed} status is readable in the {@code
 * runs} view; latency is from just before the event is produced to that moment.
 */
public final class PipelineBench {
  private static final String BINDING_ID = "bench-echo";
  private static final String WORKSPACE = "bench";
  private static final int CONVERSATIONS = 50;

  private final DevStack stack;
  private final Duration timeout;

  public PipelineBench(final DevStack stack, final Duration timeout) {
    this.stack = stack;
    this.timeout = timeout;
  }

  /** Figures of one phase; the latency percentiles are written as fields of this object. */
  public record Result(
      int runs,
      double offeredPerSecond,
      double runsPerSecond,
      double ledgerRecordsPerRun,
      @JsonUnwrapped Percentiles latency) {}

  /** Binds the echo runner for the bench workspace and waits until the orchestrator knows it. */
  public void bind() {
    final AgentBinding binding =
        AvroJson.fromJson(
            "{\"binding_id\":\""
                + BINDING_ID
                + "\",\"scope\":{\"workspace_id\":\""
                + WORKSPACE
                + "\"},\"event_types\":[\"message.*\"],\"runner_id\":\""
                + DevStack.ECHO_RUNNER
                + "\",\"dispatch_policy\":{\"mode\":\"parallel\"}}",
            AgentBinding.class);
    stack.gateway().client().putBinding(binding).join();
    stack.awaitRunner(DevStack.ECHO_RUNNER, timeout);
    stack.awaitBinding(BINDING_ID, timeout);
  }

  /** Offers {@code runs} events as fast as they can be produced. */
  public Result saturation(final int runs) throws InterruptedException, TimeoutException {
    return measure(runs, 0);
  }

  /** Offers {@code rate} events a second for {@code seconds}. */
  public Result fixedRate(final int rate, final int seconds)
      throws InterruptedException, TimeoutException {
    return measure(rate * seconds, rate);
  }

  private Result measure(final int runs, final int rate)
      throws InterruptedException, TimeoutException {
    final Map<String, Long> pending = new HashMap<>();
    final Latencies latencies = new Latencies();
    final long intervalNanos = rate == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / rate;
    final long began = System.nanoTime();
    long records = 0;
    for (int i = 0; i < runs; i++) {
      if (rate > 0) {
        Pacing.waitUntil(began + i * intervalNanos);
      }
      final HostEvent event = event(i);
      pending.put(RunIds.runId(event.getEventId(), BINDING_ID), System.nanoTime());
      stack.gateway().client().send(event);
      if (rate > 0 || i % 200 == 199) {
        records += collect(pending, latencies);
      }
    }
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (!pending.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            pending.size() + " bench runs did not complete within " + timeout);
      }
      Thread.sleep(5);
      records += collect(pending, latencies);
    }
    final double elapsed = RawKafkaBench.seconds(began);
    return new Result(
        runs,
        rate == 0 ? Double.NaN : rate,
        runs / elapsed,
        (double) records / runs,
        latencies.percentiles());
  }

  /** Removes the runs now completed in the view; returns their ledger record counts. */
  private long collect(final Map<String, Long> pending, final Latencies latencies) {
    final RunQueries queries = stack.projections().queries();
    long records = 0;
    final Iterator<Map.Entry<String, Long>> it = pending.entrySet().iterator();
    while (it.hasNext()) {
      final Map.Entry<String, Long> entry = it.next();
      final Optional<AgentRun> run = queries.run(entry.getKey());
      if (run.isPresent()
          && run.get().getStatus() != RunStatus.QUEUED
          && run.get().getStatus() != RunStatus.RUNNING
          && run.get().getStatus() != RunStatus.CREATED) {
        if (run.get().getStatus() != RunStatus.COMPLETED) {
          throw new IllegalStateException(
              "bench run " + entry.getKey() + " ended " + run.get().getStatus());
        }
        latencies.add((System.nanoTime() - entry.getValue()) / 1000);
        records += run.get().getEventCount();
        it.remove();
      }
    }
    return records;
  }

  private static HostEvent event(final int i) {
    return HostEvent.newBuilder()
        .setEventId("bench-" + UUID.randomUUID())
        .setEventType("message.received")
        .setEventTime(Instant.now())
        .setSource(EventSource.API)
        .setWorkspaceId(WORKSPACE)
        .setConversationId("c-" + (i % CONVERSATIONS))
        .setInput(dev.runledger.avro.EventInput.newBuilder().setText("bench message " + i).build())
        .build();
  }
}

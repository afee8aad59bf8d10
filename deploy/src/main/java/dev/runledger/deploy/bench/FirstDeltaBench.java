package dev.runledger.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.AgentRun;
import dev.runledger.avro.HostEvent;
import dev.runledger.deploy.DevStack;
import dev.runledger.orchestrator.dispatch.RunIds;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * How soon a run's first {@code message.delta} reaches a client of its event stream ({@code GET
 * /v1/runs/{run_id}/events/stream}, server-sent events), from just before its host event is
 * produced. The runs use the echo runner with its chunks {@value #CHUNK_DELAY_MS} ms apart, so the
 * first delta is written while the run is still going, as a model's first tokens are. Each client
 * connects as soon as the run is in the view (told by the projections' run listener, no polling)
 * and reads from the start of the run, so a delta written before it connected counts when the
 * client receives it.
 */
public final class FirstDeltaBench {
  static final long CHUNK_DELAY_MS = 300;
  private static final String BINDING_ID = "bench-stream";
  private static final String WORKSPACE = "bench-stream";
  private static final String DELTA = "message.delta";

  private final DevStack stack;
  private final Duration timeout;
  // HTTP/1.1 as a browser's EventSource speaks it (no h2c upgrade attempt on each stream)
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public FirstDeltaBench(final DevStack stack, final Duration timeout) {
    this.stack = stack;
    this.timeout = timeout;
  }

  /** Binds the streaming echo runner for its own workspace. */
  public void bind() {
    PipelineBench.bindEcho(
        stack, WORKSPACE, BINDING_ID, "{\"chunk_delay_ms\":" + CHUNK_DELAY_MS + "}", timeout);
  }

  /**
   * Offers {@code runs} events at {@code rate} a second, each of a conversation of its own, and
   * times each run's first delta on its stream.
   */
  public Percentiles measure(final int runs, final int rate) throws InterruptedException {
    final Map<String, Long> sent = new ConcurrentHashMap<>();
    final Latencies latencies = new Latencies();
    final CountDownLatch done = new CountDownLatch(runs);
    final ExecutorService clients = Executors.newCachedThreadPool(FirstDeltaBench::daemon);
    final Consumer<AgentRun> listener =
        run -> {
          final Long at = sent.remove(run.getRunId());
          if (at != null) {
            clients.execute(() -> follow(run.getRunId(), at, latencies, done));
          }
        };
    stack.projections().addRunListener(listener);
    try {
      final long interval = TimeUnit.SECONDS.toNanos(1) / Math.max(1, rate);
      final long began = System.nanoTime();
      for (int i = 0; i < runs; i++) {
        Pacing.waitUntil(began + i * interval);
        final HostEvent event = event(i);
        sent.put(RunIds.runId(WORKSPACE, event.getEventId(), BINDING_ID), System.nanoTime());
        stack.gateway().client().send(event);
      }
      if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            done.getCount() + " of " + runs + " streams saw no delta within " + timeout);
      }
      return latencies.percentiles();
    } finally {
      stack.projections().removeRunListener(listener);
      clients.shutdownNow();
    }
  }

  /** Reads the run's stream until its first delta, then hangs up. */
  private void follow(
      final String runId, final long sentAt, final Latencies latencies, final CountDownLatch done) {
    final HttpRequest request =
        HttpRequest.newBuilder(URI.create(stack.baseUrl() + ApiPaths.runStream(runId)))
            .timeout(timeout)
            .header("Accept", "text/event-stream")
            .GET()
            .build();
    try {
      final HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader lines =
          new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.startsWith("data:") && isDelta(line.substring("data:".length()))) {
            latencies.add((System.nanoTime() - sentAt) / 1_000);
            done.countDown();
            return;
          }
        }
      }
    } catch (final IOException e) {
      // counted as missing: measure() reports the streams that saw no delta
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isDelta(final String json) {
    final JsonNode event = AvroJson.parse(json.strip(), "event");
    return DELTA.equals(event.path("type").asText());
  }

  private static HostEvent event(final int i) {
    return PipelineBench.message(
        "bench-stream-", WORKSPACE, "s-" + i, "streamed bench message " + i);
  }

  private static Thread daemon(final Runnable task) {
    final Thread thread = new Thread(task, "bench-stream-client");
    thread.setDaemon(true);
    return thread;
  }
}

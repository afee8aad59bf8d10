package dev.runledger.worker.runners;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.SteeringItem;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.HostApi;
import dev.runledger.worker.spi.Results;
import dev.runledger.worker.spi.RunSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A session recording results and host-API calls; the host API echoes params or refuses. */
final class ProcSession implements RunSession {
  final List<AgentRunResult> results = new CopyOnWriteArrayList<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private final List<Runnable> onCancel = new ArrayList<>();
  private final List<Runnable> onSteering = new ArrayList<>();

  @Override
  public String runId() {
    return "run-1";
  }

  @Override
  public int attempt() {
    return 1;
  }

  @Override
  public String workerId() {
    return "worker-a";
  }

  @Override
  public void emit(final AgentRunResult result) {
    if (results.stream().noneMatch(Results::isTerminal)) {
      results.add(result);
    }
  }

  @Override
  public boolean isCancelled() {
    return cancelled.getCount() == 0;
  }

  @Override
  public synchronized void onCancel(final Runnable action) {
    onCancel.add(action);
  }

  @Override
  public synchronized void onSteeringAvailable(final Runnable action) {
    onSteering.add(action);
  }

  void steer() {
    final List<Runnable> actions;
    synchronized (this) {
      actions = List.copyOf(onSteering);
    }
    actions.forEach(Runnable::run);
  }

  /** Cancels as the worker does: ends the run, then tells the runner. */
  void cancel() {
    emit(Results.failed("cancelled", "run cancelled: test", false));
    cancelled.countDown();
    final List<Runnable> actions;
    synchronized (this) {
      actions = List.copyOf(onCancel);
    }
    actions.forEach(Runnable::run);
  }

  @Override
  public boolean sleep(final Duration duration) throws InterruptedException {
    return !cancelled.await(duration.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public List<SteeringItem> pullSteering() {
    return List.of();
  }

  /** Echoes params or refuses; records every call, and every {@code refused} as "refused M R". */
  @Override
  public HostApi hostApi() {
    return new HostApi() {
      @Override
      public JsonNode call(final String method, final JsonNode params) {
        calls.add(method + " " + params);
        if (method.equals("forbidden")) {
          throw new AgentApiException(AgentApiException.UNAUTHORIZED, "not for you");
        }
        return AvroJson.mapper().createObjectNode().put("method", method);
      }

      @Override
      public void refused(final String method, final String resource) {
        calls.add("refused " + method + " " + resource);
      }
    };
  }

  AgentRunResult terminal() {
    return results.stream().filter(Results::isTerminal).findFirst().orElse(null);
  }
}

package dev.runledger.worker.builtin;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.SteeringItem;
import dev.runledger.worker.spi.HostApi;
import dev.runledger.worker.spi.RunSession;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A session that records results and hands out scripted steering pulls. */
final class FakeSession implements RunSession {
  private final List<AgentRunResult> results = new ArrayList<>();
  private final Deque<List<SteeringItem>> pulls = new ArrayDeque<>();
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private int sleeps;
  private final List<CompletableFuture<Boolean>> delays = new ArrayList<>();
  private HostApi hostApi =
      (method, params) -> {
        throw new UnsupportedOperationException("no host API in this test");
      };

  /** Host-API calls go to {@code api}. */
  FakeSession hostApi(final HostApi api) {
    this.hostApi = api;
    return this;
  }

  /** The next {@link #pullSteering()} calls return these, in order; then nothing. */
  FakeSession steering(final List<SteeringItem> pull) {
    pulls.add(pull);
    return this;
  }

  synchronized List<AgentRunResult> results() {
    return List.copyOf(results);
  }

  synchronized int sleeps() {
    return sleeps;
  }

  void cancel() {
    cancelled.countDown();
    final List<CompletableFuture<Boolean>> waiting;
    synchronized (this) {
      waiting = List.copyOf(delays);
      delays.clear();
    }
    waiting.forEach(delay -> delay.complete(false));
  }

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
  public synchronized void emit(final AgentRunResult result) {
    results.add(result);
  }

  @Override
  public boolean isCancelled() {
    return cancelled.getCount() == 0;
  }

  @Override
  public void onCancel(final Runnable action) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean sleep(final Duration duration) throws InterruptedException {
    synchronized (this) {
      sleeps++;
    }
    return !cancelled.await(duration.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletionStage<Boolean> delay(final Duration duration) {
    final CompletableFuture<Boolean> done = new CompletableFuture<>();
    synchronized (this) {
      sleeps++;
      delays.add(done);
    }
    if (isCancelled()) {
      done.complete(false);
    } else {
      CompletableFuture.delayedExecutor(duration.toMillis(), TimeUnit.MILLISECONDS)
          .execute(() -> done.complete(true));
    }
    return done;
  }

  @Override
  public synchronized List<SteeringItem> pullSteering() {
    return pulls.isEmpty() ? List.of() : pulls.poll();
  }

  @Override
  public HostApi hostApi() {
    return hostApi;
  }
}

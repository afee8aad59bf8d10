package dev.runledger.gateway;

import dev.runledger.schemas.http.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for Kafka to acknowledge writes; a write that fails or times out is a 503. */
final class Acknowledgements {
  static final String UNAVAILABLE = "unavailable";

  private final Duration timeout;

  Acknowledgements(final Duration timeout) {
    this.timeout = timeout;
  }

  /** The result of one write. */
  <T> T await(final CompletableFuture<T> write, final String what) {
    return awaitAll(List.of(write), what).get(0);
  }

  /** The results of several writes, in order, waiting at most the timeout for all of them. */
  <T> List<T> awaitAll(final List<CompletableFuture<T>> writes, final String what) {
    final long deadline = System.nanoTime() + timeout.toNanos();
    final List<T> results = new ArrayList<>(writes.size());
    try {
      for (final CompletableFuture<T> write : writes) {
        final long left = Math.max(0, deadline - System.nanoTime());
        results.add(write.get(left, TimeUnit.NANOSECONDS));
      }
      return results;
    } catch (final ExecutionException e) {
      throw unavailable(what, "Kafka refused the write: " + e.getCause().getMessage());
    } catch (final TimeoutException e) {
      throw unavailable(
          what, "Kafka did not acknowledge the write within " + timeout.toMillis() + " ms");
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(what, "the server is shutting down");
    }
  }

  private static ApiException unavailable(final String what, final String reason) {
    return new ApiException(
        503, UNAVAILABLE, "could not write " + what + ": " + reason + "; retry the request");
  }
}

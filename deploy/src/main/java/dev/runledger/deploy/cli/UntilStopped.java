package dev.runledger.deploy.cli;

import java.util.concurrent.CountDownLatch;

/** Keeps a command running until Ctrl-C or SIGTERM, then closes what it started. */
final class UntilStopped {
  private UntilStopped() {}

  /** Blocks until the JVM is asked to stop; {@code resource} is closed by the shutdown hook. */
  static void await(final AutoCloseable resource) {
    final CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    resource.close();
                  } catch (final Exception e) {
                    System.err.println("error while stopping: " + e);
                  } finally {
                    stopped.countDown();
                  }
                },
                "runledger-shutdown"));
    try {
      stopped.await();
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

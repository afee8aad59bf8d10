package dev.runledger.worker.execution;

/** The thread an attempt's runner runs on, while it is inside {@link RunExecution#execute}. */
final class RunnerThread {
  private final AttemptOutbox outbox;
  private Thread thread;

  RunnerThread(final AttemptOutbox outbox) {
    this.outbox = outbox;
  }

  /** The calling thread now runs the runner. */
  synchronized void enter() {
    thread = Thread.currentThread();
  }

  /**
   * The runner has returned. An interrupt this attempt delivered is cleared, so it does not leak
   * into the pool thread's next task.
   */
  synchronized void leave() {
    thread = null;
    Thread.interrupted();
  }

  /**
   * Interrupts the runner's thread while it runs the runner (once it has finished an append it is
   * making); true if it was running it.
   */
  synchronized boolean interrupt() {
    if (thread == null) {
      return false;
    }
    outbox.interrupt(thread);
    return true;
  }
}

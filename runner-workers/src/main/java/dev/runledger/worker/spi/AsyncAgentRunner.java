package dev.runledger.worker.spi;

import dev.runledger.avro.AgentRunContext;
import java.util.concurrent.CompletionStage;

/**
 * A runner that waits without a thread: {@link #start} returns at once with a stage that completes
 * when the attempt is over, so a run waiting on a timer ({@link RunSession#delay}), an HTTP stream
 * or a child process holds no platform thread. The worker then holds thousands of such runs with a
 * fixed number of threads (README, Worker). The contract is {@link AgentRunner}'s: emit through the
 * session, end with exactly one terminal (a stage completing without one fails the run {@code
 * no_output}, one completing exceptionally fails it {@code runner.error}), and stop promptly on
 * cancel ({@link RunSession#onCancel}, {@link RunSession#isCancelled}).
 *
 * <p>{@code start} runs on a worker thread and must not block; continuations run on the threads
 * that complete what the runner waits on (the worker's timer for {@link RunSession#delay}), so they
 * must not block either. A runner that has to block implements only {@link AgentRunner#run} and
 * gets a thread per run.
 */
public interface AsyncAgentRunner extends AgentRunner {

  /**
   * Starts one attempt of one run and returns without waiting for it.
   *
   * @return completes when the runner is done with the attempt
   */
  CompletionStage<Void> start(AgentRunContext context, RunSession session);

  /** Runs the attempt on the calling thread: {@link #start} and wait for it. */
  @Override
  default void run(final AgentRunContext context, final RunSession session) throws Exception {
    try {
      start(context, session).toCompletableFuture().get();
    } catch (final java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}

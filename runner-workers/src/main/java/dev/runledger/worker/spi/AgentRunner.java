package dev.runledger.worker.spi;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.RunnerManifest;

/**
 * An agent implementation, identified by the stable {@code runner_id} of its manifest (e.g. {@code
 * builtin:echo/default}). One instance serves every run of that runner on a worker, concurrently,
 * so {@link #run} must keep per-run state on its own stack or in the session.
 *
 * <p>The contract of {@link #run}:
 *
 * <ul>
 *   <li>Emit results through {@link RunSession#emit}; the worker appends each one to the ledger in
 *       the order emitted, with the attempt and a per-attempt sequence.
 *   <li>End with exactly one terminal result ({@code run.completed} or {@code run.failed}, see
 *       {@link Results}). Returning without one fails the run with {@code no_output}; throwing
 *       fails it with {@code runner.error}. Results emitted after the terminal are ignored.
 *   <li>Watch {@link RunSession#isCancelled()} (or use {@link RunSession#sleep} and {@link
 *       RunSession#onCancel}): on cancel or deadline the worker ends the run itself and interrupts
 *       the runner's thread, so a runner should return promptly.
 * </ul>
 */
public interface AgentRunner {

  /** What this runner declares: id, pool, capabilities, permissions, config schema. */
  RunnerManifest manifest();

  /**
   * Executes one attempt of one run on a worker thread.
   *
   * @param context what the runner sees; {@code runtime.attempt} is this claim's attempt number
   * @param session where results go, and how the runner learns about cancellation
   * @throws Exception any failure; the run ends {@code run.failed{code=runner.error}}
   */
  void run(AgentRunContext context, RunSession session) throws Exception;
}

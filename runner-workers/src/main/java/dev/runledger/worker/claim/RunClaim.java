package dev.runledger.worker.claim;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.RunRuntime;
import dev.runledger.avro.StartRun;
import dev.runledger.schemas.topics.ConversationKeys;

/**
 * One claim of a {@code StartRun} command.
 *
 * @param runId the run
 * @param attempt the claim's attempt number, from 1 (the share-group delivery count)
 * @param start the command
 */
public record RunClaim(String runId, int attempt, StartRun start) {
  public RunClaim {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, got " + attempt);
    }
  }

  /** The command's context as this attempt sees it: {@code runtime.attempt} is the claim's. */
  public AgentRunContext context() {
    final AgentRunContext context = start.getContext();
    final RunRuntime runtime =
        RunRuntime.newBuilder(context.getRuntime()).setAttempt(attempt).build();
    return AgentRunContext.newBuilder(context).setRuntime(runtime).build();
  }

  /** The runner the command names. */
  public String runnerId() {
    return start.getSnapshot().getRunnerId();
  }

  /** The run's conversation key ({@link ConversationKeys}), or null without a conversation. */
  public String conversationKey() {
    return ConversationKeys.conversationKey(start.getContext().getConversation());
  }
}

package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.worker.spi.RunAccess;

/**
 * Serves {@code retrieve_knowledge} for authorized calls. Found by {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.runledger.worker.hostapi.KnowledgeProvider}); none by default.
 */
public interface KnowledgeProvider {

  /**
   * Retrieves from {@code knowledgeBase} (already checked against the run's snapshot).
   *
   * @param params the call's parameters as the runner sent them (e.g. {@code query}, {@code top_k})
   * @throws dev.runledger.worker.spi.AgentApiException with a stable code on failure
   */
  JsonNode retrieve(String knowledgeBase, JsonNode params, RunAccess run);
}

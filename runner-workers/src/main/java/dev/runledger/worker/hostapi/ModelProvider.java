package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.worker.spi.RunAccess;

/**
 * Serves {@code invoke_model} for authorized calls. Found by {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.runledger.worker.hostapi.ModelProvider}); none by default.
 */
public interface ModelProvider {

  /**
   * Invokes {@code model} (already checked against the run's snapshot).
   *
   * @param params the call's parameters as the runner sent them (e.g. {@code messages})
   * @throws dev.runledger.worker.spi.AgentApiException with a stable code on failure
   */
  JsonNode invoke(String model, JsonNode params, RunAccess run);
}

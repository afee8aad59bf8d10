package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.worker.spi.RunAccess;

/**
 * Serves {@code call_tool} for authorized calls. Found by {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.runledger.worker.hostapi.ToolProvider}); none by default.
 */
public interface ToolProvider {

  /**
   * Calls {@code tool} (already checked against the run's snapshot).
   *
   * @param params the call's parameters as the runner sent them (e.g. {@code parameters})
   * @throws dev.runledger.worker.spi.AgentApiException with a stable code on failure
   */
  JsonNode call(String tool, JsonNode params, RunAccess run);
}

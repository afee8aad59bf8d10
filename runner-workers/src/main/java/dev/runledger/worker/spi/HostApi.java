package dev.runledger.worker.spi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The host API a runner calls during a run (ARCHITECTURE.md §7.5, docs/runner-protocol.md §5):
 * {@code history_page}, {@code history_search}, {@code event_get}, {@code event_page}, {@code
 * steering_pull}, {@code artifact_metadata}, {@code artifact_read_range}, {@code
 * state_get|set|delete|list}, {@code storage_get|set|delete|list}, {@code invoke_model}, {@code
 * call_tool}, {@code retrieve_knowledge}. Methods and parameters are JSON, so the same object
 * serves Java runners and the stdio and HTTP runner protocols. Every call is checked against the
 * run's authorization snapshot and active attempt, and audited in the ledger as a {@code
 * HostApiCall}.
 */
public interface HostApi {

  /**
   * Calls one method.
   *
   * @param method the method name, e.g. {@code history_page}
   * @param params the method's parameters as a JSON object (an empty object when it has none)
   * @return the result as JSON
   * @throws AgentApiException with a stable code when the call is refused or fails
   */
  JsonNode call(String method, JsonNode params);

  /**
   * Audits a call that the transport refused before it reached {@link #call} — the worker's HTTP
   * endpoint, for a missing or wrong token or a token of an attempt that ended — as a {@code
   * HostApiCall{denied, unauthorized}}. The default audits nothing.
   *
   * @param method the method the request named, or {@code ""} when it named none
   * @param resource what the call was refused on, e.g. {@code token}; null for nothing in
   *     particular
   */
  default void refused(final String method, final String resource) {}
}

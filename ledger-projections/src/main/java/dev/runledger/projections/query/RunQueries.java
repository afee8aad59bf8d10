package dev.runledger.projections.query;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.DispatchDecision;
import java.util.Optional;

/**
 * Read access to the projection views, between the HTTP routes and the stores. The local
 * implementation reads this instance's stores; a forwarding one can ask the instance that owns a
 * key. Implementations throw {@link dev.runledger.schemas.http.ApiException} with status 503 and
 * code {@code unavailable} while the stores cannot be read (starting, rebalancing, restoring).
 */
public interface RunQueries {

  /** The run's view, or empty when the run is not known. */
  Optional<AgentRun> run(String runId);

  /**
   * Up to {@code limit} events of a run with {@code seq > after}, in order; empty when the run is
   * not known.
   */
  Optional<EventPage> events(String runId, long after, int limit);

  /** The dispatch decision for an event, or empty when there is none. */
  Optional<DispatchDecision> decision(String eventId);
}

package dev.runledger.projections.query;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read access to the projection views of this instance, between the HTTP routes and the stores (the
 * routes forward a key owned by another instance there, and fan lists out). Implementations throw
 * {@link dev.runledger.schemas.http.ApiException} with status 503 and code {@code unavailable}
 * while the stores cannot be read (starting, rebalancing, restoring).
 */
public interface RunQueries {

  /** The run's view, or empty when the run is not known. */
  Optional<AgentRun> run(String runId);

  /**
   * Up to {@code limit} events of a run with {@code seq > after}, in order; empty when the run is
   * not known.
   */
  Optional<EventPage> events(String runId, long after, int limit);

  /** The dispatch decision for an event of a workspace, or empty when there is none. */
  Optional<DispatchDecision> decision(String workspaceId, String eventId);

  /**
   * Up to {@code limit} of this instance's runs of one workspace matching the filter, newest first
   * (descending index position), strictly after a position (null: from the newest). Its partitions'
   * indexes are merged, so a page costs its length, not the index's.
   */
  RunPage runs(String workspaceId, RunFilter filter, String afterPosition, int limit);

  /** A page of a workspace's conversation's transcript (see {@link TranscriptPage}). */
  TranscriptPage transcript(
      String workspaceId, String conversationId, Long before, Long after, int limit);

  /** The best {@code topK} items of a workspace's conversation matching the query text. */
  List<TranscriptItem> search(String workspaceId, String conversationId, String query, int topK);

  /** One state entry of a workspace. */
  Optional<StateEntry> state(String workspaceId, String scope, String scopeId, String key);

  /**
   * Up to {@code limit} state entries of one scope id of a workspace whose key starts with {@code
   * prefix} (null: any) and sorts after {@code afterKey} (null: from the first), by key.
   */
  StatePage states(
      String workspaceId, String scope, String scopeId, String prefix, String afterKey, int limit);

  /** A digest of every view of this instance's stores, by store name. */
  Map<String, ViewDigest> digests();
}

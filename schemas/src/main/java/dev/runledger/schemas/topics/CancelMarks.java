package dev.runledger.schemas.topics;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The header that marks a {@code CancelRun} on {@code run-control} as one the orchestrator
 * recorded: it was written in the same transaction as the run's {@code cancel.requested} (or {@code
 * run.timed_out}) ledger record, so a worker that acts on it ends the run after its cause in ledger
 * order (ARCHITECTURE.md §6.5). Workers act only on marked cancels; an unmarked one (the gateway's
 * request) is a request to the orchestrator, which records and relays it.
 */
public final class CancelMarks {
  /** Header name; its UTF-8 value is {@link #REQUESTED} or {@link #ENDED}. */
  public static final String HEADER = "runledger.cancel";

  /** The orchestrator recorded the cancel; the worker that holds or claims the run ends it. */
  public static final String REQUESTED = "requested";

  /** The orchestrator recorded the cancel and ended the run itself; a worker writes nothing. */
  public static final String ENDED = "ended";

  private CancelMarks() {}

  /** The mark in {@code headers}, if any. */
  public static Optional<String> of(final Headers headers) {
    final Header header = headers == null ? null : headers.lastHeader(HEADER);
    if (header == null || header.value() == null) {
      return Optional.empty();
    }
    return Optional.of(new String(header.value(), StandardCharsets.UTF_8));
  }
}

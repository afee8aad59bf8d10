package dev.runledger.projections.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.RunStatus;
import dev.runledger.projections.ProjectionRoutes;
import dev.runledger.projections.fold.RecordTypes;
import dev.runledger.projections.fold.RunFold;
import dev.runledger.schemas.http.ApiException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code GET /v1/runs/{run_id}/events/stream}: a run's events as server-sent events, each once and
 * in order, with {@code id:} the event's run-level {@code seq} and {@code data:} its JSON (the same
 * as in {@code /events}). A client that reconnects with {@code Last-Event-ID: <seq>} gets the
 * events after it. The stream polls the owner of the run (forwarding like every read), sends a
 * comment line while nothing happens, and closes once the run's terminal event ({@code
 * run.completed}, {@code run.failed} or {@code run.timed_out}) has been sent, or at once when it
 * has nothing to send and the client already has every event up to the run's end (it resumed at or
 * after the terminal event, as a browser's EventSource does after every finished stream). 404 for
 * an unknown run and 400 for a {@code Last-Event-ID} that is not a whole number from 0, before any
 * event.
 */
public final class EventStream {
  /**
   * How often an idle stream polls for new events when it is not woken: a write of the run by this
   * instance's fold wakes it at once ({@link RunSignals}); a run another instance owns is polled.
   */
  static final long POLL_MS = 100;

  /** How often an idle stream sends a keep-alive comment. */
  static final long KEEP_ALIVE_MS = 10_000;

  /** How often an idle stream asks whether the run ended before its resume point. */
  static final long END_CHECK_MS = 1_000;

  private static final Set<String> TERMINAL =
      Set.of(RecordTypes.RUN_COMPLETED, RecordTypes.RUN_FAILED, RecordTypes.RUN_TIMED_OUT);
  private static final Set<String> ENDED =
      Arrays.stream(RunStatus.values())
          .filter(RunFold::isTerminal)
          .map(status -> status.name().toLowerCase(Locale.ROOT))
          .collect(Collectors.toUnmodifiableSet());
  private static final int PAGE = 500;

  private final ProjectionRoutes routes;
  private final RunSignals signals;
  private final String runId;
  private long after;

  public EventStream(
      final ProjectionRoutes routes,
      final RunSignals signals,
      final String runId,
      final long after) {
    this.routes = routes;
    this.signals = signals;
    this.runId = runId;
    this.after = after;
  }

  /** The seq in a {@code Last-Event-ID} header; 0 when absent. */
  public static long lastEventId(final String header) {
    if (header == null || header.isBlank()) {
      return 0;
    }
    try {
      final long seq = Long.parseLong(header.strip());
      if (seq >= 0) {
        return seq;
      }
    } catch (final NumberFormatException e) {
      // reported below
    }
    throw ApiException.invalid(
        "Last-Event-ID",
        "must be the id of an event this stream sent (a whole number from 0), got '"
            + header
            + "'");
  }

  /** Streams until the terminal event was sent or the client went away. */
  public void serve(final Context ctx) {
    routes.runJson(runId, false); // 404 before the stream starts
    ctx.res().setStatus(200);
    ctx.res().setContentType("text/event-stream");
    ctx.res().setCharacterEncoding("UTF-8");
    ctx.res().setHeader("Cache-Control", "no-cache");
    ctx.res().setHeader("X-Accel-Buffering", "no");
    try (RunSignals.Watch watch = signals.watch(runId)) {
      final OutputStream out = ctx.res().getOutputStream();
      write(out, ": stream of run " + runId + "\n\n");
      boolean ended = false;
      long idleSince = System.currentTimeMillis();
      long checkedAt = 0; // the first time nothing is left to send, ask at once
      while (true) {
        final long seen = watch.version();
        final JsonNode page = routes.eventsJson(runId, after, PAGE, false);
        for (final JsonNode event : page.path("items")) {
          after = event.path("seq").asLong();
          write(out, "id: " + after + "\ndata: " + event + "\n\n");
          ended |= TERMINAL.contains(event.path("type").asText());
        }
        final boolean more = page.path("next_cursor").isTextual();
        if (ended && !more) {
          return;
        }
        if (page.path("items").isEmpty()) {
          final long now = System.currentTimeMillis();
          if (now - checkedAt >= END_CHECK_MS) {
            if (endedBy(routes.runJson(runId, false), after)) {
              return;
            }
            checkedAt = now;
          }
          if (now - idleSince >= KEEP_ALIVE_MS) {
            write(out, ": waiting\n\n");
            idleSince = now;
          }
          watch.await(seen, POLL_MS);
        } else {
          idleSince = System.currentTimeMillis();
        }
      }
    } catch (final IOException e) {
      // the client went away; it resumes with Last-Event-ID
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * True when {@code run} (its JSON) has ended and a client that has every event up to {@code
   * after} has them all, the terminal one included: a view that has ended counts its terminal event
   * in its {@code event_count}.
   */
  static boolean endedBy(final JsonNode run, final long after) {
    return ENDED.contains(run.path("status").asText()) && after >= run.path("event_count").asLong();
  }

  private static void write(final OutputStream out, final String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}

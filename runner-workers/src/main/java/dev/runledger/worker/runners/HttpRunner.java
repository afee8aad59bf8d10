package dev.runledger.worker.runners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.Results;
import dev.runledger.worker.spi.RunSession;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@code http:<name>} runner (ARCHITECTURE.md §7.6): POSTs {@code {"type": "run.start",
 * "protocol": 1, "context", "host_api": {"url", "token"}}} to the configured URL and reads result
 * messages back from the response, as NDJSON ({@code {"type", "data"}} per line) or server-sent
 * events ({@code data:} lines). The runner calls the host API at {@code host_api.url} with {@code
 * Authorization: Bearer <token>} ({@link HostApiEndpoint}); the token is valid until the run ends,
 * and is masked like the configured header values in everything read back ({@link Redactor}).
 * Cancel closes the response stream. Failure codes as for {@code proc:*}: {@code
 * runner.http_status}, {@code runner.start_failed}, {@code runner.bad_output}, {@code
 * runner.output_limit}, {@code no_output}.
 */
final class HttpRunner implements AgentRunner {
  private static final Logger LOG = LoggerFactory.getLogger(HttpRunner.class);

  private final RunnerManifest manifest;
  private final HttpRunnerSettings settings;
  private final HostApiEndpoint endpoint;
  private final HttpClient client;
  private final Redactor redactor;

  public HttpRunner(
      final RunnerManifest manifest,
      final HttpRunnerSettings settings,
      final HostApiEndpoint endpoint) {
    this.manifest = manifest;
    this.settings = settings;
    this.endpoint = endpoint;
    this.client = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
    this.redactor = new Redactor(settings.headers().values());
  }

  @Override
  public RunnerManifest manifest() {
    return manifest;
  }

  @Override
  public void run(final AgentRunContext context, final RunSession session) throws Exception {
    final HostApiEndpoint.Access access = endpoint.register(context.getRunId(), session.hostApi());
    try {
      stream(context, session, access);
    } finally {
      endpoint.unregister(context.getRunId(), access);
    }
  }

  private void stream(
      final AgentRunContext context, final RunSession session, final HostApiEndpoint.Access access)
      throws InterruptedException {
    final ObjectNode start = AvroJson.mapper().createObjectNode();
    start.put("type", "run.start");
    start.put("protocol", 1);
    start.set("context", AvroJson.toJson(context));
    start.putObject("host_api").put("url", access.url().toString()).put("token", access.token());
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(settings.url())
            .header("Content-Type", "application/json")
            .header("Accept", "application/x-ndjson, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(AvroJson.text(start)));
    settings.headers().forEach(request::header);
    final HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (final IOException e) {
      session.emit(
          Results.failed(
              RunnerFailures.START_FAILED,
              "could not POST the run to " + settings.url() + ": " + e.getMessage(),
              false));
      return;
    }
    final AtomicReference<InputStream> body = new AtomicReference<>(response.body());
    session.onCancel(() -> closeQuietly(body.get()));
    if (response.statusCode() / 100 != 2) {
      closeQuietly(response.body());
      session.emit(
          Results.failed(
              RunnerFailures.HTTP_STATUS,
              settings.url() + " answered HTTP " + response.statusCode(),
              false));
      return;
    }
    final boolean sse =
        response
            .headers()
            .firstValue("Content-Type")
            .map(t -> t.startsWith("text/event-stream"))
            .orElse(false);
    new Reader(context.getRunId(), session, sse, redactor.with(access.token()))
        .read(response.body());
  }

  private static void closeQuietly(final InputStream in) {
    try {
      in.close();
    } catch (final IOException e) {
      LOG.debug("closing a runner's response: {}", e.toString());
    }
  }

  /** Reads one response: NDJSON lines or SSE {@code data:} fields, each one message. */
  private final class Reader {
    private final String runId;
    private final RunSession session;
    private final boolean sse;
    private final Redactor runRedactor;
    private final RedactedResults results;
    private final StringBuilder event = new StringBuilder();
    private int valid;
    private int invalid;
    private boolean terminal;

    Reader(
        final String runId, final RunSession session, final boolean sse, final Redactor redactor) {
      this.runId = runId;
      this.session = session;
      this.sse = sse;
      this.runRedactor = redactor;
      this.results = new RedactedResults(redactor, session);
    }

    void read(final InputStream in) {
      final BoundedLineReader lines =
          new BoundedLineReader(in, settings.maxLineBytes(), settings.maxOutputBytes());
      try (in) {
        String line;
        while (!terminal && (line = lines.readLine()) != null) {
          if (sse) {
            sseLine(line);
          } else {
            message(line);
          }
          if (invalid > settings.maxInvalidLines()) {
            end(
                RunnerFailures.BAD_OUTPUT,
                "more than " + settings.maxInvalidLines() + " invalid messages");
            return;
          }
        }
        if (sse && event.length() > 0) {
          message(event.toString());
        }
      } catch (final BoundedLineReader.LimitExceededException e) {
        end(RunnerFailures.OUTPUT_LIMIT, "the runner's response was cut: " + e.getMessage());
        return;
      } catch (final IOException e) {
        if (!session.isCancelled()) {
          LOG.warn("run {}: reading the runner's response failed: {}", runId, e.toString());
        }
      }
      if (!terminal && !session.isCancelled()) {
        end(
            valid == 0 && invalid > 0 ? RunnerFailures.BAD_OUTPUT : FailureCodes.NO_OUTPUT,
            "the runner's response ended without a terminal result ("
                + valid
                + " valid, "
                + invalid
                + " invalid messages)");
      }
    }

    private void sseLine(final String line) {
      if (line.isEmpty()) {
        if (event.length() > 0) {
          message(event.toString());
          event.setLength(0);
        }
      } else if (line.startsWith("data:")) {
        if (event.length() > 0) {
          event.append('\n');
        }
        event.append(line.substring(5).stripLeading());
      }
    }

    private void message(final String raw) {
      if (raw.isBlank()) {
        return;
      }
      final JsonNode message;
      try {
        message = runRedactor.redact(AvroJson.mapper().readTree(raw));
      } catch (final IOException e) {
        invalid++;
        return;
      }
      final String type = message == null ? null : message.path("type").asText(null);
      if (type == null || !message.isObject()) {
        invalid++;
        return;
      }
      valid++;
      try {
        terminal = results.emit(type, message.get("data"));
      } catch (final AgentApiException e) {
        LOG.warn("run {}: result {} rejected: {}", runId, type, e.getMessage());
      }
    }

    private void end(final String code, final String error) {
      terminal = true;
      results.flush();
      session.emit(Results.failed(code, runRedactor.redact(error), false));
    }
  }
}

package dev.runledger.worker.runners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.metrics.LedgerMeters;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.HostApi;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's small HTTP endpoint through which {@code http:*} runners call the host API: {@code
 * POST /v1/host-api/{run_id}} with {@code Authorization: Bearer <token>} and body {@code {"method",
 * "params"}} answers {@code {"result": ...}} or {@code {"error": {"code", "message", "retryable"}}}
 * with a matching status. Each run gets a random token, valid only while the run is registered.
 * Uses the JDK's HTTP server (no extra dependency); started on first use.
 *
 * <p>Every refused request is counted in {@value #DENIED} tagged with its reason ({@code
 * unknown_run}, {@code missing_token}, {@code bad_token}, {@code attempt_ended}); when the run is
 * known — registered, or one of the last {@value #REMEMBERED_ENDED} unregistered — it is also
 * audited through the run's {@link HostApi#refused}, so the ledger shows it as a {@code
 * HostApiCall}.
 */
final class HostApiEndpoint implements AutoCloseable {
  /**
   * The counter of refused requests (Prometheus {@code runledger_worker_host_api_denied_total}).
   */
  static final String DENIED = LedgerMeters.HOST_API_REFUSED;

  static final String UNKNOWN_RUN = "unknown_run";
  static final String MISSING_TOKEN = "missing_token";
  static final String BAD_TOKEN = "bad_token";
  static final String ATTEMPT_ENDED = "attempt_ended";

  private static final Logger LOG = LoggerFactory.getLogger(HostApiEndpoint.class);
  private static final String PATH = "/v1/host-api/";
  private static final int MAX_BODY = 4 << 20;
  private static final int REMEMBERED_ENDED = 256;
  private static final int MAX_METHOD = 200;

  private final String bindHost;
  private final int port;
  private final String advertisedUrl;
  private final MeterRegistry meters;
  private final Map<String, Registration> runs = new ConcurrentHashMap<>();

  /** Runs unregistered lately, oldest first, so a late call is audited in their ledger. */
  private final Map<String, Registration> ended = new LinkedHashMap<>();

  private final SecureRandom random = new SecureRandom();
  private HttpServer server;
  private ExecutorService executor;
  private URI base;

  /**
   * @param bindHost interface to listen on
   * @param port port, 0 for any free one
   * @param advertisedUrl base URL runners use, or null for {@code http://<bindHost>:<port>}
   */
  public HostApiEndpoint(final String bindHost, final int port, final String advertisedUrl) {
    this(bindHost, port, advertisedUrl, Metrics.globalRegistry);
  }

  /** An endpoint counting refusals in {@code meters} (tests). */
  HostApiEndpoint(
      final String bindHost,
      final int port,
      final String advertisedUrl,
      final MeterRegistry meters) {
    this.bindHost = bindHost;
    this.port = port;
    this.advertisedUrl = advertisedUrl;
    this.meters = meters;
  }

  /** A run's access: the URL and bearer token a runner calls the host API with. */
  public record Access(URI url, String token) {}

  private record Registration(String token, HostApi api) {}

  /** Registers a run; its token is valid until {@link #unregister}. */
  public synchronized Access register(final String runId, final HostApi api) {
    startOnce();
    final byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    final String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    runs.put(runId, new Registration(token, api));
    synchronized (ended) {
      ended.remove(runId);
    }
    return new Access(
        base.resolve(PATH + java.net.URLEncoder.encode(runId, StandardCharsets.UTF_8)), token);
  }

  /**
   * Ends the token {@link #register} gave out; a later call with it is refused and audited as
   * {@code attempt_ended}. No-op when the run was registered again since.
   */
  public void unregister(final String runId, final Access access) {
    final Registration registration = runs.get(runId);
    if (registration != null
        && registration.token().equals(access.token())
        && runs.remove(runId, registration)) {
      synchronized (ended) {
        ended.put(runId, registration);
        if (ended.size() > REMEMBERED_ENDED) {
          ended.remove(ended.keySet().iterator().next());
        }
      }
    }
  }

  private void startOnce() {
    if (server != null) {
      return;
    }
    try {
      server = HttpServer.create(new InetSocketAddress(bindHost, port), 0);
    } catch (final IOException e) {
      throw new IllegalStateException(
          "could not listen on " + bindHost + ":" + port + " for the runners' host API: " + e, e);
    }
    executor =
        Executors.newCachedThreadPool(
            r -> {
              final Thread thread = new Thread(r, "runledger-host-api-http");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.createContext(PATH, this::handle);
    server.start();
    base =
        URI.create(
            (advertisedUrl == null
                    ? "http://" + bindHost + ":" + server.getAddress().getPort()
                    : advertisedUrl.replaceAll("/+$", ""))
                + "/");
    LOG.info("host API for http runners listening on {}", base);
  }

  private void handle(final HttpExchange exchange) throws IOException {
    try (exchange) {
      final String runId =
          java.net.URLDecoder.decode(
              exchange.getRequestURI().getRawPath().substring(PATH.length()),
              StandardCharsets.UTF_8);
      if (!"POST".equals(exchange.getRequestMethod())) {
        reply(exchange, 405, error("invalid_argument", "use POST"));
        return;
      }
      final Registration active = runs.get(runId);
      final Registration known = active != null ? active : ended(runId);
      final String auth = exchange.getRequestHeaders().getFirst("Authorization");
      final String refusal = refusal(known, auth, active != null);
      if (refusal == null) {
        reply(exchange, 200, call(active.api(), exchange.getRequestBody()));
      } else {
        refuse(exchange, runId, known, refusal);
      }
    } catch (final AgentApiException e) {
      LOG.debug("host-API request refused: {}", e.getMessage());
    }
  }

  private Registration ended(final String runId) {
    synchronized (ended) {
      return ended.get(runId);
    }
  }

  /** Why a request is refused, or null when it may call the run's host API. */
  private static String refusal(
      final Registration known, final String auth, final boolean registered) {
    if (known == null) {
      return UNKNOWN_RUN;
    }
    if (auth == null) {
      return MISSING_TOKEN;
    }
    if (!sameToken(auth, "Bearer " + known.token())) {
      return BAD_TOKEN;
    }
    return registered ? null : ATTEMPT_ENDED;
  }

  /** Counts a refused request, audits it in a known run's ledger, and answers 401. */
  private void refuse(
      final HttpExchange exchange,
      final String runId,
      final Registration known,
      final String reason)
      throws IOException {
    LedgerMeters.hostApiRefused(meters, reason);
    LOG.info("host-API request for run {} refused: {}", runId, reason);
    if (known != null) {
      final String method = methodOf(exchange.getRequestBody());
      known.api().refused(method, ATTEMPT_ENDED.equals(reason) ? null : "token");
    }
    reply(
        exchange,
        401,
        error(
            AgentApiException.UNAUTHORIZED,
            ATTEMPT_ENDED.equals(reason)
                ? "the attempt of run " + runId + " has ended; its token is no longer valid"
                : "unknown run or bad token"));
  }

  /** The method a refused request named, for its audit; "" when it named none. */
  private static String methodOf(final InputStream body) throws IOException {
    final JsonNode request;
    try {
      request = AvroJson.mapper().readTree(body.readNBytes(MAX_BODY));
    } catch (final IOException e) {
      return "";
    }
    final JsonNode method = request == null ? null : request.get("method");
    final String text = method != null && method.isTextual() ? method.asText() : "";
    return text.length() <= MAX_METHOD ? text : text.substring(0, MAX_METHOD);
  }

  private ObjectNode call(final HostApi api, final InputStream body) throws IOException {
    final byte[] bytes = body.readNBytes(MAX_BODY + 1);
    if (bytes.length > MAX_BODY) {
      return error("payload_too_large", "request body over " + MAX_BODY + " bytes");
    }
    final JsonNode request;
    try {
      request = AvroJson.mapper().readTree(bytes);
    } catch (final IOException e) {
      return error("invalid_argument", "the body is not JSON");
    }
    if (request == null || !request.path("method").isTextual()) {
      return error("invalid_argument", "the body needs a string 'method'");
    }
    try {
      final ObjectNode answer = AvroJson.mapper().createObjectNode();
      answer.set("result", api.call(request.get("method").asText(), request.get("params")));
      return answer;
    } catch (final AgentApiException e) {
      return error(e.code(), e.getMessage());
    }
  }

  private static boolean sameToken(final String given, final String expected) {
    return MessageDigest.isEqual(
        given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  private static ObjectNode error(final String code, final String message) {
    final ObjectNode answer = AvroJson.mapper().createObjectNode();
    answer
        .putObject("error")
        .put("code", code)
        .put("message", message)
        .put("retryable", AgentApiException.RATE_LIMITED.equals(code));
    return answer;
  }

  private static void reply(final HttpExchange exchange, final int status, final ObjectNode body)
      throws IOException {
    final int code = body.has("error") && status == 200 ? statusOf(body) : status;
    final byte[] bytes = AvroJson.text(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static int statusOf(final ObjectNode body) {
    return switch (body.path("error").path("code").asText()) {
      case "unauthorized" -> 403;
      case "not_found" -> 404;
      case "invalid_argument" -> 400;
      case "payload_too_large" -> 413;
      case "deadline_exceeded" -> 408;
      case "rate_limited" -> 429;
      default -> 500;
    };
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }
}

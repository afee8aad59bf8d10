package dev.runledger.deploy.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.service.Service;
import io.javalin.Javalin;
import io.javalin.event.HandlerMetaInfo;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP server of a process (ARCHITECTURE.md §9.1): every module's routes on one port, one
 * handler that renders {@link ApiException}s, a JSON 500 for anything else, a JSON 404 for unknown
 * paths, a JSON 405 with an {@code Allow} header for a method a path does not take, {@code GET
 * /healthz} (200 only when every service is started and healthy, else 503 naming the others) and
 * {@code GET /metrics} in the Prometheus text format. Every matched route is authenticated first
 * ({@link Authenticator}: 401, 403, the {@link dev.runledger.schemas.http.Caller} in the request);
 * an unknown path or method still answers 404 or 405 without a token, which reveals nothing. It can
 * start before the services it serves: until a {@link Mount}'s owner has started, that mount's
 * routes answer 503 {@code unavailable}.
 *
 * <p>It also serves the web console (README "Web console"): {@code GET /} is its page and {@code
 * GET /console/{asset}} its scripts and styles, read from the classpath folder {@value
 * #CONSOLE_RESOURCES} of the jar, open to anyone (they hold no data; every API call the page makes
 * needs a token); and {@code GET /v1/whoami}, the caller's token name, role and workspaces, with
 * which the console signs in.
 */
public final class HttpServer implements Service {
  /** HTTP port; default 8080, 0 for a free one. */
  public static final String PORT = LedgerConfig.HTTP_PORT;

  /**
   * Address the server binds to; default 0.0.0.0 (every interface), which needs {@code
   * auth.tokens.file} or {@code auth.disabled=true}.
   */
  public static final String HOST = "http.host";

  /**
   * Largest request body Jetty accepts, in bytes; default 16777216 (16 MiB). Kept above the
   * gateway's own limits so the gateway answers 413 with its own error code.
   */
  public static final String MAX_REQUEST_BYTES = "http.max.request.bytes";

  public static final String HEALTH_PATH = ApiPaths.HEALTH;
  public static final String METRICS_PATH = ApiPaths.METRICS;
  static final long DEFAULT_MAX_REQUEST_BYTES = 16L * 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
  private static final String STARTED_AT = "runledger.started";
  private static final String UNAVAILABLE = "unavailable";
  private static final String METHOD_NOT_ALLOWED = "method_not_allowed";

  /** The classpath folder of the web console's files. */
  static final String CONSOLE_RESOURCES = "/console/";

  private static final String CONSOLE_PAGE = "index.html";
  private static final String ASSET = "asset";

  /** The console's file names: one segment, no dots but the extension's. */
  private static final Pattern ASSET_NAME =
      Pattern.compile("[A-Za-z0-9_-]+\\.(html|js|css|png|svg)");

  private static final Map<String, String> CONTENT_TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "png", "image/png",
          "svg", "image/svg+xml");

  /** The console loads nothing from elsewhere and runs no inline script. */
  private static final String CONSOLE_POLICY =
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
          + " frame-ancestors 'none'";

  private final String host;
  private final int port;
  private final long maxRequestBytes;
  private final Supplier<List<Service>> services;
  private final List<Service> expected;
  private final List<Mount> mounts;
  private final PrometheusMeterRegistry registry;
  private final Authenticator authenticator;

  /** The owner of each route ({@code "METHOD path"}), filled while the mounts register. */
  private final Map<String, Service> owners = new ConcurrentHashMap<>();

  private Javalin app;

  /** The owner of the mount registering its routes, during {@link #start()}. */
  private Service registering;

  /**
   * A module's routes and the service that must have started before they answer; with a null owner
   * they answer from the start.
   */
  public record Mount(Service owner, Consumer<Javalin> routes) {}

  /**
   * @param config the port and request size limit
   * @param services whose health {@code /healthz} reports, asked on every request
   * @param routes each module's {@code register(Javalin)}
   * @param registry the registry {@code /metrics} scrapes; request timings are added to it
   */
  public HttpServer(
      final LedgerConfig config,
      final Supplier<List<Service>> services,
      final List<Consumer<Javalin>> routes,
      final PrometheusMeterRegistry registry) {
    this(
        config,
        services,
        List.of(),
        routes.stream().map(r -> new Mount(null, r)).toList(),
        registry);
  }

  /**
   * A server that may start before the services it serves.
   *
   * @param config the port and request size limit
   * @param started the services started so far, asked on every request
   * @param expected the services {@code /healthz} reports as {@code starting} until they are among
   *     {@code started}
   * @param mounts each module's routes with the service that serves them
   * @param registry the registry {@code /metrics} scrapes; request timings are added to it
   * @throws dev.runledger.schemas.config.ConfigException for a bad {@code auth.tokens.file}, or
   *     none on a non-loopback {@code http.host} without {@code auth.disabled=true}
   */
  public HttpServer(
      final LedgerConfig config,
      final Supplier<List<Service>> started,
      final List<Service> expected,
      final List<Mount> mounts,
      final PrometheusMeterRegistry registry) {
    this.host = config.get(HttpServerSettings.HOST);
    this.port = config.get(CoreSettings.HTTP_PORT);
    this.maxRequestBytes = config.get(HttpServerSettings.MAX_REQUEST_BYTES);
    this.services = started;
    this.expected = List.copyOf(expected);
    this.mounts = List.copyOf(mounts);
    this.registry = registry;
    this.authenticator = Authenticator.of(config, registry);
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public synchronized void start() {
    if (app != null) {
      return;
    }
    final Javalin created =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.http.maxRequestSize = maxRequestBytes;
              config.http.prefer405over404 = true;
              config.jsonMapper(new JavalinJackson(AvroJson.mapper(), false));
              config.events(events -> events.handlerAdded(this::owned));
            });
    registerErrorHandling(created);
    created.before(ctx -> ctx.attribute(STARTED_AT, System.nanoTime()));
    created.beforeMatched(authenticator::authenticate);
    created.beforeMatched(this::requireOwnerStarted);
    created.after(this::recordTiming);
    created.get(HEALTH_PATH, this::health);
    created.get(METRICS_PATH, this::metrics);
    created.get(ApiPaths.WHOAMI, this::whoami);
    created.get(ApiPaths.CONSOLE, ctx -> consoleFile(ctx, CONSOLE_PAGE));
    created.get(ApiPaths.CONSOLE_ASSETS, ctx -> consoleFile(ctx, ctx.pathParam(ASSET)));
    for (final Mount mount : mounts) {
      registering = mount.owner();
      mount.routes().accept(created);
    }
    registering = null;
    created.start(host, port);
    app = created;
    if (authenticator.enabled()) {
      LOG.info("{}", authenticator.summary());
    } else {
      LOG.warn("{}", authenticator.summary());
    }
  }

  /**
   * One line saying whether requests are authenticated, e.g. {@code authentication is off (no
   * auth.tokens.file); bound to loopback only}, for a command's start-up output.
   */
  public String authentication() {
    return authenticator.summary();
  }

  /** The port the server listens on (the chosen one when configured as 0). */
  public synchronized int port() {
    if (app == null) {
      throw new IllegalStateException("the HTTP server is not started");
    }
    return app.port();
  }

  @Override
  public synchronized boolean healthy() {
    return app != null && app.jettyServer().server().isRunning();
  }

  @Override
  public synchronized void close() {
    if (app != null) {
      app.stop();
      app = null;
    }
  }

  /** Notes the owner of a route while its mount registers (Javalin's handler-added event). */
  private void owned(final HandlerMetaInfo route) {
    if (registering != null && route.getHttpMethod().isHttpMethod()) {
      owners.put(route.getHttpMethod() + " " + route.getPath(), registering);
    }
  }

  /** 503 for a route whose service has not started yet. */
  private void requireOwnerStarted(final Context ctx) {
    final Service owner = owners.get(ctx.method() + " " + ctx.endpointHandlerPath());
    if (owner != null && !services.get().contains(owner)) {
      throw new ApiException(
          503,
          UNAVAILABLE,
          "the "
              + owner.name()
              + " service is not running yet; GET "
              + HEALTH_PATH
              + " says when everything is up");
    }
  }

  private void registerErrorHandling(final Javalin app) {
    app.exception(
        ApiException.class,
        (e, ctx) -> {
          if (e.status() == 401 || e.status() == 403) {
            authenticator.denied(ctx, e);
          }
          ctx.status(e.status()).json(e.body());
        });
    app.exception(
        MethodNotAllowedResponse.class,
        (e, ctx) -> {
          final String allowed = e.getDetails().getOrDefault("availableMethods", "");
          ctx.header(Header.ALLOW, allowed)
              .status(405)
              .json(
                  error(
                      METHOD_NOT_ALLOWED,
                      ctx.method() + " is not allowed on " + ctx.path() + "; it takes " + allowed));
        });
    app.exception(
        HttpResponseException.class,
        (e, ctx) -> {
          ctx.status(e.getStatus()).json(error(codeOf(e.getStatus()), e.getMessage()));
        });
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
          ctx.status(500).json(error("internal", "internal error: " + e.getMessage()));
        });
  }

  /** Every service as {@code up}, {@code down} or {@code starting} (expected, not started yet). */
  private void health(final Context ctx) {
    final ObjectNode body = AvroJson.mapper().createObjectNode();
    final ObjectNode components = body.putObject("services");
    final var unhealthy = body.putArray("unhealthy");
    final List<Service> started = services.get();
    final Set<Service> all = new LinkedHashSet<>(started);
    all.addAll(expected);
    for (final Service service : all) {
      final String state =
          !started.contains(service) ? "starting" : service.healthy() ? "up" : "down";
      components.put(service.name(), state);
      if (!"up".equals(state)) {
        unhealthy.add(service.name());
      }
    }
    final boolean ok = unhealthy.isEmpty();
    body.put("status", ok ? "ok" : "unavailable");
    ctx.status(ok ? 200 : 503).json(body);
  }

  private void metrics(final Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
  }

  /**
   * {@code GET /v1/whoami}: {@code {name, role, workspaces, authentication}}, the caller the
   * request's token is ({@code anonymous}, an admin of {@code ["*"]}, with authentication off).
   */
  private void whoami(final Context ctx) {
    final Caller caller = Caller.of(ctx.attribute(Caller.ATTRIBUTE));
    final ObjectNode body = AvroJson.mapper().createObjectNode();
    body.put("name", caller.name());
    body.put("role", caller.role().name().toLowerCase(Locale.ROOT));
    final ArrayNode workspaces = body.putArray("workspaces");
    new TreeSet<>(caller.workspaces()).forEach(workspaces::add);
    body.put("authentication", authenticator.enabled());
    ctx.json(body);
  }

  /** One file of the web console from the classpath, or 404 {@code not_found}. */
  private static void consoleFile(final Context ctx, final String name) {
    final Matcher matcher = ASSET_NAME.matcher(name);
    final byte[] content = matcher.matches() ? consoleResource(name) : null;
    if (content == null) {
      throw ApiException.notFound("the web console has no file '" + name + "'");
    }
    ctx.header(Header.CACHE_CONTROL, "no-cache")
        .header("X-Content-Type-Options", "nosniff")
        .header("Content-Security-Policy", CONSOLE_POLICY)
        .contentType(CONTENT_TYPES.get(matcher.group(1)))
        .result(content);
  }

  private static byte[] consoleResource(final String name) {
    try (InputStream in = HttpServer.class.getResourceAsStream(CONSOLE_RESOURCES + name)) {
      return in == null ? null : in.readAllBytes();
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void recordTiming(final Context ctx) {
    final Long started = ctx.attribute(STARTED_AT);
    if (started == null) {
      return;
    }
    Timer.builder("http.server.requests")
        .tag("method", ctx.method().name())
        .tag("route", route(ctx))
        .tag("status", Integer.toString(ctx.statusCode()))
        .register(registry)
        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
  }

  /** The matched route pattern (not the raw path, which would explode the tag's cardinality). */
  private static String route(final Context ctx) {
    final String matched = ctx.endpointHandlerPath();
    return matched == null || matched.isEmpty() ? "unmatched" : matched;
  }

  /**
   * Stable codes for the errors Javalin and Jetty raise themselves (ARCHITECTURE.md §9.1 statuses).
   */
  static String codeOf(final int status) {
    return switch (status) {
      case 400 -> "invalid_argument";
      case 404 -> "not_found";
      case 405 -> METHOD_NOT_ALLOWED;
      case 413 -> "payload_too_large";
      case 503 -> UNAVAILABLE;
      default -> "http_" + status;
    };
  }

  private static ObjectNode error(final String code, final String message) {
    return new ApiException(500, code, message).body();
  }
}

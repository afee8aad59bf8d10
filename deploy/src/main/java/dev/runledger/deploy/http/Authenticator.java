package dev.runledger.deploy.http;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.Access;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.BearerToken;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.metrics.LedgerMeters;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who calls, for every matched route of the {@link HttpServer} (README "Security"): the token of
 * {@code Authorization: Bearer <token>} (or {@code x-api-key}) looked up by its SHA-256 among the
 * tokens of {@code auth.tokens.file}, or {@code auth.internal.token} (compared in constant time) as
 * {@link Caller#INTERNAL}. No token or an unknown one is 401; a role short of the route's {@link
 * Access}, a {@code {workspace_id}} the token does not cover, or an admin route outside any
 * workspace for an admin of some workspaces only, 403. The caller goes into the request attribute
 * {@link Caller#ATTRIBUTE}. With authentication off every request is {@link Caller#UNRESTRICTED}
 * (the internal token still makes it {@link Caller#INTERNAL}).
 */
final class Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  private static final String API_KEY = "x-api-key";
  private static final String DENIAL = "runledger.auth.denial";
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "::1", "[::1]", "localhost");

  /** The callers by the SHA-256 of their token; null when authentication is off. */
  private final Map<String, Caller> callers;

  private final byte[] internalToken;
  private final boolean metricsOpen;
  private final String summary;
  private final MeterRegistry registry;

  /** Why the server refused a request and who asked, kept for the 401/403 counter and log. */
  private record Denial(String reason, String who) {}

  private Authenticator(
      final Map<String, Caller> callers,
      final String internalToken,
      final boolean metricsOpen,
      final String summary,
      final MeterRegistry registry) {
    this.callers = callers;
    this.internalToken =
        internalToken == null || internalToken.isBlank()
            ? null
            : internalToken.getBytes(StandardCharsets.UTF_8);
    this.metricsOpen = metricsOpen;
    this.summary = summary;
    this.registry = registry;
  }

  /**
   * The authentication {@code config} asks for: the tokens of {@code auth.tokens.file}; off with
   * {@code auth.disabled=true}, or without a tokens file on a loopback {@code http.host}.
   *
   * @throws ConfigException for a bad tokens file, or for no tokens file on a non-loopback address
   *     without {@code auth.disabled=true}
   */
  static Authenticator of(final LedgerConfig config, final MeterRegistry registry) {
    final String internal = config.find(CoreSettings.AUTH_INTERNAL_TOKEN).orElse(null);
    final boolean metricsOpen = config.get(HttpServerSettings.METRICS_OPEN);
    final String file = config.find(HttpServerSettings.TOKENS_FILE).orElse(null);
    final String host = config.get(HttpServerSettings.HOST);
    if (config.get(HttpServerSettings.AUTH_DISABLED)) {
      final String summary =
          "authentication is off (auth.disabled=true)"
              + (file == null ? "" : "; auth.tokens.file " + file + " is ignored");
      return new Authenticator(null, internal, metricsOpen, summary, registry);
    }
    if (file == null) {
      if (!isLoopback(host)) {
        throw new ConfigException(
            HttpServerSettings.TOKENS_FILE.key(),
            "http.host is "
                + host
                + ", not a loopback address, and no auth.tokens.file is set: the API would be"
                + " open to anyone who reaches it. Set auth.tokens.file (`ledger tokens create`"
                + " writes one), bind http.host=127.0.0.1, or set auth.disabled=true to serve it"
                + " without authentication.");
      }
      return new Authenticator(
          null,
          internal,
          metricsOpen,
          "authentication is off (no auth.tokens.file); bound to loopback only",
          registry);
    }
    final Map<String, Caller> callers =
        TokenFile.read(Path.of(file)).stream()
            .collect(
                Collectors.toUnmodifiableMap(TokenFile.Entry::sha256, TokenFile.Entry::caller));
    if (internal == null || internal.isBlank()) {
      LOG.warn(
          "auth.internal.token is not set: requests the services forward to each other (views"
              + " read by the worker and the gateway, projection instances forwarding to the owner"
              + " of a key) are refused with 401");
    }
    return new Authenticator(
        callers,
        internal,
        metricsOpen,
        "authentication is on: " + callers.size() + " token(s) from " + file,
        registry);
  }

  /** Whether {@code host} is a loopback address: 127.x.x.x, ::1 or localhost. */
  static boolean isLoopback(final String host) {
    final String h = host.strip().toLowerCase(Locale.ROOT);
    return LOOPBACK.contains(h) || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /** One line saying whether requests are authenticated, for the start-up output. */
  String summary() {
    return summary;
  }

  boolean enabled() {
    return callers != null;
  }

  /** The {@code beforeMatched} step: the caller of the request, or 401/403. */
  void authenticate(final Context ctx) {
    final String route = ctx.endpointHandlerPath();
    final Access access =
        metricsOpen && ApiPaths.METRICS.equals(route)
            ? Access.OPEN
            : ApiPaths.access(ctx.method().name(), route);
    final String token = presented(ctx);
    final Caller caller = identify(token);
    if (caller != null) {
      ctx.attribute(Caller.ATTRIBUTE, caller);
    }
    if (access == Access.OPEN) {
      return;
    }
    if (caller == null) {
      ctx.attribute(
          DENIAL,
          token == null
              ? new Denial("missing_token", "no token")
              : new Denial("unknown_token", "unknown token"));
      throw new ApiException(
          401,
          "unauthenticated",
          token == null
              ? "this request needs a token: send Authorization: Bearer <token>"
              : "the token is not one the server knows");
    }
    final String workspace = ctx.pathParamMap().get(ApiPaths.WORKSPACE_ID);
    final String refused =
        !caller.role().allows(access)
            ? "role"
            : workspace != null && !caller.sees(workspace) ? "workspace" : null;
    if (refused != null) {
      ctx.attribute(DENIAL, new Denial(refused, "token '" + caller.name() + "'"));
      caller.require(access, workspace);
    }
    if (access == Access.ADMIN && workspace == null && !caller.seesAll()) {
      // an admin route outside any workspace (view digests) spans them all
      ctx.attribute(DENIAL, new Denial("workspace", "token '" + caller.name() + "'"));
      throw Caller.forbidden(
          "the token '"
              + caller.name()
              + "' is an admin of some workspaces only; this route needs an admin of every"
              + " workspace (\"*\")");
    }
  }

  /**
   * Counts and logs a 401 or 403 (raised here, or by a handler that learnt the workspace later) in
   * {@code runledger_http_auth_denied_total{status,reason}}, naming the token but never its text,
   * and adds {@code WWW-Authenticate} to a 401.
   */
  void denied(final Context ctx, final ApiException e) {
    final Denial denial =
        Optional.ofNullable(ctx.<Denial>attribute(DENIAL))
            .orElseGet(() -> new Denial("route", whoCalled(ctx)));
    LedgerMeters.authDenied(registry, e.status(), denial.reason());
    if (e.status() == 401) {
      ctx.header(Header.WWW_AUTHENTICATE, "Bearer realm=\"runledger\"");
      LOG.info("401 {} {}: {} ({})", ctx.method(), ctx.path(), denial.who(), denial.reason());
    } else {
      LOG.warn(
          "403 {} {}: {} ({}): {}",
          ctx.method(),
          ctx.path(),
          denial.who(),
          denial.reason(),
          e.getMessage());
    }
  }

  private static String whoCalled(final Context ctx) {
    final Object caller = ctx.attribute(Caller.ATTRIBUTE);
    return caller instanceof Caller c ? "token '" + c.name() + "'" : "no caller";
  }

  /** The caller presenting {@code token}, or null when none is known (with authentication on). */
  private Caller identify(final String token) {
    if (token != null
        && internalToken != null
        && MessageDigest.isEqual(internalToken, token.getBytes(StandardCharsets.UTF_8))) {
      return Caller.INTERNAL;
    }
    if (callers == null) {
      return Caller.UNRESTRICTED;
    }
    return token == null ? null : callers.get(TokenFile.sha256(token));
  }

  /** The token of {@code Authorization: Bearer}, else of {@code x-api-key}; null without one. */
  private static String presented(final Context ctx) {
    final String authorization = ctx.header(Header.AUTHORIZATION);
    if (authorization != null
        && authorization.length() > BearerToken.SCHEME.length()
        && authorization.regionMatches(
            true, 0, BearerToken.SCHEME, 0, BearerToken.SCHEME.length())) {
      return authorization.substring(BearerToken.SCHEME.length()).strip();
    }
    final String key = ctx.header(API_KEY);
    return key == null || key.isBlank() ? null : key.strip();
  }
}

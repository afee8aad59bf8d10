package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.http.HttpServerSettings;
import dev.runledger.deploy.http.TokenFile;
import dev.runledger.schemas.http.Access;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.json.AvroJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route of {@link ApiPaths} against every kind of caller, on a real stack with a tokens file
 * (README "Security"): no token or an unknown one is 401, a role or workspace outside the token 403
 * (a run of another workspace 404), and a token that covers the route gets past the check.
 */
class AuthEndToEndTest {
  private static final String ACME = "acme";
  private static final String EVIL = "evil";
  private static final String CONVERSATION = "auth-c1";
  private static final String BINDING = "auth-echo";

  /** Who calls: a token of the file (or none, or one it does not hold). */
  enum Who {
    NONE(null, null, null),
    UNKNOWN(TokenFile.newToken(), null, null),
    ADMIN_ALL(TokenFile.newToken(), Caller.Role.ADMIN, Caller.ALL),
    WRITER_ACME(TokenFile.newToken(), Caller.Role.WRITER, ACME),
    READER_ACME(TokenFile.newToken(), Caller.Role.READER, ACME),
    READER_EVIL(TokenFile.newToken(), Caller.Role.READER, EVIL);

    final String token;
    final Caller.Role role;

    /** The one workspace the token covers ({@value Caller#ALL}: every one). */
    final String workspace;

    Who(final String token, final Caller.Role role, final String workspace) {
      this.token = token;
      this.role = role;
      this.workspace = workspace;
    }

    /** Whether the file holds this token. */
    boolean known() {
      return role != null;
    }

    boolean sees(final String workspace) {
      return Caller.ALL.equals(this.workspace) || this.workspace.equals(workspace);
    }
  }

  /**
   * One route as a caller reaches it.
   *
   * @param workspace the workspace it touches, null for none (metrics) or every one (digests)
   * @param hidden whether a reader outside its workspace gets 404 (a run by id) instead of 403
   * @param allowed the statuses of a caller the token covers (past authentication)
   */
  record Endpoint(
      String method,
      Supplier<String> path,
      Supplier<JsonNode> body,
      Access access,
      String workspace,
      boolean hidden,
      Set<Integer> allowed) {}

  private static final Path TOKENS = tokensFile();

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("auth")
          .set(HttpServerSettings.TOKENS_FILE.key(), TOKENS.toString())
          .awaitRunner(DevStack.ECHO_RUNNER)
          .build();

  private static String eventId;
  private static String runId;

  @BeforeAll
  static void completeOneRunInAcme() {
    final ApiClient admin = STACK.api().as(Who.ADMIN_ALL.token).client();
    admin.put(ApiPaths.binding(ACME, BINDING), binding()).orThrow("putting the binding");
    final AtomicReference<JsonNode> created = new AtomicReference<>();
    await()
        .atMost(TestApi.WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              final String id = "auth-" + UUID.randomUUID();
              admin.post(ApiPaths.EVENTS, message(id, ACME)).orThrow("posting an event");
              final JsonNode decision = awaitDecision(admin, id);
              created.set(decision);
              return "run_created".equals(decision.path("decision").asText());
            });
    eventId = created.get().path("event_id").asText();
    runId = created.get().path("run_id").asText();
    await()
        .atMost(TestApi.WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> admin.get(ApiPaths.run(runId)),
            r -> r.ok() && TestApi.hasStatus(r.body(), "completed"));
  }

  static Stream<Arguments> callsOfEveryCallerOnEveryRoute() {
    return endpoints().flatMap(e -> Stream.of(Who.values()).map(who -> Arguments.of(who, e)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("callsOfEveryCallerOnEveryRoute")
  void shouldAuthenticateAndAuthorizeEveryRouteWhenCalledByEveryKindOfCaller(
      final Who who, final Named endpoint) {
    // given
    final Endpoint route = endpoint.endpoint();
    final ApiClient client = STACK.api().as(who.token).client();

    // when
    final ApiClient.Response response = call(client, route);

    // then
    final Set<Integer> expected = expected(who, route);
    assertThat(response.status())
        .as("%s %s by %s: %s", route.method(), route.path().get(), who, response.body())
        .isIn(expected);
    if (response.status() == 401) {
      assertThat(response.body().at("/error/code").asText()).isEqualTo("unauthenticated");
    } else if (response.status() == 403) {
      assertThat(response.body().at("/error/code").asText()).isEqualTo("forbidden");
      assertThat(response.body().toString()).doesNotContain(who.token);
    }
  }

  @Test
  void shouldCountEveryDenialWhenMetricsAreScraped() {
    // given
    final ApiClient none = STACK.api().as(null).client();
    final ApiClient reader = STACK.api().as(Who.READER_EVIL.token).client();
    assertThat(none.get(ApiPaths.runs(ACME)).status()).isEqualTo(401);
    assertThat(reader.get(ApiPaths.runs(ACME)).status()).isEqualTo(403);

    // when
    final JsonNode metrics = reader.get(ApiPaths.METRICS).orThrow("scraping metrics");

    // then
    assertThat(metrics.asText())
        .contains("runledger_http_auth_denied_total{reason=\"missing_token\",status=\"401\"}")
        .contains("runledger_http_auth_denied_total{reason=\"workspace\",status=\"403\"}")
        .doesNotContain(Who.READER_EVIL.token);
  }

  /** The statuses a call of {@code who} on {@code route} may get. */
  private static Set<Integer> expected(final Who who, final Endpoint route) {
    if (route.access() == Access.OPEN) {
      return route.allowed();
    }
    if (!who.known()) {
      return Set.of(401);
    }
    final boolean covered =
        route.workspace() == null
            ? route.access() != Access.ADMIN || who.sees(Caller.ALL)
            : who.sees(route.workspace());
    if (!who.role.allows(route.access())) {
      return Set.of(403);
    }
    if (covered) {
      return route.allowed();
    }
    return route.hidden() ? Set.of(404) : Set.of(403);
  }

  private static ApiClient.Response call(final ApiClient client, final Endpoint route) {
    final String path = route.path().get();
    return switch (route.method()) {
      case "GET" -> client.get(path);
      case "POST" -> client.post(path, route.body().get());
      case "PUT" -> client.put(path, route.body().get());
      case "DELETE" -> client.delete(path);
      default -> throw new IllegalArgumentException(route.method());
    };
  }

  /** Every route of {@link ApiPaths}, each with a body where it takes one. */
  private static Stream<Named> endpoints() {
    final Supplier<JsonNode> empty = () -> AvroJson.mapper().createObjectNode();
    return Stream.of(
        named("POST events (acme)", post(ApiPaths.EVENTS, () -> message(fresh(), ACME), ACME)),
        named("POST events (evil)", post(ApiPaths.EVENTS, () -> message(fresh(), EVIL), EVIL)),
        named("POST events:batch", post(ApiPaths.EVENTS_BATCH, AuthEndToEndTest::batch, ACME)),
        named("GET bindings", read(() -> ApiPaths.bindings(ACME), ACME, 200)),
        named("GET binding", read(() -> ApiPaths.binding(ACME, BINDING), ACME, 200)),
        named(
            "PUT binding",
            new Endpoint(
                "PUT",
                () -> ApiPaths.binding(ACME, "auth-scratch"),
                AuthEndToEndTest::scratchBinding,
                Access.ADMIN,
                ACME,
                false,
                Set.of(200, 201))),
        named(
            "DELETE binding",
            new Endpoint(
                "DELETE",
                () -> ApiPaths.binding(ACME, "auth-never-put"),
                null,
                Access.ADMIN,
                ACME,
                false,
                Set.of(200, 204, 404))),
        named("GET decision", read(() -> ApiPaths.decision(ACME, eventId), ACME, 200)),
        named(
            "POST event cancel",
            new Endpoint(
                "POST",
                () -> ApiPaths.eventCancel(ACME, eventId),
                empty,
                Access.WRITE,
                ACME,
                false,
                Set.of(409))),
        named("GET transcript", read(() -> ApiPaths.transcript(ACME, CONVERSATION), ACME, 200)),
        named(
            "GET transcript search",
            read(() -> ApiPaths.transcriptSearch(ACME, CONVERSATION) + "?q=hello", ACME, 200)),
        named(
            "GET states",
            read(() -> ApiPaths.states(ACME, "conversation", CONVERSATION), ACME, 200)),
        named(
            "GET state",
            read(() -> ApiPaths.state(ACME, "conversation", CONVERSATION, "k"), ACME, 200, 404)),
        named("GET runs", read(() -> ApiPaths.runs(ACME), ACME, 200)),
        named("GET run", hidden(() -> ApiPaths.run(runId))),
        named("GET run events", hidden(() -> ApiPaths.runEvents(runId))),
        named("GET run events stream", hidden(() -> ApiPaths.runStream(runId))),
        named(
            "POST run cancel",
            new Endpoint(
                "POST",
                () -> ApiPaths.runCancel(runId),
                empty,
                Access.WRITE,
                ACME,
                true,
                Set.of(409))),
        named(
            "GET digests",
            new Endpoint(
                "GET", () -> ApiPaths.DIGESTS, null, Access.ADMIN, null, false, Set.of(200))),
        named(
            "GET runners",
            new Endpoint(
                "GET", () -> ApiPaths.RUNNERS, null, Access.READ, null, false, Set.of(200))),
        named(
            "GET workers",
            new Endpoint(
                "GET", () -> ApiPaths.WORKERS, null, Access.READ, null, false, Set.of(200))),
        named(
            "GET metrics",
            new Endpoint(
                "GET", () -> ApiPaths.METRICS, null, Access.READ, null, false, Set.of(200))),
        named(
            "GET healthz",
            new Endpoint(
                "GET", () -> ApiPaths.HEALTH, null, Access.OPEN, null, false, Set.of(200))));
  }

  /** An endpoint with a readable name in the test report. */
  record Named(String name, Endpoint endpoint) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Named named(final String name, final Endpoint endpoint) {
    return new Named(name, endpoint);
  }

  private static Endpoint read(
      final Supplier<String> path, final String workspace, final Integer... allowed) {
    return new Endpoint("GET", path, null, Access.READ, workspace, false, Set.of(allowed));
  }

  /** A read of acme's run by its id: 404 to a reader of another workspace. */
  private static Endpoint hidden(final Supplier<String> path) {
    return new Endpoint("GET", path, null, Access.READ, ACME, true, Set.of(200));
  }

  private static Endpoint post(
      final String path, final Supplier<JsonNode> body, final String workspace) {
    return new Endpoint("POST", () -> path, body, Access.WRITE, workspace, false, Set.of(202));
  }

  private static JsonNode awaitDecision(final ApiClient client, final String id) {
    return await()
        .atMost(TestApi.WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> client.get(ApiPaths.decision(ACME, id)), ApiClient.Response::ok)
        .body();
  }

  private static String fresh() {
    return "auth-" + UUID.randomUUID();
  }

  private static ObjectNode message(final String id, final String workspace) {
    return TestApi.message(id, workspace, CONVERSATION, "hello");
  }

  private static JsonNode batch() {
    final ObjectNode body = AvroJson.mapper().createObjectNode();
    body.putArray("events").add(message(fresh(), ACME));
    return body;
  }

  private static ObjectNode binding() {
    return Binding.of(ACME, DevStack.ECHO_RUNNER).json();
  }

  /** A binding no event matches, for the PUT route. */
  private static JsonNode scratchBinding() {
    final ObjectNode binding = binding();
    binding.putArray("event_types").add("never.sent");
    return binding;
  }

  private static Path tokensFile() {
    try {
      final Path file = Files.createTempFile("runledger-auth-tokens", ".yaml");
      Files.delete(file);
      file.toFile().deleteOnExit();
      for (final Who who : Who.values()) {
        if (who.known()) {
          TokenFile.append(
              file,
              new TokenFile.Entry(
                  who.name().toLowerCase(Locale.ROOT),
                  TokenFile.sha256(who.token),
                  who.role,
                  List.of(who.workspace)));
        }
      }
      return file;
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.runledger.projections.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.http.ApiException;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a forwarded request carries to the instance that owns the data. */
class InstanceRouterTest {
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final CountDownLatch waiting = new CountDownLatch(3);
  private Javalin owner;

  @BeforeEach
  void start() {
    owner = Javalin.create();
    owner.get(
        "/slow/{n}",
        ctx -> {
          final int n = Integer.parseInt(ctx.pathParam("n"));
          waiting.countDown();
          // every request waits until all of them have arrived: only requests sent at once pass
          assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
          ctx.json(Map.of("n", n));
        });
    owner.get(
        "/refused",
        ctx ->
            ctx.status(400)
                .json(
                    Map.of(
                        "error",
                        Map.of("code", "invalid_argument", "message", "no", "field", "limit"))));
    owner.get(
        "/*",
        ctx -> {
          seen.add(
              ctx.path()
                  + " "
                  + ctx.header(InstanceRouter.FORWARDED_HEADER)
                  + " "
                  + ctx.header("Authorization"));
          ctx.json(List.of());
        });
    owner.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    owner.stop();
  }

  @Test
  void shouldForwardWithTheInternalTokenWhenOneIsSet() {
    // when
    router(Optional.of("s3cret")).get(url(), "/v1/workspaces/acme/runs");
    router(Optional.empty()).get(url(), "/v1/runs/run-1");

    // then
    assertThat(seen)
        .containsExactly("/v1/workspaces/acme/runs 1 Bearer s3cret", "/v1/runs/run-1 1 null");
  }

  @Test
  void shouldAskEveryInstanceAtOnceAndAnswerInTheirOrder() {
    // when three requests that each wait for the others
    final List<JsonNode> answers =
        router(Optional.empty()).getAll(List.of(url(), url(), url()), "/slow/1");

    // then
    assertThat(answers).hasSize(3).allMatch(a -> a.path("n").asInt() == 1);
  }

  @Test
  void shouldRethrowAnInstancesErrorAnswerAsTheSameApiException() {
    assertThatThrownBy(() -> router(Optional.empty()).getAll(List.of(url()), "/refused"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("invalid_argument");
            });
  }

  private String url() {
    return "http://127.0.0.1:" + owner.port();
  }

  private static InstanceRouter router(final Optional<String> token) {
    return new InstanceRouter(() -> null, Optional.empty(), Duration.ofSeconds(5), token);
  }
}

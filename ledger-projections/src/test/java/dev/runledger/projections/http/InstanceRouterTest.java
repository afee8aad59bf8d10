package dev.runledger.projections.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a forwarded request carries to the instance that owns the data. */
class InstanceRouterTest {
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private Javalin owner;

  @BeforeEach
  void start() {
    owner = Javalin.create();
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

  private String url() {
    return "http://127.0.0.1:" + owner.port();
  }

  private static InstanceRouter router(final Optional<String> token) {
    return new InstanceRouter(() -> null, Optional.empty(), Duration.ofSeconds(5), token);
  }
}

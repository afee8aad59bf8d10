package dev.runledger.worker.runners;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostApiEndpointTest {
  private static final String CALL = "{\"method\":\"history_page\",\"params\":{}}";

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final HostApiEndpoint endpoint = new HostApiEndpoint("127.0.0.1", 0, null, meters);
  private final HttpClient client = HttpClient.newHttpClient();
  private final ProcSession session = new ProcSession();

  @AfterEach
  void stop() {
    endpoint.close();
  }

  @Test
  void shouldServeACallWithTheRunsTokenAndCountNothing() throws Exception {
    final HostApiEndpoint.Access access = endpoint.register("run-1", session.hostApi());

    assertThat(post(access.url(), "Bearer " + access.token(), CALL)).startsWith("200 ");
    assertThat(session.calls).containsExactly("history_page {}");
    assertThat(meters.find(HostApiEndpoint.DENIED).counters()).isEmpty();
  }

  @Test
  void shouldRefuseAuditAndCountAWrongOrMissingTokenForARunningRun() throws Exception {
    // given
    final HostApiEndpoint.Access access = endpoint.register("run-1", session.hostApi());

    // when
    final String wrong = post(access.url(), "Bearer not-the-token", CALL);
    final String missing = post(access.url(), null, "{\"method\":\"state_get\"}");

    // then
    assertThat(wrong).startsWith("401 ").contains("unauthorized").doesNotContain(access.token());
    assertThat(missing).startsWith("401 ");
    assertThat(session.calls)
        .containsExactly("refused history_page token", "refused state_get token");
    assertThat(denied(HostApiEndpoint.BAD_TOKEN)).isEqualTo(1.0);
    assertThat(denied(HostApiEndpoint.MISSING_TOKEN)).isEqualTo(1.0);
  }

  @Test
  void shouldRefuseAndAuditACallWithTheTokenOfAnAttemptThatEnded() throws Exception {
    // given
    final HostApiEndpoint.Access access = endpoint.register("run-1", session.hostApi());
    endpoint.unregister("run-1", access);

    // when
    final String late = post(access.url(), "Bearer " + access.token(), CALL);
    final String lateAndWrong = post(access.url(), "Bearer nope", "not json");

    // then nothing reached the host API but both refusals are audited in the run's ledger
    assertThat(late).startsWith("401 ").contains("has ended");
    assertThat(lateAndWrong).startsWith("401 ").contains("bad token");
    assertThat(session.calls).containsExactly("refused history_page null", "refused  token");
    assertThat(denied(HostApiEndpoint.ATTEMPT_ENDED)).isEqualTo(1.0);
    assertThat(denied(HostApiEndpoint.BAD_TOKEN)).isEqualTo(1.0);
  }

  @Test
  void shouldCountACallForAnUnknownRunWithoutAuditingAnything() throws Exception {
    // given
    final HostApiEndpoint.Access access = endpoint.register("run-1", session.hostApi());

    // when
    final String unknown = post(access.url().resolve("run-2"), "Bearer " + access.token(), CALL);

    // then
    assertThat(unknown).startsWith("401 ").contains("unknown run or bad token");
    assertThat(session.calls).isEmpty();
    assertThat(denied(HostApiEndpoint.UNKNOWN_RUN)).isEqualTo(1.0);
  }

  @Test
  void shouldKeepANewRegistrationWhenAnOlderAttemptUnregistersLate() throws Exception {
    // given attempt 1 registered, then attempt 2 of the same run
    final HostApiEndpoint.Access first = endpoint.register("run-1", session.hostApi());
    final HostApiEndpoint.Access second = endpoint.register("run-1", session.hostApi());

    // when attempt 1's runner returns only now
    endpoint.unregister("run-1", first);

    // then attempt 2 still calls through, and attempt 1's token is refused
    assertThat(post(second.url(), "Bearer " + second.token(), CALL)).startsWith("200 ");
    assertThat(post(first.url(), "Bearer " + first.token(), CALL)).startsWith("401 ");
  }

  private double denied(final String reason) {
    return meters.get(HostApiEndpoint.DENIED).tag("reason", reason).counter().count();
  }

  private String post(final URI url, final String auth, final String body)
      throws IOException, InterruptedException {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    final HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }
}

package dev.runledger.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.RunCommand;
import dev.runledger.gateway.client.HostEventClient;
import dev.runledger.gateway.views.HttpRunViews;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.topics.LedgerTopics;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cancel routes on a local Javalin server that also stands in for the projections' views,
 * looked up through {@link HttpRunViews}; cancels go to a {@link MockProducer}.
 */
class CancelRoutesTest {
  private static final String TOKEN = "internal-secret";
  private final LedgerTopics topics = Fixtures.topics();
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final HostEventClient client = new HostEventClient(topics, producer);
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final HttpRunViews views = new HttpRunViews("http://127.0.0.1:1", TOKEN);
  private final List<String> viewsAskedWith = new CopyOnWriteArrayList<>();
  private volatile Caller caller = Caller.UNRESTRICTED;
  private Javalin app;

  @BeforeEach
  void startServer() {
    app = Javalin.create(config -> config.showJavalinBanner = false);
    app.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(e.body()));
    // stands in for the HTTP server's authentication: the caller of every cancel request, and
    // the projections, which answer only runledger's own services
    app.before(
        ctx -> {
          if (ctx.path().endsWith("/cancel")) {
            ctx.attribute(Caller.ATTRIBUTE, caller);
          } else {
            viewsAskedWith.add(String.valueOf(ctx.header("Authorization")));
            if (!("Bearer " + TOKEN).equals(ctx.header("Authorization"))) {
              throw new ApiException(401, "unauthenticated", "no internal credential");
            }
          }
        });
    new CancelRoutes(GatewaySettings.defaults(), views, client::cancelRun).register(app);
    app.get(
        "/v1/runs/{run_id}",
        ctx -> {
          switch (ctx.pathParam("run_id")) {
            case "run_known" -> ctx.result(run("run_known", "w1", "running"));
            case "run_done" -> ctx.result(run("run_done", "w1", "completed"));
            case "run_other" -> ctx.result(run("run_other", "w2", "running"));
            default -> ctx.status(404).result("{}");
          }
        });
    app.get(
        ApiPaths.DECISION,
        ctx -> {
          if (!"w1".equals(ctx.pathParam(ApiPaths.WORKSPACE_ID))) {
            ctx.status(404).result("{}");
            return;
          }
          switch (ctx.pathParam("event_id")) {
            case "e_queued" ->
                ctx.result(
                    "{\"event_id\": \"e_queued\", \"decision\": \"enqueued\", \"run_id\": \"run_q\"}");
            case "e_none" ->
                ctx.result(
                    "{\"event_id\": \"e_none\", \"decision\": \"no_binding\", \"run_id\": null}");
            case "e_done" ->
                ctx.result(
                    "{\"event_id\": \"e_done\", \"decision\": \"run_created\", \"run_id\": \"run_done\"}");
            case "e_live" ->
                ctx.result(
                    "{\"event_id\": \"e_live\", \"decision\": \"steered\", \"run_id\": \"run_known\"}");
            case "e_cleaned" ->
                ctx.result(
                    "{\"event_id\": \"e_cleaned\", \"decision\": \"run_created\", \"run_id\": \"run_gone\"}");
            case "e_followup" ->
                ctx.result(
                    "{\"event_id\": \"e_followup\", \"decision\": \"followup\", \"run_id\": \"run_f\"}");
            case "e_broken" -> ctx.status(500).result("{}");
            default -> ctx.status(404).result("{}");
          }
        });
    app.start("127.0.0.1", 0);
    views.baseUrl("http://127.0.0.1:" + app.port());
  }

  private static String run(final String runId, final String workspace, final String status) {
    return "{\"run_id\": \""
        + runId
        + "\", \"workspace_id\": \""
        + workspace
        + "\", \"status\": \""
        + status
        + "\"}";
  }

  @AfterEach
  void stopServer() {
    app.stop();
    client.close();
  }

  private HttpResponse<String> post(final String path, final String body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private CancelRun onlyCancel(final String runId) {
    final List<ProducerRecord<String, byte[]>> sent = producer.history();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).topic()).isEqualTo(topics.runControl().name());
    assertThat(sent.get(0).key()).isEqualTo(runId);
    final RunCommand command =
        topics.runControl().valueSerde().deserializer().deserialize("t", sent.get(0).value());
    assertThat(command.getRunId()).isEqualTo(runId);
    return (CancelRun) command.getKind();
  }

  @Test
  void shouldProduceCancelRunAndAnswer202WhenTheRunIsKnown() throws Exception {
    // when
    final HttpResponse<String> response =
        post("/v1/runs/run_known/cancel", "{\"reason\": \"user\"}");

    // then
    assertThat(response.statusCode()).isEqualTo(202);
    final JsonNode body = AvroJson.mapper().readTree(response.body());
    assertThat(body.path("run_id").asText()).isEqualTo("run_known");
    final CancelRun cancel = onlyCancel("run_known");
    assertThat(cancel.getReason()).isEqualTo("user");
    assertThat(cancel.getRequestedBy()).isEqualTo(CancelRoutes.REQUESTED_BY);
  }

  @Test
  void shouldUseTheDefaultReasonWithoutABody() throws Exception {
    assertThat(post("/v1/runs/run_known/cancel", "").statusCode()).isEqualTo(202);
    assertThat(onlyCancel("run_known").getReason()).isEqualTo(CancelRoutes.DEFAULT_REASON);
  }

  @Test
  void shouldCancelTheRunAnEventsDecisionNamesEvenBeforeTheRunExists() throws Exception {
    // when
    final HttpResponse<String> response = post("/v1/workspaces/w1/events/e_queued/cancel", "{}");

    // then
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(AvroJson.mapper().readTree(response.body()).path("run_id").asText())
        .isEqualTo("run_q");
    assertThat(onlyCancel("run_q").getReason()).isEqualTo(CancelRoutes.DEFAULT_REASON);
  }

  @Test
  void shouldAnswer404ForAnUnknownRunOrEventAndProduceNothing() throws Exception {
    assertThat(post("/v1/runs/run_nope/cancel", "{}").statusCode()).isEqualTo(404);
    assertThat(post("/v1/workspaces/w1/events/e_nope/cancel", "{}").statusCode()).isEqualTo(404);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldAnswer409WhenTheEventHasNoRun() throws Exception {
    final HttpResponse<String> response = post("/v1/workspaces/w1/events/e_none/cancel", "{}");

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(response.body()).contains(CancelRoutes.EVENT_NO_RUN).contains("no_binding");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldAnswer400ForAReasonThatIsNotText() throws Exception {
    final HttpResponse<String> response = post("/v1/runs/run_known/cancel", "{\"reason\": 5}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("reason");
    assertThat(producer.history()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"/v1/runs/run_done/cancel", "/v1/workspaces/w1/events/e_done/cancel"})
  void shouldAnswer409NamingTheStatusWhenTheRunHasEndedByRunAndByEvent(final String path)
      throws Exception {
    // when
    final HttpResponse<String> response = post(path, "{\"reason\": \"too late\"}");

    // then
    assertThat(response.statusCode()).isEqualTo(409);
    final JsonNode error = AvroJson.mapper().readTree(response.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo(CancelRoutes.RUN_FINISHED);
    assertThat(error.path("message").asText()).contains("run_done").contains("completed");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldCancelTheRunningRunAnEventWasSteeredInto() throws Exception {
    assertThat(post("/v1/workspaces/w1/events/e_live/cancel", "{}").statusCode()).isEqualTo(202);
    assertThat(onlyCancel("run_known").getReason()).isEqualTo(CancelRoutes.DEFAULT_REASON);
  }

  @Test
  void shouldAnswer404ByEventLikeByRunWhenTheRunWasCleanedUp() throws Exception {
    // when
    final HttpResponse<String> byRun = post("/v1/runs/run_gone/cancel", "{}");
    final HttpResponse<String> byEvent = post("/v1/workspaces/w1/events/e_cleaned/cancel", "{}");

    // then
    assertThat(byRun.statusCode()).isEqualTo(404);
    assertThat(byEvent.statusCode()).isEqualTo(404);
    assertThat(byEvent.body()).contains("not_found").contains("run_gone");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldCancelAFollowUpRunThatDoesNotExistYet() throws Exception {
    assertThat(post("/v1/workspaces/w1/events/e_followup/cancel", "{}").statusCode())
        .isEqualTo(202);
    assertThat(onlyCancel("run_f").getRequestedBy()).isEqualTo(CancelRoutes.REQUESTED_BY);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/v1/runs/run_known/cancel | {\"reazon\": \"x\"} | reazon",
        "/v1/workspaces/w1/events/e_queued/cancel | {\"reason\": \"x\", \"by\": \"me\"} | by",
        "/v1/runs/run_known/cancel?force=true | {} | force",
        "/v1/workspaces/w1/events/e_queued/cancel?reason=x | | reason"
      })
  void shouldAnswer400NamingAnUnknownFieldOrQueryParameter(
      final String path, final String body, final String field) throws Exception {
    // when
    final HttpResponse<String> response = post(path, body == null ? "" : body);

    // then
    assertThat(response.statusCode()).isEqualTo(400);
    final JsonNode error = AvroJson.mapper().readTree(response.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("invalid_argument");
    assertThat(error.path("field").asText()).isEqualTo(field);
    assertThat(error.path("message").asText()).contains(field);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldAnswer503WhenTheViewsFail() throws Exception {
    final HttpResponse<String> response = post("/v1/workspaces/w1/events/e_broken/cancel", "{}");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains(HttpRunViews.VIEWS_UNAVAILABLE);
  }

  @Test
  void shouldAnswer404AsForAnUnknownRunWhenTheRunIsOfAWorkspaceTheCallerDoesNotCover()
      throws Exception {
    // given a writer of w1 only
    caller = new Caller("w1-writer", Caller.Role.WRITER, Set.of("w1"));

    // when it cancels a run of w2, and one of its own
    final HttpResponse<String> other = post("/v1/runs/run_other/cancel", "{}");
    final HttpResponse<String> own = post("/v1/runs/run_known/cancel", "{}");

    // then the other workspace's run reads as unknown and only its own is cancelled
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(other.body()).contains("not_found").doesNotContain("w2");
    assertThat(own.statusCode()).isEqualTo(202);
    assertThat(onlyCancel("run_known").getReason()).isEqualTo(CancelRoutes.DEFAULT_REASON);
  }

  @Test
  void shouldCancelARunOfAnyWorkspaceForACallerOfEveryWorkspace() throws Exception {
    assertThat(post("/v1/runs/run_other/cancel", "{}").statusCode()).isEqualTo(202);
    assertThat(onlyCancel("run_other").getRequestedBy()).isEqualTo(CancelRoutes.REQUESTED_BY);
  }

  @Test
  void shouldLookTheEventUpInThePathsWorkspaceOnly() throws Exception {
    // e_queued is an event of w1
    assertThat(post("/v1/workspaces/w2/events/e_queued/cancel", "{}").statusCode()).isEqualTo(404);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldAskTheViewsWithTheInternalCredential() throws Exception {
    post("/v1/workspaces/w1/events/e_live/cancel", "{}");

    assertThat(viewsAskedWith).hasSize(2).containsOnly("Bearer " + TOKEN);
  }

  @Test
  void shouldNotServeTheFlatEventCancelPathAnyMore() throws Exception {
    assertThat(post("/v1/events/e_queued/cancel", "{}").statusCode()).isEqualTo(404);
    assertThat(producer.history()).isEmpty();
  }
}

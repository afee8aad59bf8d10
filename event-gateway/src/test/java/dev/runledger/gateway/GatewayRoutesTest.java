package dev.runledger.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.HostEvent;
import dev.runledger.gateway.client.EventPublisher;
import dev.runledger.gateway.client.HostEventClient;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.topics.LedgerTopics;
import io.javalin.Javalin;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP routes on a local Javalin server, producing to a {@link MockProducer}. */
class GatewayRoutesTest {
  private static final String EVENT =
      "{\"event_type\": \"message.received\", \"workspace_id\": \"w1\", \"conversation_id\": \"c1\","
          + " \"input\": {\"text\": \"hello\"}}";
  private static final String BINDING =
      "{\"scope\": {\"workspace_id\": \"w1\"}, \"event_types\": [\"message.*\"],"
          + " \"runner_id\": \"builtin:echo/default\", \"runner_config\": {\"turns\": 1}}";

  private final LedgerTopics topics = Fixtures.topics();
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final HostEventClient client = new HostEventClient(topics, producer);
  private final BindingTable table = new BindingTable();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Javalin app;
  private volatile Caller caller = Caller.UNRESTRICTED;

  @BeforeEach
  void startServer() {
    app = server(client);
  }

  @AfterEach
  void stopServer() {
    app.stop();
    client.close();
  }

  private Javalin server(final EventPublisher publisher) {
    final Javalin server = Javalin.create(config -> config.showJavalinBanner = false);
    server.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(e.body()));
    // stands in for the HTTP server's authentication: the caller of every request
    server.before(ctx -> ctx.attribute(Caller.ATTRIBUTE, caller));
    GatewayService.routes(GatewaySettings.defaults(), publisher, table, Fixtures.CLOCK)
        .register(server);
    return server.start("127.0.0.1", 0);
  }

  private HttpResponse<String> call(
      final String method, final String path, final BodyPublisher body)
      throws IOException, InterruptedException {
    final HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .header("Content-Type", "application/json")
            .method(method, body)
            .build();
    return http.send(request, BodyHandlers.ofString());
  }

  private HttpResponse<String> call(final String method, final String path, final String body)
      throws IOException, InterruptedException {
    return call(method, path, BodyPublishers.ofString(body));
  }

  private HttpResponse<String> postWithKey(final String path, final String key, final String body)
      throws IOException, InterruptedException {
    final HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .header("Content-Type", "application/json")
            .header(EventValidator.IDEMPOTENCY_KEY, key)
            .POST(BodyPublishers.ofString(body))
            .build();
    return http.send(request, BodyHandlers.ofString());
  }

  private HttpResponse<String> get(final String path) throws IOException, InterruptedException {
    return call("GET", path, BodyPublishers.noBody());
  }

  private static String withId(final String eventId) {
    return "{\"event_id\": \"" + eventId + "\", " + EVENT.substring(1);
  }

  private static JsonNode json(final HttpResponse<String> response) {
    return AvroJson.parse(response.body(), "");
  }

  private static void assertError(
      final HttpResponse<String> response,
      final int status,
      final String code,
      final String field) {
    assertThat(response.statusCode()).isEqualTo(status);
    final JsonNode error = json(response).get("error");
    assertThat(error.get("code").asText()).isEqualTo(code);
    assertThat(error.get("field").asText()).isEqualTo(field);
    assertThat(error.get("message").asText()).isNotBlank();
  }

  private HostEvent produced(final int index) {
    final ProducerRecord<String, byte[]> record = producer.history().get(index);
    return topics
        .hostEvents()
        .valueSerde()
        .deserializer()
        .deserialize(record.topic(), record.value());
  }

  @Test
  void shouldProduceEventAndSayWhereWhenEventIsValid() throws Exception {
    // when
    final HttpResponse<String> response = call("POST", "/v1/events", EVENT);

    // then
    assertThat(response.statusCode()).isEqualTo(202);
    final JsonNode body = json(response);
    assertThat(producer.history()).hasSize(1);
    final HostEvent event = produced(0);
    assertThat(body.get("event_id").asText()).isEqualTo(event.getEventId()).isNotBlank();
    assertThat(body.get("topic").asText()).isEqualTo(topics.hostEvents().name());
    assertThat(body.get("partition").isInt()).isTrue();
    assertThat(body.get("offset").asLong()).isZero();
    assertThat(producer.history().get(0).key()).isEqualTo("w1//c1/");
    assertThat(event.getInput().getText()).isEqualTo("hello");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"workspace_id\": \"w1\"} | event_type",
        "{\"event_type\": \"message.received\"} | workspace_id",
        "{\"event_type\": \"message\", \"workspace_id\": \"w1\"} | event_type",
        "{\"event_type\": \"a.b\", \"workspace_id\": \"w1\", \"event_time\": \"now\"} | event_time",
        "{\"event_type\": \"a.b\", \"workspace_id\": \"w1\", \"mood\": 1} | mood",
        "this is not json | body"
      })
  void shouldReturn400AndProduceNothingWhenEventIsInvalid(final String body, final String field)
      throws Exception {
    // when
    final HttpResponse<String> response = call("POST", "/v1/events", body);

    // then
    assertError(response, 400, "invalid_argument", field);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldReturn413AndProduceNothingWhenBodyIsOverOneMebibyte() throws Exception {
    // given
    final String body = EVENT + " ".repeat(1_048_576);

    // when
    final HttpResponse<String> response = call("POST", "/v1/events", body);

    // then
    assertError(response, 413, "payload_too_large", "body");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldReturn413WhenAnOversizeBodyIsSentWithoutLength() throws Exception {
    // given a chunked body: no Content-Length for the server to check up front
    final byte[] body = (EVENT + " ".repeat(1_048_576)).getBytes(StandardCharsets.UTF_8);

    // when
    final HttpResponse<String> response =
        call(
            "POST",
            "/v1/events",
            BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));

    // then
    assertError(response, 413, "payload_too_large", "body");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldReturn413AndProduceNothingWhenTextIsOver256Kibibytes() throws Exception {
    // given
    final String body =
        "{\"event_type\": \"message.received\", \"workspace_id\": \"w1\", \"input\": {\"text\": \""
            + "x".repeat(262_145)
            + "\"}}";

    // when
    final HttpResponse<String> response = call("POST", "/v1/events", body);

    // then
    assertError(response, 413, "payload_too_large", "input.text");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldProduceEveryEventInOrderWhenBatchIsValid() throws Exception {
    // given
    final String body =
        "{\"events\": ["
            + EVENT
            + ", {\"event_type\": \"a.b\", \"workspace_id\": \"w2\"}, "
            + EVENT
            + "]}";

    // when
    final HttpResponse<String> response = call("POST", "/v1/events:batch", body);

    // then
    assertThat(response.statusCode()).isEqualTo(202);
    final JsonNode items = json(response).get("items");
    assertThat(items).hasSize(3);
    assertThat(producer.history()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(items.get(i).get("event_id").asText()).isEqualTo(produced(i).getEventId());
      assertThat(items.get(i).get("topic").asText()).isEqualTo(topics.hostEvents().name());
    }
    assertThat(produced(1).getWorkspaceId()).isEqualTo("w2");
    final List<String> positions = new ArrayList<>();
    items.forEach(item -> positions.add(item.get("partition") + "@" + item.get("offset")));
    assertThat(positions).doesNotHaveDuplicates();
  }

  @Test
  void shouldReturn400AndProduceNothingWhenOneBatchEventIsInvalid() throws Exception {
    // given
    final String body = "{\"events\": [" + EVENT + ", {\"workspace_id\": \"w2\"}, " + EVENT + "]}";

    // when
    final HttpResponse<String> response = call("POST", "/v1/events:batch", body);

    // then
    assertError(response, 400, "invalid_argument", "events[1].event_type");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldStoreServeListAndDeleteBindingWhenManagedOverHttp() throws Exception {
    // when
    final HttpResponse<String> put = call("PUT", "/v1/workspaces/w1/bindings/echo-1", BINDING);

    // then it is stored, produced and readable at once
    assertThat(put.statusCode()).isEqualTo(200);
    final JsonNode stored = json(put);
    assertThat(stored.get("binding_id").asText()).isEqualTo("echo-1");
    assertThat(stored.get("runner_config").get("turns").asInt()).isEqualTo(1);
    assertThat(stored.get("updated_at").asLong()).isEqualTo(Fixtures.NOW.toEpochMilli());
    assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("w1/echo-1");
    assertThat(json(get("/v1/workspaces/w1/bindings/echo-1"))).isEqualTo(stored);
    assertThat(json(get("/v1/workspaces/w1/bindings")).get("items")).containsExactly(stored);

    // when
    final HttpResponse<String> delete =
        call("DELETE", "/v1/workspaces/w1/bindings/echo-1", BodyPublishers.noBody());

    // then
    assertThat(delete.statusCode()).isEqualTo(204);
    assertThat(producer.history().get(1).value()).isNull();
    final HttpResponse<String> gone = get("/v1/workspaces/w1/bindings/echo-1");
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(json(gone).get("error").get("code").asText()).isEqualTo("not_found");
    assertThat(json(get("/v1/workspaces/w1/bindings")).get("items")).isEmpty();
  }

  @Test
  void shouldListOnlyThePathWorkspacesBindings() throws Exception {
    // given
    call("PUT", "/v1/workspaces/w1/bindings/b1", BINDING);
    call("PUT", "/v1/workspaces/w2/bindings/b2", BINDING.replace("\"w1\"", "\"w2\""));

    // when
    final JsonNode items = json(get("/v1/workspaces/w2/bindings")).get("items");

    // then
    assertThat(items).hasSize(1);
    assertThat(items.get(0).get("binding_id").asText()).isEqualTo("b2");
  }

  @Test
  void shouldPageBindingsByIdWithCursorsUntilTheEnd() throws Exception {
    // given five bindings of w1 (one deleted) and one of w2 that sorts among them
    for (final String id : List.of("b3", "b1", "b5", "b2", "b4", "b6")) {
      table.apply("w1/" + id, BindingTableTest.binding("w1", id, 0), 0, 1);
    }
    table.apply("w1/b6", null, 0, 2);
    table.apply("w2/b2x", BindingTableTest.binding("w2", "b2x", 0), 0, 1);

    // when following next_cursor two at a time
    final List<String> ids = new ArrayList<>();
    final List<Boolean> more = new ArrayList<>();
    String cursor = null;
    do {
      final HttpResponse<String> page =
          get("/v1/workspaces/w1/bindings?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(page.statusCode()).isEqualTo(200);
      json(page).get("items").forEach(b -> ids.add(b.get("binding_id").asText()));
      final JsonNode next = json(page).get("next_cursor");
      cursor = next.isTextual() ? next.asText() : null;
      more.add(cursor != null);
    } while (cursor != null);

    // then every binding once, by id
    assertThat(ids).containsExactly("b1", "b2", "b3", "b4", "b5");
    assertThat(more).containsExactly(true, true, false);
    final JsonNode all = json(get("/v1/workspaces/w1/bindings"));
    assertThat(all.get("items")).hasSize(5);
    assertThat(all.get("next_cursor").isNull()).isTrue();
  }

  @Test
  void shouldAnswer400NamingTheParameterWhenABindingsPageHasABadLimitOrCursor() throws Exception {
    for (final String query : List.of("limit=0", "limit=1001", "limit=x", "cursor=nope")) {
      // when
      final HttpResponse<String> response = get("/v1/workspaces/w1/bindings?" + query);

      // then
      assertThat(response.statusCode()).as(query).isEqualTo(400);
      assertThat(json(response).at("/error/code").asText()).isEqualTo("invalid_argument");
      assertThat(json(response).at("/error/field").asText())
          .isEqualTo(query.substring(0, query.indexOf('=')));
    }
  }

  @Test
  void shouldReturn404AndProduceNothingWhenDeletingAnUnknownBinding() throws Exception {
    // when
    final HttpResponse<String> response =
        call("DELETE", "/v1/workspaces/w1/bindings/nope", BodyPublishers.noBody());

    // then
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).get("error").get("code").asText()).isEqualTo("not_found");
    assertThat(producer.history()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"scope\": {\"workspace_id\": \"w1\"}, \"event_types\": [\"a.b\"], \"runner_id\": \"r\","
            + " \"unknown\": 1} | unknown",
        "{\"scope\": {\"workspace_id\": \"w1\"}, \"event_types\": [\"a.b\"], \"runner_id\": \"r\","
            + " \"filters\": [{\"field\": \"input.text\", \"op\": \"regex\", \"value\": \"(\"}]}"
            + " | filters[0].value",
        "{\"scope\": {\"workspace_id\": \"w1\"}, \"event_types\": [\"a.b\"], \"runner_id\": \"r\","
            + " \"runner_config\": \"{not json\"} | runner_config",
        "{\"binding_id\": \"other\", \"scope\": {\"workspace_id\": \"w1\"}, \"event_types\":"
            + " [\"a.b\"], \"runner_id\": \"r\"} | binding_id",
        "{oops | body"
      })
  void shouldReturn400AndProduceNothingWhenBindingIsInvalid(final String body, final String field)
      throws Exception {
    // when
    final HttpResponse<String> response = call("PUT", "/v1/workspaces/w1/bindings/b1", body);

    // then
    assertError(response, 400, "invalid_argument", field);
    assertThat(producer.history()).isEmpty();
    assertThat(table.list("w1")).isEmpty();
  }

  @Test
  void shouldReturn503AndKeepNoBindingWhenKafkaRefusesTheWrite() throws Exception {
    // given a publisher whose every write fails
    app.stop();
    app = server(new FailingPublisher());

    // when
    final HttpResponse<String> event = call("POST", "/v1/events", EVENT);
    final HttpResponse<String> binding = call("PUT", "/v1/workspaces/w1/bindings/b1", BINDING);

    // then
    assertThat(event.statusCode()).isEqualTo(503);
    assertThat(json(event).get("error").get("code").asText()).isEqualTo("unavailable");
    assertThat(binding.statusCode()).isEqualTo(503);
    assertThat(table.get("w1", "b1")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "POST | /v1/events?dry_run=1 | event | dry_run",
        "POST | /v1/events:batch?atomic=true | batch | atomic",
        "GET | /v1/workspaces/w1/bindings?workspace=w1 | | workspace",
        "GET | /v1/workspaces/w1/bindings?workspace_id=w1 | | workspace_id",
        "PUT | /v1/workspaces/w1/bindings/b1?force=1 | binding | force",
        "GET | /v1/workspaces/w1/bindings/b1?verbose | | verbose",
        "DELETE | /v1/workspaces/w1/bindings/b1?cascade=1 | | cascade"
      })
  void shouldReturn400NamingAnUnknownQueryParameterOnEveryRoute(
      final String method, final String path, final String body, final String field)
      throws Exception {
    // given
    final String sent =
        body == null
            ? ""
            : switch (body) {
              case "event" -> EVENT;
              case "batch" -> "{\"events\": [" + EVENT + "]}";
              default -> BINDING;
            };

    // when
    final HttpResponse<String> response =
        call(
            method, path, sent.isEmpty() ? BodyPublishers.noBody() : BodyPublishers.ofString(sent));

    // then
    assertError(response, 400, "invalid_argument", field);
    assertThat(json(response).get("error").get("message").asText()).contains(field);
    assertThat(producer.history()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/v1/events | {\"event_type\": \"a.b\", \"workspace_id\": \"w1\", \"source\": \"fax\"} | source",
        "/v1/events:batch | {\"events\": [{\"event_type\": \"a.b\", \"workspace_id\": \"w1\","
            + " \"source\": \"fax\"}]} | events[0].source",
        "/v1/events:batch | {\"events\": [], \"mode\": \"all\"} | mode"
      })
  void shouldReturn400NamingAnUnknownEnumValueOrFieldOfAnEvent(
      final String path, final String body, final String field) throws Exception {
    final HttpResponse<String> response = call("POST", path, body);

    assertError(response, 400, "invalid_argument", field);
    assertThat(producer.history()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"dispatch_policy\": {\"mode\": \"fanout\"} | dispatch_policy.mode",
        "\"filters\": [{\"field\": \"input.text\", \"op\": \"like\", \"value\": \"x\"}] | filters[0].op"
      })
  void shouldReturn400NamingAnUnknownEnumValueOfABinding(final String extra, final String field)
      throws Exception {
    final String body = BINDING.substring(0, BINDING.length() - 1) + ", " + extra + "}";

    assertError(call("PUT", "/v1/workspaces/w1/bindings/b1", body), 400, "invalid_argument", field);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldUseTheIdempotencyKeyAsEventIdWhenTheBodyGivesNone() throws Exception {
    // when
    final HttpResponse<String> response = postWithKey("/v1/events", "key-1", EVENT);

    // then
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(json(response).get("event_id").asText()).isEqualTo("key-1");
    assertThat(produced(0).getEventId()).isEqualTo("key-1");
  }

  @Test
  void shouldAcceptAnIdempotencyKeyEqualToTheBodysEventId() throws Exception {
    final String body = withId("key-2");

    assertThat(postWithKey("/v1/events", "key-2", body).statusCode()).isEqualTo(202);
    assertThat(produced(0).getEventId()).isEqualTo("key-2");
  }

  @Test
  void shouldReturn400WhenTheBodysEventIdDiffersFromTheIdempotencyKey() throws Exception {
    // given
    final String body = withId("e-body");

    // when
    final HttpResponse<String> response = postWithKey("/v1/events", "e-header", body);

    // then
    assertError(response, 400, "invalid_argument", "event_id");
    assertThat(json(response).get("error").get("message").asText())
        .contains(EventValidator.IDEMPOTENCY_KEY)
        .contains("e-header");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldReturn400ForAnIdempotencyKeyOnABatchOrOneTooLong() throws Exception {
    assertError(
        postWithKey("/v1/events:batch", "k", "{\"events\": [" + EVENT + "]}"),
        400,
        "invalid_argument",
        EventValidator.IDEMPOTENCY_KEY);
    assertError(
        postWithKey("/v1/events", "k".repeat(EventValidator.MAX_ID_LENGTH + 1), EVENT),
        400,
        "invalid_argument",
        EventValidator.IDEMPOTENCY_KEY);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldProduceTheSameEventIdWhenA503IsRetriedWithTheReturnedEventId() throws Exception {
    // given a publisher whose first write fails (Kafka unavailable), then works
    final FlakyPublisher flaky = new FlakyPublisher(client, 1);
    app.stop();
    app = server(flaky);

    // when the event without an id gets a 503
    final HttpResponse<String> failed = call("POST", "/v1/events", EVENT);

    // then the error names the event id the gateway assigned
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(json(failed).get("error").get("code").asText()).isEqualTo("unavailable");
    final String assigned = json(failed).get("event_id").asText();
    assertThat(assigned).isNotBlank();
    assertThat(json(failed).get("error").get("message").asText()).contains(assigned);

    // when retried with that id as Idempotency-Key, and once more with it in the body
    final HttpResponse<String> byHeader = postWithKey("/v1/events", assigned, EVENT);
    final HttpResponse<String> byBody = call("POST", "/v1/events", withId(assigned));

    // then every attempt carried the same event id: the orchestrator's dedupe (one run per
    // event_id) decides one run and answers the second write `duplicate`
    assertThat(byHeader.statusCode()).isEqualTo(202);
    assertThat(json(byHeader).get("event_id").asText()).isEqualTo(assigned);
    assertThat(byBody.statusCode()).isEqualTo(202);
    assertThat(flaky.attempts).extracting(HostEvent::getEventId).containsOnly(assigned).hasSize(3);
    assertThat(producer.history()).hasSize(2);
    assertThat(List.of(produced(0), produced(1)))
        .extracting(HostEvent::getEventId)
        .containsOnly(assigned);
  }

  @Test
  void shouldNameEveryEventIdOfABatchIn503() throws Exception {
    // given
    app.stop();
    app = server(new FailingPublisher());
    final String body = "{\"events\": [" + EVENT + ", " + withId("mine") + "]}";

    // when
    final HttpResponse<String> response = call("POST", "/v1/events:batch", body);

    // then
    assertThat(response.statusCode()).isEqualTo(503);
    final JsonNode items = json(response).get("items");
    assertThat(items).hasSize(2);
    assertThat(items.get(0).get("event_id").asText()).isNotBlank().isNotEqualTo("mine");
    assertThat(items.get(1).get("event_id").asText()).isEqualTo("mine");
  }

  @Test
  void shouldReturn403AndProduceNothingWhenTheEventsWorkspaceIsNotTheCallers() throws Exception {
    // given a writer of w2 only
    caller = new Caller("w2-writer", Caller.Role.WRITER, Set.of("w2"));

    // when it posts an event of w1 (EVENT), alone and in a batch with one of its own
    final HttpResponse<String> single = call("POST", "/v1/events", EVENT);
    final HttpResponse<String> batch =
        call(
            "POST",
            "/v1/events:batch",
            "{\"events\": [{\"event_type\": \"a.b\", \"workspace_id\": \"w2\"}, " + EVENT + "]}");

    // then both are refused and nothing, not even the batch's allowed event, is written
    for (final HttpResponse<String> response : List.of(single, batch)) {
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(json(response).get("error").get("code").asText()).isEqualTo("forbidden");
      assertThat(json(response).get("error").get("message").asText()).contains("w1");
    }
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldProduceTheEventsOfTheCallersWorkspace() throws Exception {
    caller = new Caller("w1-writer", Caller.Role.WRITER, Set.of("w1"));

    assertThat(call("POST", "/v1/events", EVENT).statusCode()).isEqualTo(202);
    assertThat(producer.history()).hasSize(1);
  }

  @Test
  void shouldReturn403WhenAReaderPostsAnEvent() throws Exception {
    caller = new Caller("w1-reader", Caller.Role.READER, Set.of("w1"));

    assertThat(call("POST", "/v1/events", EVENT).statusCode()).isEqualTo(403);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldReturn401WhenNoCallerWasAuthenticated() throws Exception {
    caller = null;

    assertThat(call("POST", "/v1/events", EVENT).statusCode()).isEqualTo(401);
    assertThat(producer.history()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"workspace_id", "bot_id", "conversation_id", "thread_id"})
  void shouldReturn400NamingAnIdThatHoldsTheKeySeparator(final String field) throws Exception {
    // given an event (EVENT has conversation c1) with '/' in one id
    final ObjectNode event = (ObjectNode) AvroJson.parse(EVENT, "");
    final String sent = AvroJson.text(event.put(field, "x/y"));
    final String asItem = "{\"events\": [" + EVENT + ", " + sent + "]}";

    // when / then, alone and as a batch item
    assertError(call("POST", "/v1/events", sent), 400, "invalid_argument", field);
    assertError(
        call("POST", "/v1/events:batch", asItem), 400, "invalid_argument", "events[1]." + field);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shouldReturn400WhenTheBindingsScopeWorkspaceDiffersFromThePath() throws Exception {
    // BINDING's scope is w1
    final HttpResponse<String> response = call("PUT", "/v1/workspaces/w2/bindings/b1", BINDING);

    assertError(response, 400, "invalid_argument", "scope.workspace_id");
    assertThat(producer.history()).isEmpty();
    assertThat(table.list("w2")).isEmpty();
  }

  @Test
  void shouldTakeTheBindingsWorkspaceFromThePathWhenTheBodyGivesNone() throws Exception {
    final String body = BINDING.replace("\"scope\": {\"workspace_id\": \"w1\"}, ", "");

    final HttpResponse<String> response = call("PUT", "/v1/workspaces/w2/bindings/b1", body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("scope").get("workspace_id").asText()).isEqualTo("w2");
    assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("w2/b1");
  }

  @Test
  void shouldKeepBindingsOfTheSameIdInTwoWorkspacesApart() throws Exception {
    // given b1 in w1 and in w2
    call("PUT", "/v1/workspaces/w1/bindings/b1", BINDING);
    call("PUT", "/v1/workspaces/w2/bindings/b1", BINDING.replace("\"w1\"", "\"w2\""));

    // when w2 deletes its b1
    final HttpResponse<String> delete =
        call("DELETE", "/v1/workspaces/w2/bindings/b1", BodyPublishers.noBody());

    // then w1's b1 is still there, and the records were keyed by workspace
    assertThat(delete.statusCode()).isEqualTo(204);
    assertThat(get("/v1/workspaces/w2/bindings/b1").statusCode()).isEqualTo(404);
    final HttpResponse<String> kept = get("/v1/workspaces/w1/bindings/b1");
    assertThat(kept.statusCode()).isEqualTo(200);
    assertThat(json(kept).get("scope").get("workspace_id").asText()).isEqualTo("w1");
    assertThat(json(get("/v1/workspaces/w1/bindings")).get("items")).hasSize(1);
    assertThat(producer.history())
        .extracting(ProducerRecord::key)
        .containsExactly("w1/b1", "w2/b1", "w2/b1");
  }

  @ParameterizedTest
  @CsvSource({"GET, /v1/bindings", "GET, /v1/bindings/b1", "PUT, /v1/bindings/b1"})
  void shouldNotServeTheFlatBindingPathsAnyMore(final String method, final String path)
      throws Exception {
    assertThat(call(method, path, BINDING).statusCode()).isEqualTo(404);
    assertThat(producer.history()).isEmpty();
  }

  /** Fails the first {@code failures} sends as if Kafka were unavailable, then sends. */
  private static final class FlakyPublisher implements EventPublisher {
    private final EventPublisher delegate;
    private int failures;
    final List<HostEvent> attempts = new ArrayList<>();

    FlakyPublisher(final EventPublisher delegate, final int failures) {
      this.delegate = delegate;
      this.failures = failures;
    }

    @Override
    public synchronized CompletableFuture<RecordMetadata> send(final HostEvent event) {
      attempts.add(event);
      if (failures > 0) {
        failures--;
        return CompletableFuture.failedFuture(new TimeoutException("no brokers"));
      }
      return delegate.send(event);
    }

    @Override
    public CompletableFuture<RecordMetadata> putBinding(final AgentBinding binding) {
      return delegate.putBinding(binding);
    }

    @Override
    public CompletableFuture<RecordMetadata> deleteBinding(
        final String workspaceId, final String bindingId) {
      return delegate.deleteBinding(workspaceId, bindingId);
    }
  }

  /** Every write fails as if the brokers were unreachable. */
  private static final class FailingPublisher implements EventPublisher {
    @Override
    public CompletableFuture<RecordMetadata> send(final HostEvent event) {
      return CompletableFuture.failedFuture(new TimeoutException("no brokers"));
    }

    @Override
    public CompletableFuture<RecordMetadata> putBinding(final AgentBinding binding) {
      return CompletableFuture.failedFuture(new TimeoutException("no brokers"));
    }

    @Override
    public CompletableFuture<RecordMetadata> deleteBinding(
        final String workspaceId, final String bindingId) {
      return CompletableFuture.failedFuture(new TimeoutException("no brokers"));
    }
  }
}

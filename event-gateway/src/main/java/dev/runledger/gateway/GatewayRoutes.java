package dev.runledger.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.HostEvent;
import dev.runledger.gateway.client.EventPublisher;
import dev.runledger.gateway.client.HostEventClient;
import dev.runledger.gateway.registry.RegistryRoutes;
import dev.runledger.schemas.http.Access;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.http.Cursors;
import dev.runledger.schemas.http.QueryParams;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.metrics.LedgerMeters;
import dev.runledger.schemas.topics.WorkspaceKeys;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The gateway's HTTP API (ARCHITECTURE.md §9.1, paths in {@link ApiPaths}): {@code POST
 * /v1/events}, {@code POST /v1/events:batch}, {@code PUT|GET|DELETE
 * /v1/workspaces/{workspace_id}/bindings/{binding_id}}, {@code GET
 * /v1/workspaces/{workspace_id}/bindings?limit=&cursor=} (paged by binding id), and the {@link
 * CancelRoutes}. Every request is validated completely before anything is produced, so a rejected
 * request writes nothing. The server checks each route's {@link Access} and the path's workspace;
 * an event's workspace is only known from its body, so posting one needs {@link Access#WRITE} on it
 * (403 {@code forbidden}, and a batch with one such event writes nothing). Errors are thrown as
 * {@link ApiException}s for the server's one exception handler.
 */
public final class GatewayRoutes {
  static final String BINDING_ID = "binding_id";
  private static final String BATCH_WRITE =
      "every event of the batch (some may have been written; retried with the event_ids of"
          + " 'items', they are deduplicated)";

  private final EventValidator events;
  private final BindingValidator bindings;
  private final EventPublisher publisher;
  private final BindingTable table;
  private final GatewaySettings settings;
  private final Acknowledgements acks;
  private final CancelRoutes cancels;
  private final RegistryRoutes registry;

  /**
   * The event and binding routes, and also the cancel endpoints through {@code cancels} and the
   * runners and workers through {@code registry} (each when not null).
   */
  public GatewayRoutes(
      final GatewaySettings settings,
      final EventValidator events,
      final BindingValidator bindings,
      final EventPublisher publisher,
      final BindingTable table,
      final CancelRoutes cancels,
      final RegistryRoutes registry) {
    this.cancels = cancels;
    this.registry = registry;
    this.settings = settings;
    this.events = events;
    this.bindings = bindings;
    this.publisher = publisher;
    this.table = table;
    this.acks = new Acknowledgements(settings.sendTimeout());
  }

  /** Adds the gateway's routes to the server. */
  public void register(final Javalin app) {
    app.post(ApiPaths.EVENTS, this::postEvent);
    app.post(ApiPaths.EVENTS_BATCH, this::postBatch);
    app.get(ApiPaths.BINDINGS, this::listBindings);
    app.put(ApiPaths.BINDING, this::putBinding);
    app.get(ApiPaths.BINDING, this::getBinding);
    app.delete(ApiPaths.BINDING, this::deleteBinding);
    if (cancels != null) {
      cancels.register(app);
    }
    if (registry != null) {
      registry.register(app);
    }
  }

  private void postEvent(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    final byte[] body =
        RequestBodies.read(ctx, settings.maxBodyBytes(), GatewaySettings.MAX_BODY_BYTES);
    final HostEvent event = events.validate(body, ctx.header(EventValidator.IDEMPOTENCY_KEY));
    mayWrite(ctx, List.of(event));
    awaitWithIds(
            ctx,
            List.of(event),
            List.of(publisher.send(event)),
            "event '" + event.getEventId() + "' (retried with this event_id, it is deduplicated)",
            false)
        .ifPresent(written -> ctx.status(202).json(accepted(event, written.get(0))));
  }

  private void postBatch(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    if (ctx.header(EventValidator.IDEMPOTENCY_KEY) != null) {
      throw ApiException.invalid(
          EventValidator.IDEMPOTENCY_KEY,
          "the "
              + EventValidator.IDEMPOTENCY_KEY
              + " header is only taken by POST "
              + ApiPaths.EVENTS
              + "; give each event of a batch its own event_id");
    }
    final byte[] body =
        RequestBodies.read(ctx, settings.maxBatchBytes(), GatewaySettings.MAX_BATCH_BYTES);
    final List<HostEvent> valid = events.validateBatch(body);
    mayWrite(ctx, valid);
    final List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>(valid.size());
    valid.forEach(event -> sent.add(publisher.send(event)));
    final Optional<List<RecordMetadata>> acknowledged =
        awaitWithIds(ctx, valid, sent, BATCH_WRITE, true);
    if (acknowledged.isEmpty()) {
      return;
    }
    final List<RecordMetadata> written = acknowledged.get();
    final ArrayNode items = AvroJson.mapper().createArrayNode();
    for (int i = 0; i < valid.size(); i++) {
      items.add(accepted(valid.get(i), written.get(i)));
    }
    final ObjectNode response = AvroJson.mapper().createObjectNode();
    response.set("items", items);
    ctx.status(202).json(response);
  }

  /**
   * The writes' results; or empty after answering the 503 of a failed write with the event ids the
   * events were written with ({@code event_id}, and {@code items[].event_id} for a batch), so a
   * client retries with the same ids and the orchestrator's dedupe keeps it to one run.
   */
  private Optional<List<RecordMetadata>> awaitWithIds(
      final Context ctx,
      final List<HostEvent> written,
      final List<CompletableFuture<RecordMetadata>> writes,
      final String what,
      final boolean batch) {
    try {
      return Optional.of(acks.awaitAll(writes, what));
    } catch (final ApiException e) {
      final ObjectNode body = e.body();
      if (!batch) {
        body.put("event_id", written.get(0).getEventId());
      } else {
        final ArrayNode items = body.putArray("items");
        written.forEach(event -> items.addObject().put("event_id", event.getEventId()));
      }
      ctx.status(e.status()).json(body);
      return Optional.empty();
    }
  }

  /**
   * Refuses, before anything is written, events of a workspace the caller may not post to: 403
   * {@code forbidden} naming the first.
   */
  private static void mayWrite(final Context ctx, final List<HostEvent> events) {
    final Caller caller = Caller.of(ctx.attribute(Caller.ATTRIBUTE));
    events.forEach(event -> caller.require(Access.WRITE, event.getWorkspaceId()));
  }

  private void putBinding(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    final String workspace = ctx.pathParam(ApiPaths.WORKSPACE_ID);
    final String id = ctx.pathParam(BINDING_ID);
    final byte[] body =
        RequestBodies.read(ctx, settings.maxBodyBytes(), GatewaySettings.MAX_BODY_BYTES);
    final AgentBinding binding = bindings.validate(workspace, id, body);
    final RecordMetadata written = acks.await(publisher.putBinding(binding), "the binding");
    table.apply(
        HostEventClient.bindingKey(binding), binding, written.partition(), written.offset());
    ctx.status(200).json(AvroJson.toJson(binding));
  }

  private void getBinding(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    final String workspace = ctx.pathParam(ApiPaths.WORKSPACE_ID);
    final String id = ctx.pathParam(BINDING_ID);
    final AgentBinding binding =
        table.get(workspace, id).orElseThrow(() -> unknownBinding(workspace, id));
    ctx.json(AvroJson.toJson(binding));
  }

  private void deleteBinding(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    final String workspace = ctx.pathParam(ApiPaths.WORKSPACE_ID);
    final String id = ctx.pathParam(BINDING_ID);
    if (table.get(workspace, id).isEmpty()) {
      throw unknownBinding(workspace, id);
    }
    final RecordMetadata written =
        acks.await(publisher.deleteBinding(workspace, id), "the deletion");
    table.apply(WorkspaceKeys.key(workspace, id), null, written.partition(), written.offset());
    ctx.status(204);
  }

  /**
   * {@code GET .../bindings?limit=&cursor=} → {@code {items, next_cursor}}: a page of the
   * workspace's bindings by binding id; {@code next_cursor} (the last id returned) is null on the
   * last page.
   */
  private void listBindings(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet(), "limit", "cursor");
    final String workspace = ctx.pathParam(ApiPaths.WORKSPACE_ID);
    final int limit = QueryParams.limit(ctx.queryParam("limit"));
    final String cursor = ctx.queryParam("cursor");
    final String after = Cursors.decodeKey(cursor == null || cursor.isBlank() ? null : cursor);
    final List<AgentBinding> page = table.page(workspace, after, limit + 1);
    final ArrayNode items = AvroJson.mapper().createArrayNode();
    page.stream().limit(limit).forEach(b -> items.add(AvroJson.toJson(b)));
    final ObjectNode response = AvroJson.mapper().createObjectNode();
    response.set("items", items);
    if (page.size() > limit) {
      response.put("next_cursor", Cursors.encodeKey(page.get(limit - 1).getBindingId()));
    } else {
      response.putNull("next_cursor");
    }
    ctx.json(response);
  }

  private static ObjectNode accepted(final HostEvent event, final RecordMetadata written) {
    LedgerMeters.eventReceived();
    final ObjectNode item = AvroJson.mapper().createObjectNode();
    item.put("event_id", event.getEventId());
    item.put("topic", written.topic());
    item.put("partition", written.partition());
    item.put("offset", written.offset());
    return item;
  }

  private static ApiException unknownBinding(final String workspace, final String id) {
    return ApiException.notFound(
        "binding '" + id + "' does not exist in workspace '" + workspace + "'");
  }
}

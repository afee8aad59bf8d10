package dev.runledger.gateway.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.WorkerHeartbeat;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.QueryParams;
import dev.runledger.schemas.json.AvroJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;

/**
 * The registry's HTTP API (paths in {@link ApiPaths}, README "Runners and workers"): {@code GET
 * /v1/runners}, every runner manifest with the workers that host it, and {@code GET /v1/workers},
 * the live and recently gone workers. Neither is workspace-scoped: runners and workers serve every
 * workspace, so any reader may list them.
 */
public final class RegistryRoutes {
  private final WorkerRegistry registry;
  private final Clock clock;

  public RegistryRoutes(final WorkerRegistry registry, final Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  /** Adds the registry's routes to the server. */
  public void register(final Javalin app) {
    app.get(ApiPaths.RUNNERS, this::listRunners);
    app.get(ApiPaths.WORKERS, this::listWorkers);
  }

  private void listRunners(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    ctx.json(runners(registry, clock));
  }

  private void listWorkers(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    ctx.json(workers(registry, clock));
  }

  /** {@code {"runners": [manifest + "workers": [{worker_id, live}]]}}, by runner id. */
  static ObjectNode runners(final WorkerRegistry registry, final Clock clock) {
    final ObjectNode body = AvroJson.mapper().createObjectNode();
    final ArrayNode runners = body.putArray("runners");
    for (final WorkerRegistry.RunnerState runner : registry.runners(clock.instant())) {
      final ObjectNode item = AvroJson.toJson(runner.manifest());
      final ArrayNode workers = item.putArray("workers");
      runner
          .workers()
          .forEach(
              w ->
                  workers
                      .addObject()
                      .put("worker_id", w.heartbeat().getWorkerId())
                      .put("live", w.live()));
      runners.add(item);
    }
    return body;
  }

  /** {@code {"workers": [...]}}, by worker id, times in ISO-8601. */
  static ObjectNode workers(final WorkerRegistry registry, final Clock clock) {
    final ObjectNode body = AvroJson.mapper().createObjectNode();
    final ArrayNode workers = body.putArray("workers");
    registry.workers(clock.instant()).forEach(w -> workers.add(worker(w)));
    return body;
  }

  private static ObjectNode worker(final WorkerRegistry.WorkerState state) {
    final WorkerHeartbeat heartbeat = state.heartbeat();
    final ObjectNode item = AvroJson.mapper().createObjectNode();
    item.put("worker_id", heartbeat.getWorkerId());
    item.put("pool", heartbeat.getPool());
    final ArrayNode runnerIds = item.putArray("runner_ids");
    heartbeat.getRunnerIds().forEach(runnerIds::add);
    item.put("slots", heartbeat.getSlots());
    item.put("active_runs", heartbeat.getActiveRuns());
    item.put("free_slots", state.freeSlots());
    item.put("version", heartbeat.getVersion());
    item.put("started_at", heartbeat.getStartedAt().toString());
    item.put("last_seen_at", heartbeat.getLastSeenAt().toString());
    item.put("live", state.live());
    return item;
  }
}

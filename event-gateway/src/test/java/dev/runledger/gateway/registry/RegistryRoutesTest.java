package dev.runledger.gateway.registry;

import static dev.runledger.gateway.registry.WorkerRegistryTest.T0;
import static dev.runledger.gateway.registry.WorkerRegistryTest.heartbeat;
import static dev.runledger.gateway.registry.WorkerRegistryTest.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.Capabilities;
import dev.runledger.avro.RunnerManifest;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RegistryRoutesTest {
  private final WorkerRegistry registry = new WorkerRegistry(RegistrySettings.defaults());
  private final Clock clock = Clock.fixed(T0.plusSeconds(1), ZoneOffset.UTC);

  @Test
  void shouldRenderEveryWorkerFieldWhenListingWorkers() {
    // given
    registry.heartbeat("w1", heartbeat("w1", T0, 1, "builtin:echo"), T0);

    // when
    final JsonNode body = RegistryRoutes.workers(registry, clock);

    // then
    final JsonNode worker = body.path("workers").get(0);
    assertThat(worker.path("worker_id").asText()).isEqualTo("w1");
    assertThat(worker.path("pool").asText()).isEqualTo("default");
    assertThat(worker.path("runner_ids").get(0).asText()).isEqualTo("builtin:echo");
    assertThat(worker.path("slots").asInt()).isEqualTo(4);
    assertThat(worker.path("active_runs").asInt()).isEqualTo(1);
    assertThat(worker.path("free_slots").asInt()).isEqualTo(3);
    assertThat(worker.path("version").asText()).isEqualTo("1.2.3");
    assertThat(worker.path("started_at").asText()).isEqualTo("2026-12-02T09:59:00Z");
    assertThat(worker.path("last_seen_at").asText()).isEqualTo("2026-12-02T10:00:00Z");
    assertThat(worker.path("live").asBoolean()).isTrue();
  }

  @Test
  void shouldRenderTheManifestInSnakeCaseWithItsWorkersWhenListingRunners() {
    // given
    final RunnerManifest echo =
        RunnerManifest.newBuilder(manifest("builtin:echo"))
            .setConfigSchemaJson("{\"type\":\"object\"}")
            .setCapabilities(Capabilities.newBuilder().setStreaming(true).build())
            .build();
    registry.manifest("builtin:echo", echo);
    registry.heartbeat("w1", heartbeat("w1", T0, 0, "builtin:echo"), T0);

    // when
    final JsonNode runner = RegistryRoutes.runners(registry, clock).path("runners").get(0);

    // then
    assertThat(runner.path("runner_id").asText()).isEqualTo("builtin:echo");
    assertThat(runner.path("label").asText()).isEqualTo("Runner builtin:echo");
    assertThat(runner.path("pool").asText()).isEqualTo("default");
    assertThat(runner.path("version").asText()).isEqualTo("0.1");
    assertThat(runner.path("capabilities").path("streaming").asBoolean()).isTrue();
    assertThat(runner.path("permissions").path("models").isArray()).isTrue();
    assertThat(runner.path("config_schema").path("type").asText()).isEqualTo("object");
    assertThat(runner.path("workers").get(0).path("worker_id").asText()).isEqualTo("w1");
    assertThat(runner.path("workers").get(0).path("live").asBoolean()).isTrue();
  }
}

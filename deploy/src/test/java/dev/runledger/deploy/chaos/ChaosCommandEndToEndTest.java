package dev.runledger.deploy.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.harness.Cli;
import dev.runledger.schemas.json.AvroJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger chaos} on its own embedded broker for 40 s: duplicates, garbage records, the worker
 * killed with {@code kill -9} and restarted, the worker frozen and thawed; nothing is lost,
 * doubled, left unended or unseen.
 */
class ChaosCommandEndToEndTest {
  @TempDir Path dir;

  @Test
  void shouldFindNoAnomalyWhenWorkerIsKilledAndFrozenUnderDuplicatesAndGarbage() throws Exception {
    // given
    final Path report = dir.resolve("report.json");

    // when
    final Cli.Result result =
        Cli.run(
            "chaos",
            "--duration",
            "40s",
            "--faults",
            "duplicate,garbage,kill9,stop",
            "--seed",
            "11",
            "--out",
            report.toString());

    // then
    assertThat(result.code()).as(result.out() + result.err()).isZero();
    final JsonNode json = AvroJson.mapper().readTree(report.toFile());
    final List<Integer> anomalies = new ArrayList<>();
    json.path("anomalies").forEach(a -> anomalies.add(a.asInt()));
    assertThat(anomalies).hasSize(ChaosChecker.KINDS.size()).containsOnly(0);
    final List<String> kinds = new ArrayList<>();
    int faults = 0;
    for (final JsonNode fault : json.path("faults")) {
      kinds.add(fault.path("kind").asText());
      faults += fault.path("count").asInt();
    }
    assertThat(kinds).containsExactly("duplicate", "garbage", "kill9", "stop");
    assertThat(faults).isPositive();
    assertThat(json.path("events").asLong()).isPositive();
    assertThat(json.path("runs").asLong()).isEqualTo(json.path("events").asLong());
  }

  @Test
  void shouldRejectUnknownAndNotImplementedFaultKinds() {
    // when
    final Cli.Result unknown = Cli.run("chaos", "--faults", "duplicate,meteor");
    final Cli.Result broker = Cli.run("chaos", "--faults", "broker");

    // then
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown fault kind 'meteor'");
    assertThat(broker.code()).isEqualTo(2);
    assertThat(broker.err()).contains("'broker' is not implemented yet");
  }
}

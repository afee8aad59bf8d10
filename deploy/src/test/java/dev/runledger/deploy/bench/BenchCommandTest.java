package dev.runledger.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.harness.Cli;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.deploy.kafka.TestBroker;
import dev.runledger.schemas.json.AvroJson;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger bench} runs every phase against a real broker and reports every figure. It asserts
 * what the report contains and that the runs really completed, never how fast anything was.
 */
@ExtendWith(KafkaExtension.class)
class BenchCommandTest {

  @Test
  void shouldMeasureEveryPhaseAndWriteTheFiguresAsJson(
      final TestBroker kafka, @TempDir final Path dir) throws Exception {
    // when a tiny bench runs on the shared broker
    final Path out = dir.resolve("bench.json");
    final Cli.Result result =
        Cli.run(
            "bench",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--records",
            "2000",
            "--raw-rate",
            "500",
            "--runs",
            "40",
            "--rate",
            "10",
            "--seconds",
            "2",
            "--out",
            out.toString());

    // then it printed and wrote the baseline, both pipeline phases and the ratios
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out()).contains("raw kafka:", "saturation:", "fixed load:", "ratios:");
    final JsonNode report = AvroJson.mapper().readTree(out.toFile());
    assertThat(report.at("/raw_kafka/records").asInt()).isEqualTo(2000);
    assertThat(report.at("/raw_kafka/producedPerSecond").asDouble()).isPositive();
    assertThat(report.at("/raw_kafka/p99Millis").asDouble()).isNotNaN();
    assertThat(report.at("/pipeline_saturation/runs").asInt()).isEqualTo(40);
    assertThat(report.at("/pipeline_fixed_load/runs").asInt()).isEqualTo(20);
    // every echo run writes at least RunCreated, RunClaimed, a message and run.completed
    assertThat(report.at("/pipeline_saturation/ledgerRecordsPerRun").asDouble())
        .isGreaterThanOrEqualTo(4.0);
    assertThat(report.at("/ratios/fixed_load_p99_to_raw_p99").asDouble()).isPositive();
  }
}

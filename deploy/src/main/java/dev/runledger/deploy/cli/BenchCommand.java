package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.bench.PipelineBench;
import dev.runledger.deploy.bench.RawKafkaBench;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.json.AvroJson;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ledger bench} (ARCHITECTURE.md §11): in one run, the raw Kafka baseline, then the whole
 * pipeline with the echo runner at saturation and at a fixed offered load; prints every figure and
 * the ratios to the baseline and writes them as JSON.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure raw Kafka produce/consume throughput and latency (the baseline), then the whole"
          + " pipeline with the echo runner at saturation and at a fixed offered load, on an"
          + " embedded broker (or --bootstrap-servers). Prints the figures and their ratios to the"
          + " baseline and writes them as JSON."
    })
final class BenchCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(
      names = "--records",
      defaultValue = "200000",
      description = "Baseline records (default ${DEFAULT-VALUE}).")
  int records;

  @Option(
      names = "--value-bytes",
      defaultValue = "512",
      description = "Baseline value size (default ${DEFAULT-VALUE}).")
  int valueBytes;

  @Option(
      names = "--raw-rate",
      defaultValue = "2000",
      description = "Baseline fixed rate, records/s (default ${DEFAULT-VALUE}).")
  int rawRate;

  @Option(
      names = "--runs",
      defaultValue = "2000",
      description = "Runs offered at saturation (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--rate",
      defaultValue = "20",
      description = "Fixed offered load, runs/s (default ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--seconds",
      defaultValue = "20",
      description = "Length of each fixed-rate phase (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--out",
      defaultValue = "bench-result.json",
      description = "JSON output file (default ${DEFAULT-VALUE}).")
  Path out;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    final PrintWriter console = spec.commandLine().getOut();
    try (TemporaryStack temporary =
        TemporaryStack.start(
            config,
            "bench",
            Map.of(LedgerConfig.TOPIC_PREFIX, "bench-" + System.currentTimeMillis() + "."))) {
      final DevStack stack = temporary.stack();
      console.println("bench: Kafka " + stack.bootstrapServers());
      console.flush();
      final ObjectNode report = measure(stack, console);
      Files.writeString(
          out,
          AvroJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
      console.println("written to " + out.toAbsolutePath());
      return 0;
    }
  }

  private ObjectNode measure(final DevStack stack, final PrintWriter console) throws Exception {
    final RawKafkaBench.Result raw =
        new RawKafkaBench(stack).run(records, valueBytes, rawRate, seconds);
    console.printf(
        Locale.ROOT,
        "raw kafka:    %,d records of %d B: produce %,.0f/s, consume %,.0f/s; at %,.0f/s latency p50 %.1f ms p95 %.1f ms p99 %.1f ms%n",
        raw.records(),
        raw.valueBytes(),
        raw.producedPerSecond(),
        raw.consumedPerSecond(),
        raw.ratePerSecond(),
        raw.latency().p50Millis(),
        raw.latency().p95Millis(),
        raw.latency().p99Millis());
    console.flush();

    final PipelineBench pipeline = new PipelineBench(stack, Duration.ofMinutes(5));
    pipeline.bind();
    pipeline.saturation(Math.min(200, runs));
    final PipelineBench.Result saturated = pipeline.saturation(runs);
    print(console, "saturation:", saturated);
    final PipelineBench.Result fixed = pipeline.fixedRate(rate, seconds);
    print(console, "fixed load:", fixed);

    final ObjectNode report = AvroJson.mapper().createObjectNode();
    report.put("machine", machine());
    report.set("raw_kafka", AvroJson.mapper().valueToTree(raw));
    report.set("pipeline_saturation", AvroJson.mapper().valueToTree(saturated));
    report.set("pipeline_fixed_load", AvroJson.mapper().valueToTree(fixed));
    final ObjectNode ratios = report.putObject("ratios");
    ratios.put(
        "runs_per_s_to_raw_produced_per_s", saturated.runsPerSecond() / raw.producedPerSecond());
    ratios.put(
        "ledger_records_per_s_to_raw_produced_per_s",
        saturated.runsPerSecond() * saturated.ledgerRecordsPerRun() / raw.producedPerSecond());
    ratios.put(
        "fixed_load_p99_to_raw_p99", fixed.latency().p99Millis() / raw.latency().p99Millis());
    ratios.put(
        "fixed_load_p50_to_raw_p50", fixed.latency().p50Millis() / raw.latency().p50Millis());
    console.printf(
        Locale.ROOT,
        "ratios:       runs/s ÷ raw produce/s = %.4f; ledger records/s ÷ raw produce/s = %.4f; p99 ÷ raw p99 = %.1f; p50 ÷ raw p50 = %.1f%n",
        ratios.get("runs_per_s_to_raw_produced_per_s").asDouble(),
        ratios.get("ledger_records_per_s_to_raw_produced_per_s").asDouble(),
        ratios.get("fixed_load_p99_to_raw_p99").asDouble(),
        ratios.get("fixed_load_p50_to_raw_p50").asDouble());
    console.println("not measured yet: projection restore rate, ledger rebuild throughput");
    console.flush();
    return report;
  }

  private static void print(
      final PrintWriter console, final String label, final PipelineBench.Result r) {
    console.printf(
        Locale.ROOT,
        "%-13s %,d runs%s: %,.1f runs/s, %.1f ledger records/run, latency p50 %.0f ms p95 %.0f ms p99 %.0f ms%n",
        label,
        r.runs(),
        Double.isNaN(r.offeredPerSecond())
            ? ""
            : String.format(Locale.ROOT, " offered at %.0f/s", r.offeredPerSecond()),
        r.runsPerSecond(),
        r.ledgerRecordsPerRun(),
        r.latency().p50Millis(),
        r.latency().p95Millis(),
        r.latency().p99Millis());
    console.flush();
  }

  private static String machine() {
    return Runtime.getRuntime().availableProcessors()
        + " cores, "
        + Runtime.getRuntime().maxMemory() / (1024 * 1024)
        + " MiB max heap, Java "
        + System.getProperty("java.version")
        + ", "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.arch");
  }
}

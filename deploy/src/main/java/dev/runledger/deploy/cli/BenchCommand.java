package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.bench.BenchProfile;
import dev.runledger.deploy.bench.ConcurrentBench;
import dev.runledger.deploy.bench.FirstDeltaBench;
import dev.runledger.deploy.bench.HistoryBench;
import dev.runledger.deploy.bench.Percentiles;
import dev.runledger.deploy.bench.PipelineBench;
import dev.runledger.deploy.bench.RawKafkaBench;
import dev.runledger.deploy.bench.RestoreBench;
import dev.runledger.projections.tools.LedgerTools;
import dev.runledger.projections.tools.TopicScan;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.WorkerSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
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
  /** The light load at which first deltas are timed, runs/s. */
  static final int STREAM_RATE = 10;

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
      defaultValue = "0",
      description =
          "Fixed offered load, runs/s (default: half the rate at which runs became readable in"
              + " the view at saturation).")
  int rate;

  @Option(
      names = "--seconds",
      defaultValue = "20",
      description = "Length of each fixed-rate phase (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--stream-runs",
      defaultValue = "100",
      description =
          "Streaming runs timed to their first delta on SSE, at "
              + STREAM_RATE
              + "/s (default ${DEFAULT-VALUE}).")
  int streamRuns;

  @Option(
      names = "--history",
      defaultValue = "0",
      description =
          "Finished runs written straight onto the ledger before the restore phase, then listing,"
              + " transcript, state and events page latency over them and `ledger rebuild` at "
              + HistoryBench.REBUILD_HEAP
              + " (default ${DEFAULT-VALUE}: phase off).")
  int history;

  @Option(
      names = "--concurrent",
      defaultValue = "0",
      description =
          "Also run N long echo runs at once on the worker and report how many ran at once, its"
              + " threads and resident set (default ${DEFAULT-VALUE}: skipped). The worker gets"
              + " max(N, its default) slots.")
  int concurrent;

  @Option(
      names = "--concurrent-hold",
      defaultValue = "60",
      paramLabel = "SECONDS",
      description =
          "How long each --concurrent run waits on its turn delay (default ${DEFAULT-VALUE}).")
  int concurrentHold;

  @Option(
      names = "--profile",
      paramLabel = "FILE.jfr",
      description =
          "Record where this process spends CPU during the saturation phase (JDK Flight Recorder)"
              + " into FILE.jfr and print the hottest methods.")
  Path profile;

  @Option(
      names = "--out",
      defaultValue = "bench-result.json",
      description = "JSON output file (default ${DEFAULT-VALUE}).")
  Path out;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    final PrintWriter console = spec.commandLine().getOut();
    try (TemporaryStack temporary = TemporaryStack.start(config, "bench", stackSettings())) {
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

  /** The bench's topic prefix, and for --concurrent enough slots. */
  private Map<String, String> stackSettings() {
    final Map<String, String> settings = new HashMap<>();
    settings.put(LedgerConfig.TOPIC_PREFIX, "bench-" + System.currentTimeMillis() + ".");
    if (concurrent > 0) {
      settings.put(
          WorkerSettings.SLOTS,
          Integer.toString(Math.max(concurrent, WorkerSettings.SLOTS_SETTING.fixedDefaultValue())));
    }
    return settings;
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
    final FirstDeltaBench streams = new FirstDeltaBench(stack, Duration.ofMinutes(1));
    streams.bind();
    pipeline.saturation(Math.min(200, runs));
    final PipelineBench.Result saturated;
    final ObjectNode report = AvroJson.mapper().createObjectNode();
    if (profile != null) {
      try (BenchProfile recording = BenchProfile.start(profile)) {
        saturated = pipeline.saturation(runs);
        final ObjectNode hot = report.putObject("profile_top_methods");
        console.println(
            "profile:      " + profile.toAbsolutePath() + " (this JVM; hottest methods)");
        for (final Map.Entry<String, Double> method : recording.stop(15)) {
          hot.put(method.getKey(), method.getValue());
          console.printf(Locale.ROOT, "  %5.1f%%  %s%n", method.getValue() * 100, method.getKey());
        }
      }
    } else {
      saturated = pipeline.saturation(runs);
    }
    print(console, "saturation:", saturated);
    final int offered = rate > 0 ? rate : Math.max(1, (int) (saturated.viewRunsPerSecond() / 2));
    final PipelineBench.Result fixed = pipeline.fixedRate(offered, seconds);
    print(console, "fixed load:", fixed);
    final Percentiles firstDelta = streams.measure(streamRuns, STREAM_RATE);
    console.printf(
        Locale.ROOT,
        "first delta:  %d streaming runs at %d/s, event produced → first message.delta on its SSE"
            + " stream: p50 %.0f ms p95 %.0f ms p99 %.0f ms%n",
        streamRuns,
        STREAM_RATE,
        firstDelta.p50Millis(),
        firstDelta.p95Millis(),
        firstDelta.p99Millis());
    final double rebuildPerSecond = rebuild(stack);
    console.printf(
        Locale.ROOT,
        "rebuild:      %,.0f ledger records/s folded into temporary on-disk stores%n",
        rebuildPerSecond);
    // Before the restore, which replaces the stack's projections with a new instance.
    if (concurrent > 0) {
      final ConcurrentBench held = new ConcurrentBench(stack, Duration.ofMinutes(5));
      final Duration hold = Duration.ofSeconds(concurrentHold);
      held.bind(hold);
      final ConcurrentBench.Result at = held.measure(concurrent, hold);
      console.printf(
          Locale.ROOT,
          "concurrent:   %,d runs holding %d s: %,d running at once at most; threads %d before,"
              + " %d at most; RSS %,d MiB before, %,d MiB at most; all completed after %.1f s%n",
          at.runs(),
          at.holdMillis() / 1000,
          at.mostRunning(),
          at.threadsBefore(),
          at.mostThreads(),
          at.rssKibBefore() / 1024,
          at.mostRssKib() / 1024,
          at.seconds());
      console.flush();
      report.set("concurrent", AvroJson.mapper().valueToTree(at));
    }
    if (history > 0) {
      report.set("history", HistoryBench.report(stack, history, console));
    }
    final RestoreBench restore = RestoreBench.measure(stack);
    console.printf(
        Locale.ROOT,
        "restore:      %,d changelog records restored into empty stores at %,.0f records/s;"
            + " RUNNING after %.1f s%n",
        restore.records(),
        restore.recordsPerSecond(),
        restore.secondsToRunning());

    report.put("machine", machine());
    report.set("raw_kafka", AvroJson.mapper().valueToTree(raw));
    report.set("pipeline_saturation", AvroJson.mapper().valueToTree(saturated));
    report.set("pipeline_fixed_load", AvroJson.mapper().valueToTree(fixed));
    report.set("first_delta_on_sse", AvroJson.mapper().valueToTree(firstDelta));
    report.put("rebuild_ledger_records_per_s", rebuildPerSecond);
    report.set("projections_restore", AvroJson.mapper().valueToTree(restore));
    final ObjectNode ratios = report.putObject("ratios");
    ratios.put(
        "view_runs_per_s_to_raw_produced_per_s",
        saturated.viewRunsPerSecond() / raw.producedPerSecond());
    ratios.put(
        "ledger_runs_per_s_to_raw_produced_per_s",
        saturated.ledgerRunsPerSecond() / raw.producedPerSecond());
    ratios.put(
        "fixed_load_view_p99_to_raw_p99",
        fixed.viewLatency().p99Millis() / raw.latency().p99Millis());
    ratios.put(
        "fixed_load_view_p50_to_raw_p50",
        fixed.viewLatency().p50Millis() / raw.latency().p50Millis());
    ratios.put("rebuild_to_raw_consumed_per_s", rebuildPerSecond / raw.consumedPerSecond());
    ratios.put(
        "restore_to_raw_consumed_per_s", restore.recordsPerSecond() / raw.consumedPerSecond());
    console.printf(
        Locale.ROOT,
        "ratios:       view runs/s ÷ raw produce/s = %.4f; ledger runs/s ÷ raw produce/s = %.4f; view p99 ÷ raw p99 = %.1f; view p50 ÷ raw p50 = %.1f; rebuild ÷ raw consume = %.2f; restore ÷ raw consume = %.2f%n",
        ratios.get("view_runs_per_s_to_raw_produced_per_s").asDouble(),
        ratios.get("ledger_runs_per_s_to_raw_produced_per_s").asDouble(),
        ratios.get("fixed_load_view_p99_to_raw_p99").asDouble(),
        ratios.get("fixed_load_view_p50_to_raw_p50").asDouble(),
        ratios.get("rebuild_to_raw_consumed_per_s").asDouble(),
        ratios.get("restore_to_raw_consumed_per_s").asDouble());
    console.flush();
    return report;
  }

  /**
   * Folds the whole ledger (and host events, decisions) into temporary on-disk stores, as {@code
   * ledger rebuild} does.
   */
  private static double rebuild(final DevStack stack) {
    final long[] folded = new long[1];
    final long began = System.nanoTime();
    new LedgerTools(stack.config(), stack.topics())
        .rebuild(
            new TopicScan.Progress() {
              @Override
              public void total(final long records) {
                // only the count of folded records matters here
              }

              @Override
              public void step(final long records) {
                folded[0] += records;
              }
            });
    return folded[0] / Math.max(1e-9, (System.nanoTime() - began) / 1e9);
  }

  private static void print(
      final PrintWriter console, final String label, final PipelineBench.Result r) {
    console.printf(
        Locale.ROOT,
        "%-13s %,d runs%s: %,.1f runs/s terminal in the ledger, %,.1f runs/s readable in the view%n",
        label,
        r.runs(),
        Double.isNaN(r.offeredPerSecond())
            ? ""
            : String.format(Locale.ROOT, " offered at %.0f/s", r.offeredPerSecond()),
        r.ledgerRunsPerSecond(),
        r.viewRunsPerSecond());
    console.printf(
        Locale.ROOT,
        "%-13s latency to the ledger p50 %.0f ms p95 %.0f ms p99 %.0f ms; to the view p50 %.0f ms p95 %.0f ms p99 %.0f ms%n",
        "",
        r.ledgerLatency().p50Millis(),
        r.ledgerLatency().p95Millis(),
        r.ledgerLatency().p99Millis(),
        r.viewLatency().p50Millis(),
        r.viewLatency().p95Millis(),
        r.viewLatency().p99Millis());
    console.printf(
        Locale.ROOT,
        "%-13s per run: %.1f ledger records, %.1f Kafka records in all, %.1f transaction markers, %.2f Streams commits%n",
        "",
        r.ledgerRecordsPerRun(),
        r.kafkaRecordsPerRun(),
        r.markersPerRun(),
        r.streamsCommitsPerRun());
    final StringBuilder biggest = new StringBuilder();
    r.topics().entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().records(), a.getValue().records()))
        .limit(8)
        .forEach(
            e ->
                biggest.append(
                    String.format(
                        Locale.ROOT,
                        " %s %.1f;",
                        e.getKey(),
                        (double) e.getValue().records() / r.runs())));
    console.printf(Locale.ROOT, "%-13s records per run by topic:%s%n", "", biggest);
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

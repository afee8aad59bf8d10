package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.topics.LedgerTopics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ledger cleanup}: remove finished runs from the views, oldest first. With {@code --confirm}
 * it writes a tombstone (key {@code run_id}, null value) per run to the run ledger and waits for
 * each write; the projections remove that run's view, events and index entries, and rebuild and
 * verify do the same. A write that fails fails the command, naming its run.
 */
@Command(
    name = "cleanup",
    mixinStandardHelpOptions = true,
    description =
        "List the finished runs (completed, failed, cancelled, timeout) that ended more than"
            + " --older-than ago, the oldest first, at most --limit of them; with --confirm,"
            + " remove them from the views by writing a tombstone per run to the run ledger."
            + " Without --confirm nothing changes.")
final class CleanupCommand implements Callable<Integer> {
  private static final Set<String> FINISHED = Set.of("completed", "failed", "cancelled", "timeout");

  @Mixin ConfigOptions config;

  @Option(
      names = "--older-than",
      paramLabel = "DURATION",
      required = true,
      converter = DurationConverter.class,
      description = "Age of the runs' end: a whole number and s, m, h or d (30s, 15m, 12h, 7d).")
  Duration olderThan;

  @Option(
      names = "--limit",
      defaultValue = "100",
      description = "At most this many runs, the oldest (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = {"-w", "--workspace"},
      paramLabel = "WORKSPACE_ID",
      required = true,
      description = "Clean up the runs of this workspace; repeat it for several.")
  List<String> workspaces;

  @Option(names = "--confirm", description = "Really remove them.")
  boolean confirm;

  @Mixin ApiOptions api;

  @Mixin KafkaTimeout kafkaTimeout;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (limit < 1) {
      throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
    }
    final Instant cutoff = Instant.now().minus(olderThan);
    final List<String> runs = oldest(finishedBefore(api.client(), workspaces, cutoff), limit);
    final PrintWriter out = spec.commandLine().getOut();
    runs.forEach(run -> out.println((confirm ? "removing " : "would remove ") + run));
    out.flush();
    if (confirm && !runs.isEmpty()) {
      final LedgerConfig settings = config.load(kafkaTimeout.producerOverrides());
      final Map<String, String> failed =
          kafkaTimeout.whenReachable(settings, () -> tombstones(settings, runs));
      if (!failed.isEmpty()) {
        failed.forEach((run, why) -> out.println("not removed " + run + ": " + why));
        out.flush();
        throw new IllegalStateException(
            failed.size()
                + " of "
                + runs.size()
                + " tombstone(s) not written to "
                + LedgerTopics.create(settings).runLedger().name()
                + ", those runs are still there (first: "
                + failed.values().iterator().next()
                + ")");
      }
    }
    out.println(
        runs.size()
            + " run(s) "
            + (confirm ? "removed" : "would be removed; nothing changed (add --confirm)"));
    out.flush();
    return 0;
  }

  /**
   * Writes a tombstone per run and waits for each.
   *
   * @return the runs whose tombstone was not written, each with why
   */
  private static Map<String, String> tombstones(
      final LedgerConfig settings, final List<String> runs) throws InterruptedException {
    final String topic = LedgerTopics.create(settings).runLedger().name();
    final Properties props = settings.kafkaProperties();
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    final Map<String, String> failed = new LinkedHashMap<>();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      final Map<String, Future<RecordMetadata>> sends = new LinkedHashMap<>();
      for (final String run : runs) {
        final Future<RecordMetadata> send = producer.send(new ProducerRecord<>(topic, run, null));
        sends.put(run, send);
        if (send.isDone() && failure(send) != null) {
          break; // failed at once (e.g. no metadata for the topic): the others would too
        }
      }
      for (final String run : runs) {
        final Future<RecordMetadata> send = sends.get(run);
        final String why = send == null ? "not sent after an earlier write failed" : failure(send);
        if (why != null) {
          failed.put(run, why);
        }
      }
    }
    return failed;
  }

  /** Why {@code send} failed, waiting for it; null when it was written. */
  private static String failure(final Future<RecordMetadata> send) throws InterruptedException {
    try {
      send.get();
      return null;
    } catch (final ExecutionException e) {
      return ApiClient.reason(e.getCause());
    }
  }

  /**
   * Every finished run of {@code workspaces} that ended before {@code cutoff}, from every page of
   * each workspace's listing.
   */
  private static List<JsonNode> finishedBefore(
      final ApiClient api, final List<String> workspaces, final Instant cutoff) {
    final List<JsonNode> found = new ArrayList<>();
    for (final String workspaceId : workspaces) {
      found.addAll(finishedBefore(api, workspaceId, cutoff));
    }
    return found;
  }

  private static List<JsonNode> finishedBefore(
      final ApiClient api, final String workspaceId, final Instant cutoff) {
    final List<JsonNode> found = new ArrayList<>();
    String cursor = null;
    do {
      final JsonNode page =
          api.get(
                  ApiPaths.runs(workspaceId)
                      + "?limit=1000"
                      + (cursor == null ? "" : "&cursor=" + ApiPaths.segment(cursor)))
              .orThrow("listing runs");
      for (final JsonNode run : page.path("items")) {
        if (FINISHED.contains(run.path("status").asText())
            && run.path("finished_at").isIntegralNumber()
            && run.path("finished_at").asLong() < cutoff.toEpochMilli()) {
          found.add(run);
        }
      }
      cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
    } while (cursor != null);
    return found;
  }

  /** The ids of the {@code limit} runs that finished first (the listing is newest first). */
  static List<String> oldest(final List<JsonNode> runs, final int limit) {
    return runs.stream()
        .sorted(Comparator.comparingLong(run -> run.path("finished_at").asLong()))
        .limit(limit)
        .map(run -> run.path("run_id").asText())
        .toList();
  }
}

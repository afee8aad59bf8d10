package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ledger cleanup}: remove finished runs from the views. With {@code --confirm} it writes a
 * tombstone (key {@code run_id}, null value) per run to the run ledger; the projections remove that
 * run's view, events and index entries, and rebuild and verify do the same.
 */
@Command(
    name = "cleanup",
    mixinStandardHelpOptions = true,
    description =
        "List the finished runs (completed, failed, cancelled, timeout) that ended more than"
            + " --older-than ago, at most --limit of them; with --confirm, remove them from the"
            + " views by writing a tombstone per run to the run ledger. Without --confirm nothing"
            + " changes.")
final class CleanupCommand implements Callable<Integer> {
  private static final Set<String> FINISHED = Set.of("completed", "failed", "cancelled", "timeout");

  @Mixin ConfigOptions config;

  @Option(
      names = "--older-than",
      required = true,
      description = "Age of the runs' end, ISO-8601 (PT1H, P7D) or like 90s, 30m, 12h, 7d.")
  String olderThan;

  @Option(names = "--limit", defaultValue = "100", description = "At most this many runs.")
  int limit;

  @Option(names = "--confirm", description = "Really remove them.")
  boolean confirm;

  @Mixin ApiOptions api;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    final Instant cutoff = Instant.now().minus(duration(olderThan));
    final List<String> runs = finishedBefore(api.client(), cutoff);
    final PrintWriter out = spec.commandLine().getOut();
    runs.forEach(run -> out.println((confirm ? "removing " : "would remove ") + run));
    if (confirm && !runs.isEmpty()) {
      final LedgerConfig settings = config.load();
      final LedgerTopics topics = LedgerTopics.create(settings);
      final var props = settings.kafkaProperties();
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(
              props,
              new StringSerializer(),
              new org.apache.kafka.common.serialization.ByteArraySerializer())) {
        runs.forEach(
            run -> producer.send(new ProducerRecord<>(topics.runLedger().name(), run, null)));
        producer.flush();
      }
    }
    out.println(
        runs.size()
            + " run(s) "
            + (confirm ? "removed" : "would be removed; nothing changed (add --confirm)"));
    out.flush();
    return 0;
  }

  private List<String> finishedBefore(final ApiClient api, final Instant cutoff) {
    final List<String> found = new ArrayList<>();
    String cursor = null;
    do {
      final JsonNode page =
          api.get("/v1/runs?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor))
              .orThrow("listing runs");
      for (final JsonNode run : page.path("items")) {
        if (found.size() < limit
            && FINISHED.contains(run.path("status").asText())
            && run.path("finished_at").isNumber()
            && run.path("finished_at").asLong() < cutoff.toEpochMilli()) {
          found.add(run.path("run_id").asText());
        }
      }
      cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
    } while (cursor != null && found.size() < limit);
    return found;
  }

  static Duration duration(final String text) {
    final String t = text.strip();
    if (t.startsWith("P") || t.startsWith("p")) {
      return Duration.parse(t);
    }
    final long n = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      case 'd' -> Duration.ofDays(n);
      default ->
          throw new IllegalArgumentException(
              "--older-than: '" + text + "' is not a duration like 30m, 12h, 7d or P7D");
    };
  }
}

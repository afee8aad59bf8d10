package dev.runledger.deploy.bench;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.AvailableApis;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.Decision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.Permissions;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.StateUpdated;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.Directories;
import dev.runledger.deploy.LedgerCli;
import dev.runledger.projections.ProjectionTopology;
import dev.runledger.projections.query.ViewDigest;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.topics.Topic;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads over a long history (issue 11): {@code runs} finished runs are written straight onto the
 * run ledger as the orchestrator and a worker write them ({@code run.created}, {@code run.claimed},
 * {@code state.updated}, {@code message.completed}, {@code run.completed}, the same Avro records
 * and keys through the catalogue's serdes), which is far faster than driving each through the
 * pipeline. Then: how fast the projections fold them, the latency over HTTP of the first runs page
 * and of random deep pages reached by {@code next_cursor}, of a transcript page, a state listing
 * page and a run's events page, and {@code ledger rebuild} of the whole ledger in a child JVM with
 * {@value #REBUILD_HEAP}: whether it succeeded with digests equal to live, and how fast.
 */
public final class HistoryBench {
  /** The rebuild's heap: the target is that 100k runs rebuild within it. */
  public static final String REBUILD_HEAP = "-Xmx256m";

  /** The workspace the history's runs are in. */
  public static final String WORKSPACE = "bench-history";

  /** Ledger records of each run. */
  static final int RECORDS_PER_RUN = 5;

  /** Runs per conversation, so a transcript holds this many assistant messages. */
  static final int RUNS_PER_CONVERSATION = 100;

  /** Page size of every listing measured. */
  static final int PAGE = 20;

  private final DevStack stack;
  private final int requests;
  private final Duration timeout;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Random random = new Random(11);

  /**
   * @param requests requests per measured page kind
   * @param timeout how long the fold and the rebuild may each take
   */
  public HistoryBench(final DevStack stack, final int requests, final Duration timeout) {
    this.stack = stack;
    this.requests = requests;
    this.timeout = timeout;
  }

  /**
   * The figures.
   *
   * @param runs finished runs written
   * @param ledgerRecords ledger records written for them
   * @param writeSeconds from the first record sent to the last acknowledged
   * @param foldSeconds from the first record sent until every view held them all
   * @param foldRunsPerSecond {@code runs / foldSeconds}
   * @param foldRecordsPerSecond {@code ledgerRecords / foldSeconds}
   * @param pagesWalked runs pages read walking the whole listing by {@code next_cursor}
   * @param runsListed runs of the history seen in that walk (all of them, each once)
   * @param walkSeconds time of that walk
   * @param firstPage {@code GET runs?limit=20}
   * @param deepPage {@code GET runs?limit=20&cursor=} at random cursors of the walk
   * @param transcriptPage the latest page of a conversation's transcript
   * @param statePage the first page of a state scope holding one key per run
   * @param eventsPage a random run's events
   * @param rebuildSucceeded the child exited 0, printed "rebuild equals live" and no
   *     OutOfMemoryError
   * @param rebuildDigestsEqual every rebuilt digest equals the live one
   * @param rebuildSeconds the child's wall time, JVM start included
   * @param rebuildLedgerRecords run-ledger offsets it scanned (transaction markers included)
   * @param rebuildRecordsPerSecond {@code rebuildLedgerRecords / rebuildSeconds}
   * @param rebuildHeap the child's heap option
   * @param rebuildOutput the child's last lines, for a failure
   */
  public record Result(
      int runs,
      long ledgerRecords,
      double writeSeconds,
      double foldSeconds,
      double foldRunsPerSecond,
      double foldRecordsPerSecond,
      int pagesWalked,
      long runsListed,
      double walkSeconds,
      @JsonUnwrapped(prefix = "runs_first_page_") Percentiles firstPage,
      @JsonUnwrapped(prefix = "runs_deep_page_") Percentiles deepPage,
      @JsonUnwrapped(prefix = "transcript_page_") Percentiles transcriptPage,
      @JsonUnwrapped(prefix = "state_page_") Percentiles statePage,
      @JsonUnwrapped(prefix = "run_events_page_") Percentiles eventsPage,
      boolean rebuildSucceeded,
      boolean rebuildDigestsEqual,
      double rebuildSeconds,
      long rebuildLedgerRecords,
      double rebuildRecordsPerSecond,
      String rebuildHeap,
      String rebuildOutput) {}

  /**
   * The phase as {@code ledger bench --history} runs it: measures, prints its lines and returns its
   * JSON (the figures and their ratios).
   */
  public static ObjectNode report(final DevStack stack, final int runs, final PrintWriter console)
      throws Exception {
    final Result r = new HistoryBench(stack, 500, Duration.ofMinutes(30)).run(runs);
    console.printf(
        Locale.ROOT,
        "history:      %,d finished runs (%,d ledger records) written in %.1f s, folded by every"
            + " view in %.1f s: %,.0f runs/s, %,.0f records/s%n",
        r.runs(),
        r.ledgerRecords(),
        r.writeSeconds(),
        r.foldSeconds(),
        r.foldRunsPerSecond(),
        r.foldRecordsPerSecond());
    console.printf(
        Locale.ROOT,
        "%-13s whole runs listing walked by next_cursor: %,d pages, %,d runs in %.1f s%n",
        "",
        r.pagesWalked(),
        r.runsListed(),
        r.walkSeconds());
    line(console, "runs?limit=" + PAGE + " first page", r.firstPage());
    line(console, "runs?limit=" + PAGE + " deep page", r.deepPage());
    line(console, "transcript page", r.transcriptPage());
    line(console, "state page", r.statePage());
    line(console, "run events page", r.eventsPage());
    console.printf(
        Locale.ROOT,
        "%-13s ledger rebuild at %s: %s, digests %s, %.1f s, %,.0f ledger records/s%n",
        "",
        r.rebuildHeap(),
        r.rebuildSucceeded() ? "succeeded" : "FAILED",
        r.rebuildDigestsEqual() ? "equal to live" : "DIFFER",
        r.rebuildSeconds(),
        r.rebuildRecordsPerSecond());
    if (!r.rebuildSucceeded()) {
      console.println(r.rebuildOutput());
    }
    console.flush();
    final ObjectNode json = AvroJson.mapper().valueToTree(r);
    final ObjectNode ratios = json.putObject("ratios");
    ratios.put(
        "deep_page_p99_to_first_page_p99", r.deepPage().p99Millis() / r.firstPage().p99Millis());
    ratios.put(
        "rebuild_records_per_s_to_fold_records_per_s",
        r.rebuildRecordsPerSecond() / r.foldRecordsPerSecond());
    return json;
  }

  private static void line(final PrintWriter console, final String what, final Percentiles p) {
    console.printf(
        Locale.ROOT,
        "%-13s %-26s p50 %.1f ms p95 %.1f ms p99 %.1f ms%n",
        "",
        what,
        p.p50Millis(),
        p.p95Millis(),
        p.p99Millis());
  }

  /** Writes {@code runs} finished runs, waits for the fold, then measures. */
  public Result run(final int runs) throws Exception {
    final String prefix = "hist-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    final Map<String, Long> before = counts();
    final long began = System.nanoTime();
    write(runs, prefix);
    final double writeSeconds = (System.nanoTime() - began) / 1e9;
    awaitFolded(before, runs);
    final double foldSeconds = (System.nanoTime() - began) / 1e9;

    final Walk walk = walk();
    if (walk.runs() < runs) {
      throw new IllegalStateException(
          "walking the runs listing found " + walk.runs() + " of " + runs + " runs");
    }
    final String runs0 = ApiPaths.runs(WORKSPACE) + "?limit=" + PAGE;
    final Percentiles first = time(i -> runs0);
    final Percentiles deep =
        time(
            i ->
                runs0
                    + "&cursor="
                    + encode(walk.cursors().get(random.nextInt(walk.cursors().size()))));
    final int conversations = conversations(runs);
    final Percentiles transcript =
        time(
            i ->
                ApiPaths.transcript(WORKSPACE, prefix + "c-" + random.nextInt(conversations))
                    + "?limit="
                    + PAGE);
    final String states = ApiPaths.states(WORKSPACE, "subject", prefix + "state");
    final Percentiles state = time(i -> states + "?limit=" + PAGE);
    final Percentiles events =
        time(i -> ApiPaths.runEvents(runId(prefix, random.nextInt(runs))) + "?limit=" + PAGE);

    final long ledgerOffsets = ledgerOffsets();
    final Rebuild rebuild = rebuild();
    return new Result(
        runs,
        (long) runs * RECORDS_PER_RUN,
        writeSeconds,
        foldSeconds,
        runs / foldSeconds,
        (double) runs * RECORDS_PER_RUN / foldSeconds,
        walk.pages(),
        walk.runs(),
        walk.seconds(),
        first,
        deep,
        transcript,
        state,
        events,
        rebuild.succeeded(),
        rebuild.equal(),
        rebuild.seconds(),
        ledgerOffsets,
        ledgerOffsets / rebuild.seconds(),
        REBUILD_HEAP,
        rebuild.succeeded() ? "" : rebuild.tail());
  }

  private static int conversations(final int runs) {
    return Math.max(1, (runs + RUNS_PER_CONVERSATION - 1) / RUNS_PER_CONVERSATION);
  }

  private static String runId(final String prefix, final int i) {
    return String.format(Locale.ROOT, "%sr-%07d", prefix, i);
  }

  private void write(final int runs, final String prefix) throws InterruptedException {
    final Topic<String, LedgerRecord> ledger = stack.topics().runLedger();
    final Properties props = new Properties();
    props.putAll(stack.config().producerProperties());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    final AtomicReference<Exception> failure = new AtomicReference<>();
    final int conversations = conversations(runs);
    final Instant start = Instant.now().minusSeconds(runs);
    try (KafkaProducer<String, LedgerRecord> producer =
        new KafkaProducer<>(
            props, ledger.keySerde().serializer(), ledger.valueSerde().serializer())) {
      for (int i = 0; i < runs; i++) {
        final String run = runId(prefix, i);
        final Instant at = start.plusMillis(i * 1000L);
        final String conversation = prefix + "c-" + (i % conversations);
        final List<LedgerRecord> records =
            List.of(
                record(run, 0, 1, at, "orchestrator", created(run, conversation, at)),
                record(run, 1, 1, at, "w-history", new RunClaimed("w-history", 1, null)),
                record(
                    run,
                    1,
                    2,
                    at.plusMillis(1),
                    "w-history",
                    new AgentRunResult(
                        "state.updated",
                        new StateUpdated(
                            "subject",
                            prefix + "state",
                            String.format(Locale.ROOT, "key-%07d", i),
                            "{\"run\":" + i + "}"))),
                record(
                    run,
                    1,
                    3,
                    at.plusMillis(2),
                    "w-history",
                    new AgentRunResult(
                        "message.completed",
                        new MessageCompleted(new ChatMessage("assistant", "answer " + i)))),
                record(
                    run,
                    1,
                    4,
                    at.plusMillis(3),
                    "w-history",
                    new AgentRunResult(
                        "run.completed", new RunCompleted("stop", null, List.of()))));
        for (final LedgerRecord value : records) {
          producer.send(
              new ProducerRecord<>(ledger.name(), run, value),
              (metadata, e) -> {
                if (e != null) {
                  failure.compareAndSet(null, e);
                }
              });
        }
        if (failure.get() != null) {
          break;
        }
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("could not write the history", failure.get());
    }
  }

  private static LedgerRecord record(
      final String run,
      final int attempt,
      final long seq,
      final Instant at,
      final String producer,
      final Object body) {
    return LedgerRecord.newBuilder()
        .setRunId(run)
        .setAttempt(attempt)
        .setSequence(seq)
        .setTimestamp(at)
        .setProducer(producer)
        .setBody(body)
        .build();
  }

  /** The {@code run.created} of a run as the orchestrator writes it. */
  private static RunCreated created(final String run, final String conversation, final Instant at) {
    final AuthorizationSnapshot snapshot =
        AuthorizationSnapshot.newBuilder()
            .setRunId(run)
            .setRunnerId("builtin:echo/default")
            .setBindingId("bench-history")
            .setWorkspaceId(WORKSPACE)
            .setConversationId(conversation)
            .setPermissions(Permissions.newBuilder().build())
            .setAvailableApis(AvailableApis.newBuilder().build())
            .setCreatedAt(at)
            .build();
    return RunCreated.newBuilder()
        .setEventId("event-" + run)
        .setEventType("message.received")
        .setBindingId("bench-history")
        .setRunnerId("builtin:echo/default")
        .setPool("default")
        .setWorkspaceId(WORKSPACE)
        .setConversationId(conversation)
        .setSnapshot(snapshot)
        .setDeadlineAt(at.plusSeconds(3600))
        .setDecision(Decision.RUN_CREATED)
        .build();
  }

  /** The live count of each view measured here. */
  private Map<String, Long> counts() throws IOException, InterruptedException {
    final JsonNode digests = get(ApiPaths.DIGESTS);
    return Map.of(
        ProjectionTopology.RUNS_STORE, count(digests, ProjectionTopology.RUNS_STORE),
        ProjectionTopology.RUN_EVENTS_STORE, count(digests, ProjectionTopology.RUN_EVENTS_STORE),
        ProjectionTopology.TRANSCRIPT_STORE, count(digests, ProjectionTopology.TRANSCRIPT_STORE),
        ProjectionTopology.STATE_STORE, count(digests, ProjectionTopology.STATE_STORE));
  }

  private static long count(final JsonNode digests, final String view) {
    return ViewDigest.parse(digests.path(view).asText(ViewDigest.EMPTY.text())).count();
  }

  private void awaitFolded(final Map<String, Long> before, final int runs) throws Exception {
    final Map<String, Long> added =
        Map.of(
            ProjectionTopology.RUNS_STORE, (long) runs,
            ProjectionTopology.RUN_EVENTS_STORE, (long) runs * RECORDS_PER_RUN,
            ProjectionTopology.TRANSCRIPT_STORE, (long) runs,
            ProjectionTopology.STATE_STORE, (long) runs);
    final long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Long> now = counts();
    while (!folded(before, added, now)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the views did not fold the history within " + timeout + ": " + now);
      }
      Thread.sleep(100);
      now = counts();
    }
  }

  private static boolean folded(
      final Map<String, Long> before, final Map<String, Long> added, final Map<String, Long> now) {
    return added.entrySet().stream()
        .allMatch(e -> now.get(e.getKey()) >= before.get(e.getKey()) + e.getValue());
  }

  private record Walk(List<String> cursors, int pages, long runs, double seconds) {}

  /** Reads the whole listing page by page, keeping every cursor. */
  private Walk walk() throws IOException, InterruptedException {
    final List<String> cursors = new ArrayList<>();
    final long began = System.nanoTime();
    String cursor = null;
    int pages = 0;
    long seen = 0;
    do {
      final JsonNode page =
          get(
              ApiPaths.runs(WORKSPACE)
                  + "?limit="
                  + PAGE
                  + (cursor == null ? "" : "&cursor=" + encode(cursor)));
      pages++;
      seen += page.path("items").size();
      cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
      if (cursor != null) {
        cursors.add(cursor);
      }
    } while (cursor != null);
    if (cursors.isEmpty()) {
      cursors.add("");
    }
    return new Walk(cursors, pages, seen, (System.nanoTime() - began) / 1e9);
  }

  /** {@link #requests} GETs of {@code path.apply(i)}, after a few to warm up. */
  private Percentiles time(final IntFunction<String> path)
      throws IOException, InterruptedException {
    for (int i = 0; i < Math.min(20, requests); i++) {
      get(path.apply(i));
    }
    final Latencies latencies = new Latencies();
    for (int i = 0; i < requests; i++) {
      final String p = path.apply(i);
      final long began = System.nanoTime();
      get(p);
      latencies.add((System.nanoTime() - began) / 1000);
    }
    return latencies.percentiles();
  }

  private JsonNode get(final String path) throws IOException, InterruptedException {
    final HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(stack.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return AvroJson.mapper().readTree(response.body());
  }

  private static String encode(final String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Offsets on the run ledger: what a rebuild scans of it. */
  private long ledgerOffsets() {
    final Properties props = stack.config().kafkaProperties();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(stack.topics().runLedger().name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      final Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      return consumer.endOffsets(partitions).entrySet().stream()
          .mapToLong(e -> e.getValue() - begin.get(e.getKey()))
          .sum();
    }
  }

  private record Rebuild(boolean succeeded, boolean equal, double seconds, String tail) {}

  /** {@code ledger rebuild} in a child JVM with {@value #REBUILD_HEAP}. */
  private Rebuild rebuild() throws IOException, InterruptedException {
    final Path dir = Directories.temporary("runledger-bench-history");
    try {
      final Path log = dir.resolve("rebuild.log");
      final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      final List<String> command =
          List.of(
              java,
              REBUILD_HEAP,
              "-cp",
              System.getProperty("java.class.path"),
              LedgerCli.class.getName(),
              "rebuild",
              "--url",
              stack.baseUrl(),
              "--bootstrap-servers",
              stack.bootstrapServers(),
              "--set",
              LedgerConfig.TOPIC_PREFIX + "=" + stack.config().get(LedgerConfig.TOPIC_PREFIX, ""),
              "--set",
              LedgerConfig.STATE_DIR + "=" + dir.resolve("state"));
      final long began = System.nanoTime();
      final Process child =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      final boolean exited = child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        child.destroyForcibly().waitFor();
      }
      final double seconds = (System.nanoTime() - began) / 1e9;
      final String output = Files.readString(log, StandardCharsets.UTF_8);
      final boolean equal = output.contains("rebuild equals live");
      final boolean succeeded =
          exited && child.exitValue() == 0 && equal && !output.contains("OutOfMemoryError");
      final String[] lines = output.split("\n");
      final String tail =
          String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 20), lines.length));
      return new Rebuild(succeeded, equal, seconds, exited ? tail : "timed out\n" + tail);
    } finally {
      Directories.deleteRecursively(dir);
    }
  }
}

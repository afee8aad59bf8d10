package dev.runledger.deploy.projections;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.StateUpdated;
import dev.runledger.deploy.Directories;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TopicWriter;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.deploy.kafka.TestBroker;
import dev.runledger.deploy.kafka.TopicAdmin;
import dev.runledger.projections.ProjectionService;
import dev.runledger.projections.ProjectionSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.topics.ConversationKeys;
import dev.runledger.schemas.topics.LedgerTopics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two projection instances of one application id, each with its own HTTP server: every key is
 * readable through both (forwarded to its owner), lists merge both (and page by position, so paging
 * the runs while more are created returns each earlier run exactly once), a live run streams
 * through the instance that does not own it, and an instance restarted with an empty state
 * directory restores its stores from the changelogs and answers the same.
 */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoInstancesEndToEndTest {
  private static final int RUNS = 24;
  private static final int CONVERSATIONS = 6;

  private LedgerConfig base;
  private LedgerTopics topics;
  private Instance a;
  private Instance b;
  private Path stateB;

  @BeforeAll
  void start(final TestBroker kafka, @TempDir final Path state) {
    base = StackBuilder.named("two").partitions(4).shortStreamsSessions().config(kafka);
    topics = LedgerTopics.create(base);
    TopicAdmin.createAll(base, topics);
    stateB = state.resolve("b");
    a = Instance.start(base, state.resolve("a"), topics);
    b = Instance.start(base, stateB, topics);
    produceWorkload();
    awaitAll(a);
    awaitAll(b);
  }

  @AfterAll
  void stop() {
    Stream.of(b, a).filter(i -> i != null).forEach(Instance::close);
  }

  @Test
  @Order(1)
  void shouldAnswerEveryKeyThroughEitherInstanceWhenTwoRun() {
    for (final Instance instance : List.of(a, b)) {
      for (int i = 0; i < RUNS; i++) {
        assertThat(instance.get(ApiPaths.run("run-" + i)).path("status").asText())
            .as("run-%d through %s", i, instance.url)
            .isEqualTo("completed");
      }
      for (int c = 0; c < CONVERSATIONS; c++) {
        assertThat(instance.get(ApiPaths.transcript("w", "conv-" + c)).path("items"))
            .as("conv-%d through %s", c, instance.url)
            .hasSize(RUNS / CONVERSATIONS);
        assertThat(
                instance
                    .get(ApiPaths.state("w", "conversation", "conv-" + c, "count"))
                    .path("version")
                    .asLong())
            .isEqualTo(RUNS / CONVERSATIONS);
      }
    }
  }

  @Test
  @Order(2)
  void shouldListEveryRunExactlyOnceThroughEitherInstanceWhenPaging() {
    for (final Instance instance : List.of(a, b)) {
      final List<String> seen = new ArrayList<>();
      String cursor = null;
      do {
        final JsonNode page =
            instance.get(
                ApiPaths.runs("w") + "?limit=5" + (cursor == null ? "" : "&cursor=" + cursor));
        page.path("items").forEach(r -> seen.add(r.path("run_id").asText()));
        cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
      } while (cursor != null);
      assertThat(seen).as("through %s", instance.url).doesNotHaveDuplicates().hasSize(RUNS);
    }
  }

  @Test
  @Order(3)
  void shouldReturnEveryEarlierRunExactlyOnceWhenPagingWhileRunsAreAdded() throws Exception {
    // given the runs that exist before the first page
    final List<String> before = allRunIds(a);
    assertThat(before).hasSizeGreaterThanOrEqualTo(RUNS);

    // when runs keep being created while the listing is paged three at a time, each page asked
    // of the other instance than the last (a cursor is a position, valid on either)
    final AtomicBoolean paging = new AtomicBoolean(true);
    final AtomicInteger added = new AtomicInteger();
    final CompletableFuture<Void> adding =
        CompletableFuture.runAsync(
            () -> {
              while (paging.get() && added.get() < 200) {
                final List<LedgerRecord> records = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                  final String run = "added-" + added.getAndIncrement();
                  final Instant now = Instant.now();
                  records.add(rec(run, 0, 1, now, TopicWriter.runCreated(run, "w", "conv-x", now)));
                }
                produceLedger(records);
                try {
                  Thread.sleep(50);
                } catch (final InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
              }
            });
    final List<String> seen = new ArrayList<>();
    final List<Instance> instances = List.of(a, b);
    String cursor = null;
    int pages = 0;
    try {
      do {
        final JsonNode page =
            instances
                .get(pages % 2)
                .get(ApiPaths.runs("w") + "?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
        page.path("items").forEach(r -> seen.add(r.path("run_id").asText()));
        cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
        if (pages++ == 0) {
          // the listing goes on only once runs newer than the first page are in the views
          Awaitility.await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> allRunIds(b).stream().anyMatch(id -> id.startsWith("added-")));
        }
      } while (cursor != null);
    } finally {
      paging.set(false);
      adding.get();
    }

    // then no run twice, and every run that existed before the first page once
    assertThat(added.get()).isPositive();
    assertThat(seen).doesNotHaveDuplicates().containsAll(before);
    assertThat(pages).isGreaterThanOrEqualTo(before.size() / 3);
  }

  @Test
  @Order(3)
  void shouldPageAStateScopeByKeyThroughEitherInstance() {
    // given one run writing seven keys of one scope
    final String run = "state-" + UUID.randomUUID();
    final Instant t = Instant.now();
    final List<LedgerRecord> records = new ArrayList<>();
    records.add(rec(run, 0, 1, t, TopicWriter.runCreated(run, "w", "conv-p", t)));
    records.add(rec(run, 1, 1, t, new RunClaimed("w", 1, null)));
    for (int k = 1; k <= 7; k++) {
      records.add(
          rec(
              run,
              1,
              1 + k,
              t,
              TopicWriter.result(
                  "state.updated",
                  new StateUpdated("conversation", "conv-p", "k" + k, Integer.toString(k)))));
    }
    produceLedger(records);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> a.find(ApiPaths.state("w", "conversation", "conv-p", "k7")) != null);

    for (final Instance instance : List.of(a, b)) {
      // when following next_cursor three at a time
      final List<String> keys = new ArrayList<>();
      String cursor = null;
      do {
        final JsonNode page =
            instance.get(
                ApiPaths.states("w", "conversation", "conv-p")
                    + "?limit=3"
                    + (cursor == null ? "" : "&cursor=" + cursor));
        assertThat(page.path("items").size()).isLessThanOrEqualTo(3);
        page.path("items").forEach(e -> keys.add(e.path("key").asText()));
        cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
      } while (cursor != null);

      // then every key once, by key
      assertThat(keys)
          .as("through %s", instance.url)
          .containsExactly("k1", "k2", "k3", "k4", "k5", "k6", "k7");
    }
  }

  /** Every run of workspace w through {@code instance}, following next_cursor. */
  private static List<String> allRunIds(final Instance instance) {
    final List<String> ids = new ArrayList<>();
    String cursor = null;
    do {
      final JsonNode page =
          instance.get(
              ApiPaths.runs("w") + "?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor));
      page.path("items").forEach(r -> ids.add(r.path("run_id").asText()));
      cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
    } while (cursor != null);
    return ids;
  }

  @Test
  @Order(4)
  void shouldStreamLiveRunOnceInOrderThroughEitherInstanceAndResume() throws Exception {
    // given a run that is still running
    final String run = "live-" + UUID.randomUUID();
    final Instant t = Instant.now();
    produceLedger(List.of(rec(run, 1, 1, t, new RunClaimed("w", 1, null))));
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> a.find(ApiPaths.run(run)) != null);

    // when both instances stream it while it runs
    final CompletableFuture<List<Long>> throughA =
        CompletableFuture.supplyAsync(() -> a.stream(run, null));
    final CompletableFuture<List<Long>> throughB =
        CompletableFuture.supplyAsync(() -> b.stream(run, null));
    final CompletableFuture<List<Long>> reconnected =
        CompletableFuture.supplyAsync(
            () -> {
              final List<Long> first = b.stream(run, null, 3);
              final List<Long> rest = a.stream(run, Long.toString(first.get(first.size() - 1)));
              final List<Long> all = new ArrayList<>(first);
              all.addAll(rest);
              return all;
            });
    long seq = 2;
    for (int batch = 0; batch < 4; batch++) {
      final List<LedgerRecord> records = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        records.add(
            rec(
                run,
                1,
                seq++,
                t,
                TopicWriter.result(
                    "message.completed",
                    new MessageCompleted(new ChatMessage("assistant", "part " + seq)))));
      }
      produceLedger(records);
      Thread.sleep(300);
    }
    produceLedger(
        List.of(
            rec(
                run,
                1,
                seq,
                t,
                TopicWriter.result("run.completed", new RunCompleted("stop", null, List.of())))));

    // then
    final List<Long> expected = new ArrayList<>();
    for (long i = 1; i <= seq; i++) {
      expected.add(i);
    }
    assertThat(throughA.get()).isEqualTo(expected);
    assertThat(throughB.get()).isEqualTo(expected);
    assertThat(reconnected.get()).isEqualTo(expected);
    assertThat(b.stream(run, "7")).isEqualTo(expected.subList(7, expected.size()));
  }

  @Test
  @Order(5)
  void shouldRestoreStoresFromChangelogsAndAnswerTheSameWhenInstanceRestarts() throws Exception {
    // given
    final JsonNode before = a.get(ApiPaths.DIGESTS);
    assertThat(b.get(ApiPaths.DIGESTS)).isEqualTo(before);

    // when b is killed, loses its disk and starts again
    b.close();
    Directories.deleteRecursively(stateB);
    final long started = System.nanoTime();
    b = Instance.start(base, stateB, topics);
    final long runningMs = (System.nanoTime() - started) / 1_000_000;
    awaitAll(b);
    final long answeringMs = (System.nanoTime() - started) / 1_000_000;
    final long activeTasks =
        b.service.streams().metadataForLocalThreads().stream()
            .mapToLong(t -> t.activeTasks().size())
            .sum();
    System.out.println(
        "projections restart with an empty state dir: RUNNING (active stores restored) after "
            + runningMs
            + " ms with "
            + activeTasks
            + " active task(s), answering every key after "
            + answeringMs
            + " ms");

    // then
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> before.equals(b.find(ApiPaths.DIGESTS)));
    assertThat(a.get(ApiPaths.DIGESTS)).isEqualTo(before);
    for (int i = 0; i < RUNS; i++) {
      assertThat(b.get(ApiPaths.run("run-" + i)).path("status").asText()).isEqualTo("completed");
    }
  }

  private void awaitAll(final Instance instance) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              final JsonNode page =
                  instance.find(ApiPaths.runs("w") + "?limit=1000&status=completed");
              if (page == null || page.path("items").size() < RUNS) {
                return false;
              }
              for (int c = 0; c < CONVERSATIONS; c++) {
                final JsonNode t = instance.find(ApiPaths.transcript("w", "conv-" + c));
                if (t == null || t.path("items").size() < RUNS / CONVERSATIONS) {
                  return false;
                }
                final JsonNode s =
                    instance.find(ApiPaths.state("w", "conversation", "conv-" + c, "count"));
                if (s == null || s.path("version").asLong() < RUNS / CONVERSATIONS) {
                  return false;
                }
              }
              return true;
            });
  }

  private void produceWorkload() {
    final Instant t = Instant.now();
    final List<LedgerRecord> records = new ArrayList<>();
    final List<HostEvent> events = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      final String run = "run-" + i;
      final String conv = "conv-" + (i % CONVERSATIONS);
      records.add(rec(run, 0, 1, t.plusMillis(i), TopicWriter.runCreated(run, "w", conv, t)));
      records.add(rec(run, 1, 1, t.plusMillis(i), new RunClaimed("w", 1, null)));
      records.add(
          rec(
              run,
              1,
              2,
              t.plusMillis(i),
              TopicWriter.result(
                  "state.updated",
                  new StateUpdated("conversation", conv, "count", Integer.toString(i)))));
      records.add(
          rec(
              run,
              1,
              3,
              t.plusMillis(i),
              TopicWriter.result("run.completed", new RunCompleted("stop", null, List.of()))));
      events.add(
          HostEvent.newBuilder()
              .setEventId("e-" + i)
              .setEventType("message.received")
              .setEventTime(t.plusMillis(i))
              .setWorkspaceId("w")
              .setConversationId(conv)
              .setInput(EventInput.newBuilder().setText("message " + i).build())
              .build());
    }
    produceLedger(records);
    TopicWriter.write(base, topics.hostEvents(), ConversationKeys::ingestKey, events);
  }

  private void produceLedger(final List<LedgerRecord> records) {
    TopicWriter.write(base, topics.runLedger(), LedgerRecord::getRunId, records);
  }

  private static LedgerRecord rec(
      final String run, final int attempt, final long seq, final Instant at, final Object body) {
    return TopicWriter.ledgerRecord(run, attempt, seq, at, body).build();
  }

  /** One projections instance with its own HTTP server on a port chosen up front. */
  private static final class Instance implements AutoCloseable {
    private final ProjectionService service;
    private final HttpServer http;
    private final String url;
    private final TestApi api;

    private Instance(final ProjectionService service, final HttpServer http, final String url) {
      this.service = service;
      this.http = http;
      this.url = url;
      this.api = new TestApi(url);
    }

    static Instance start(final LedgerConfig base, final Path state, final LedgerTopics topics) {
      final int port = StackBuilder.freePort();
      final String url = "http://127.0.0.1:" + port;
      final LedgerConfig config =
          base.with(
              Map.of(
                  LedgerConfig.STATE_DIR, state.toString(),
                  LedgerConfig.HTTP_PORT, Integer.toString(port),
                  ProjectionSettings.ADVERTISED_URL, url));
      final ProjectionService service = new ProjectionService(config, topics);
      final HttpServer http =
          new HttpServer(
              config,
              () -> List.of(service),
              List.of(app -> service.routes().register(app)),
              new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      http.start();
      service.start();
      return new Instance(service, http, url);
    }

    JsonNode get(final String path) {
      return api.get(path);
    }

    JsonNode find(final String path) {
      return api.find(path);
    }

    List<Long> stream(final String run, final String lastEventId) {
      return stream(run, lastEventId, Integer.MAX_VALUE);
    }

    /** The ids of the stream's events; hangs up after {@code max} of them. */
    List<Long> stream(final String run, final String lastEventId, final int max) {
      return api.stream(run, lastEventId, max);
    }

    @Override
    public void close() {
      http.close();
      service.close();
    }
  }
}

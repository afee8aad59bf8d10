package dev.runledger.projections.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.projections.LedgerFixture;
import dev.runledger.projections.ProjectionDriver;
import dev.runledger.projections.ProjectionTopology;
import dev.runledger.schemas.http.ApiException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queries over the stores the production topology fills. */
class LocalRunQueriesTest {

  @TempDir Path stateDir;

  private ProjectionDriver driver;
  private LocalRunQueries queries;

  @BeforeEach
  void start() {
    driver = new ProjectionDriver(stateDir);
    queries = new LocalRunQueries(new DriverStores(driver));
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void shouldReturnRunWhenKnownAndEmptyWhenNot() {
    // given
    pipe(completedRun("run-a"));

    // then
    assertThat(queries.run("run-a")).map(AgentRun::getRunId).contains("run-a");
    assertThat(queries.run("run-x")).isEmpty();
  }

  @Test
  void shouldPageEventsInOrderWhenLimitIsSmallerThanTheRun() {
    // given: six events
    pipe(completedRun("run-a"));

    // when
    final EventPage first = queries.events("run-a", 0, 4).orElseThrow();
    final EventPage second =
        queries.events("run-a", first.nextAfter().getAsLong(), 4).orElseThrow();

    // then
    assertThat(first.items()).extracting(AgentRunEvent::getSeq).containsExactly(1L, 2L, 3L, 4L);
    assertThat(first.nextAfter()).isEqualTo(OptionalLong.of(4));
    assertThat(second.items()).extracting(AgentRunEvent::getSeq).containsExactly(5L, 6L);
    assertThat(second.nextAfter()).isEmpty();
  }

  @Test
  void shouldEndWithoutCursorWhenPageHoldsExactlyTheRemainingEvents() {
    // given
    pipe(completedRun("run-a"));

    // when
    final EventPage page = queries.events("run-a", 2, 4).orElseThrow();

    // then
    assertThat(page.items()).hasSize(4);
    assertThat(page.nextAfter()).isEmpty();
  }

  @Test
  void shouldNotMixRunsWhenOneRunIdPrefixesAnother() {
    // given
    pipe(completedRun("run-a"));
    pipe(completedRun("run-ab"));

    // when
    final EventPage page = queries.events("run-a", 0, 100).orElseThrow();

    // then
    assertThat(page.items()).hasSize(6).allMatch(e -> e.getRunId().equals("run-a"));
  }

  @Test
  void shouldReturnEmptyWhenEventsOfUnknownRunAreAsked() {
    // then
    assertThat(queries.events("run-x", 0, 10)).isEmpty();
  }

  @Test
  void shouldReturnDecisionWhenEventWasDecided() {
    // given
    final DispatchDecision decision =
        DispatchDecision.newBuilder()
            .setEventId("e-1")
            .setDecision(Decision.RUN_CREATED)
            .setRunId("run-a")
            .setDecidedAt(Instant.ofEpochMilli(1_700_000_000_000L))
            .build();
    final DispatchDecision other =
        DispatchDecision.newBuilder(decision)
            .setDecision(Decision.NO_BINDING)
            .setRunId(null)
            .build();
    driver.decisions().pipeInput("ws-1/e-1", decision);
    driver.decisions().pipeInput("ws-2/e-1", other);

    // then each workspace keeps its own decision of the same event id
    assertThat(queries.decision("ws-1", "e-1")).contains(decision);
    assertThat(queries.decision("ws-2", "e-1")).contains(other);
    assertThat(queries.decision("ws-3", "e-1")).isEmpty();
    assertThat(queries.decision("ws-1", "e-2")).isEmpty();
  }

  @Test
  void shouldDeadLetterADecisionWhoseKeyNamesNoWorkspace() {
    // given a decision keyed the old way, by the bare event id
    final DispatchDecision decision =
        DispatchDecision.newBuilder()
            .setEventId("e-1")
            .setDecision(Decision.RUN_CREATED)
            .setRunId("run-a")
            .setDecidedAt(Instant.ofEpochMilli(1_700_000_000_000L))
            .build();

    // when
    driver.decisions().pipeInput("e-1", decision);

    // then it is in no workspace's view, and a dead letter
    assertThat(driver.dlq().readRecordsToList()).hasSize(1);
    try (var all = driver.store(ProjectionTopology.DECISIONS_STORE).all()) {
      assertThat(all.hasNext()).isFalse();
    }
  }

  @Test
  void shouldMergeThePartitionsNewestFirstAndReadNoMoreThanAPageOfEachWhenPaging() {
    // given 30 runs, their index split over three partitions as a task each would hold it
    for (int i = 0; i < 30; i++) {
      pipe(completedRun(String.format("run-%02d", i)));
    }
    final List<CountingIndex> partitions =
        List.of(new CountingIndex(), new CountingIndex(), new CountingIndex());
    try (KeyValueIterator<String, String> all =
        driver.<String>store(ProjectionTopology.RUNS_INDEX_STORE).all()) {
      all.forEachRemaining(
          kv ->
              partitions.get(Math.floorMod(kv.value.hashCode(), 3)).entries.put(kv.key, kv.value));
    }
    final LocalRunQueries split =
        new LocalRunQueries(
            new DriverStores(driver) {
              @Override
              @SuppressWarnings("unchecked")
              public <V> List<ReadOnlyKeyValueStore<String, V>> partitions(final String name) {
                return (List<ReadOnlyKeyValueStore<String, V>>) (List<?>) partitions;
              }
            });
    final List<String> expected = new ArrayList<>();
    for (int i = 29; i >= 0; i--) {
      expected.add(String.format("run-%02d", i));
    }

    // when paging four at a time
    final List<String> seen = new ArrayList<>();
    String after = null;
    do {
      partitions.forEach(p -> p.read.set(0));
      final RunPage page = split.runs(LedgerFixture.WS, new RunFilter(null, null, null), after, 4);
      page.items().forEach(r -> seen.add(r.getRunId()));
      after = page.nextPosition().orElse(null);

      // then a page reads its own length plus one, the cursor's own entry (the range's bound is
      // inclusive) and the one head of each partition not taken
      assertThat(partitions.stream().mapToInt(p -> p.read.get()).sum())
          .isLessThanOrEqualTo(4 + 1 + 1 + partitions.size());
    } while (after != null);

    // and every run comes once, newest first (same creation time: by run id, descending)
    assertThat(seen).isEqualTo(expected);
  }

  @Test
  void shouldAnswerUnavailableWhenStoresAreRebalancing() {
    // given
    final LocalRunQueries rebalancing = new LocalRunQueries(new DriverStores(null));

    // then
    assertThatThrownBy(() -> rebalancing.run("run-a"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.code()).isEqualTo("unavailable");
            });
  }

  private void pipe(final List<LedgerRecord> records) {
    records.forEach(r -> driver.ledger().pipeInput(r.getRunId(), r));
  }

  private static List<LedgerRecord> completedRun(final String runId) {
    final LedgerFixture run = new LedgerFixture(runId);
    return List.of(
        run.created(),
        run.claimed(1),
        run.delta(1, "a"),
        run.delta(1, "b"),
        run.message(1, "ab"),
        run.completed(1));
  }

  /** A partition's index in memory, counting the entries read from it. */
  private static final class CountingIndex implements ReadOnlyKeyValueStore<String, String> {
    private final TreeMap<String, String> entries = new TreeMap<>();
    private final AtomicInteger read = new AtomicInteger();

    @Override
    public String get(final String key) {
      return entries.get(key);
    }

    @Override
    public KeyValueIterator<String, String> range(final String from, final String to) {
      return counting(entries.subMap(from, true, to, true));
    }

    @Override
    public KeyValueIterator<String, String> reverseRange(final String from, final String to) {
      return counting(entries.subMap(from, true, to, true).descendingMap());
    }

    @Override
    public KeyValueIterator<String, String> all() {
      return counting(entries);
    }

    @Override
    public long approximateNumEntries() {
      return entries.size();
    }

    private KeyValueIterator<String, String> counting(final Map<String, String> view) {
      final Iterator<Map.Entry<String, String>> it = view.entrySet().iterator();
      return new KeyValueIterator<>() {
        @Override
        public void close() {}

        @Override
        public String peekNextKey() {
          throw new UnsupportedOperationException();
        }

        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public KeyValue<String, String> next() {
          read.incrementAndGet();
          final Map.Entry<String, String> e = it.next();
          return KeyValue.pair(e.getKey(), e.getValue());
        }
      };
    }
  }

  /** The driver's stores; with no driver, every store is in a rebalance. */
  private static class DriverStores implements ViewStores {
    private final ProjectionDriver driver;

    DriverStores(final ProjectionDriver driver) {
      this.driver = driver;
    }

    @Override
    public ReadOnlyKeyValueStore<String, AgentRun> runs() {
      return store(ProjectionTopology.RUNS_STORE);
    }

    @Override
    public ReadOnlyKeyValueStore<String, AgentRunEvent> runEvents() {
      return store(ProjectionTopology.RUN_EVENTS_STORE);
    }

    @Override
    public ReadOnlyKeyValueStore<String, DispatchDecision> decisions() {
      return store(ProjectionTopology.DECISIONS_STORE);
    }

    @Override
    public <V> ReadOnlyKeyValueStore<String, V> store(final String name) {
      if (driver == null) {
        throw new InvalidStateStoreException("rebalancing");
      }
      return driver.store(name);
    }
  }
}

package dev.runledger.projections.tools;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.NamedStorePort;
import dev.runledger.projections.ProjectionTopology;
import dev.runledger.projections.fold.ViewStore;
import dev.runledger.schemas.config.StreamsMemory;
import dev.runledger.schemas.serde.LedgerSerdes;
import dev.runledger.schemas.service.BoundedRocksDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every view of {@code ledger rebuild} in a {@link DiskStore} of the live store's name, all in a
 * new temporary directory and within one RocksDB memory budget ({@link BoundedRocksDb.Shared}).
 * Closing it closes the stores, releases the budget and deletes the directory; a JVM that exits
 * before (Ctrl-C) deletes the directory in a shutdown hook.
 */
final class DiskViews extends NamedStorePort implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DiskViews.class);

  private final Path dir;
  private final BoundedRocksDb.Shared memory;
  private final Map<String, DiskStore<?>> stores = new LinkedHashMap<>();
  private final Thread onExit;

  private DiskViews(final Path dir, final BoundedRocksDb.Shared memory) {
    this.dir = dir;
    this.memory = memory;
    // the files may still be open then: unlinking them is all a process that ends needs
    this.onExit = new Thread(() -> deleteOnExit(dir), "rebuild-cleanup");
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /**
   * Empty views in a new directory {@code rebuild-*} under {@code parent} (created when missing).
   *
   * @param serdes encode the views' values, as in the live stores
   * @param budget the RocksDB block cache and memtable budget all the stores share
   */
  static DiskViews create(
      final Path parent, final LedgerSerdes serdes, final StreamsMemory.Budget budget) {
    final Path dir;
    try {
      Files.createDirectories(parent);
      dir = Files.createTempDirectory(parent, "rebuild-");
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot create a rebuild directory under " + parent, e);
    }
    final DiskViews views = new DiskViews(dir, new BoundedRocksDb.Shared(budget));
    try {
      views.open(ProjectionTopology.RUNS_STORE, serdes.forType(AgentRun.class));
      views.open(ProjectionTopology.RUN_EVENTS_STORE, serdes.forType(AgentRunEvent.class));
      views.open(ProjectionTopology.RUNS_INDEX_STORE, Serdes.String());
      views.open(ProjectionTopology.TRANSCRIPT_STORE, serdes.forType(TranscriptItem.class));
      views.open(ProjectionTopology.TRANSCRIPT_EVENTS_STORE, Serdes.String());
      views.open(ProjectionTopology.STATE_STORE, serdes.forType(StateEntry.class));
      views.open(ProjectionTopology.DECISIONS_STORE, serdes.forType(DispatchDecision.class));
    } catch (final RuntimeException e) {
      views.close();
      throw e;
    }
    return views;
  }

  private <V> void open(final String name, final Serde<V> serde) {
    stores.put(name, DiskStore.create(dir.resolve(name), name, serde, memory));
  }

  /** The store of that name. */
  DiskStore<?> store(final String name) {
    return stores.get(name);
  }

  /** The directory the stores are in. */
  Path dir() {
    return dir;
  }

  @SuppressWarnings("unchecked") // each name holds the value type its accessor names
  @Override
  protected <V> ViewStore<V> view(final String name) {
    return (ViewStore<V>) stores.get(name);
  }

  @Override
  public void close() {
    try {
      stores.values().forEach(DiskStore::close);
      memory.close();
    } finally {
      delete(dir);
      removeHook();
    }
  }

  private void removeHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (final IllegalStateException e) {
      // the JVM is already exiting: the hook runs and finds nothing left to delete
      LOG.debug("rebuild directory {} closed while the JVM exits", dir);
    }
  }

  private static void deleteOnExit(final Path root) {
    try {
      if (Files.exists(root)) {
        delete(root);
      }
    } catch (final UncheckedIOException e) {
      LOG.warn("could not delete the rebuild directory {}: {}", root, e.getMessage());
    }
  }

  private static void delete(final Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      final List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
      for (final Path path : deepestFirst) {
        Files.deleteIfExists(path);
      }
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot delete the rebuild directory " + root, e);
    }
  }
}

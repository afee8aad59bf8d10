package dev.runledger.schemas.service;

import dev.runledger.schemas.config.StreamsMemory;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * The one RocksDB config setter of every Kafka Streams application, installed by {@link
 * StreamsService}: bounds the RocksDB memory of every store of one instance (ARCHITECTURE.md §8.7).
 * All stores share one LRU block cache that also holds index and filter blocks, and one write
 * buffer manager that charges memtables to that cache, sized by the application's {@link
 * dev.runledger.schemas.config.StreamsMemory}. The shared objects are created per Kafka Streams
 * instance ({@link Shared}) and handed over in the Streams config under {@link #SHARED_CONFIG}, so
 * no static state is needed and they are closed with the service.
 *
 * <p>Each memtable allocates its memory in arena blocks of {@value #ARENA_BLOCK_BYTES} bytes. The
 * RocksDB default (an eighth of the 16 MiB write buffer Kafka Streams sets, capped at 1 MiB) made
 * every store charge at least 1–2 MiB to the write buffer manager as soon as it held one record:
 * with eight stores on six partitions that is 48–96 MiB, always over the budget, and a store over
 * budget flushes its own memtable on its next write — however small — so every few puts became a
 * flush to a new SST file and a compaction after it (the bench measured the projections at 37 runs
 * per second, most of their stream thread's time in {@code RocksDB.put}, and the flush and
 * compaction threads busier than the stream threads). Small blocks let the budget count what the
 * memtables really hold.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {
  /** Streams config entry holding this instance's {@link Shared}. */
  public static final String SHARED_CONFIG = "runledger.rocksdb.shared";

  /** Memtable arena block size: 64 KiB. */
  static final long ARENA_BLOCK_BYTES = 64L * 1024;

  @Override
  public void setConfig(
      final String storeName, final Options options, final Map<String, Object> configs) {
    final Object shared = configs.get(SHARED_CONFIG);
    if (!(shared instanceof Shared memory)) {
      throw new IllegalStateException(
          SHARED_CONFIG
              + " is missing from the Streams config; start Kafka Streams with StreamsService");
    }
    final BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(memory.cache);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(memory.writeBuffers);
    options.setArenaBlockSize(ARENA_BLOCK_BYTES);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(final String storeName, final Options options) {
    // the cache and the write buffer manager are shared: Shared.close() releases them
  }

  /** The cache and write buffer manager all stores of one instance share. */
  public static final class Shared implements AutoCloseable {
    private final Cache cache;
    private final WriteBufferManager writeBuffers;

    public Shared(final StreamsMemory.Budget budget) {
      // the native library may not be loaded yet when no store has opened in this JVM
      RocksDB.loadLibrary();
      // high-priority pool for index and filter blocks: 10% of the cache
      this.cache = new LRUCache(budget.cacheBytes(), -1, false, 0.1);
      this.writeBuffers = new WriteBufferManager(budget.writeBufferBytes(), cache);
    }

    @Override
    public void close() {
      writeBuffers.close();
      cache.close();
    }
  }
}

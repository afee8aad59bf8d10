package dev.runledger.schemas.config;

import java.util.List;

/**
 * The RocksDB memory budget of one Kafka Streams application ({@code <app>.rocksdb.cache.bytes},
 * {@code <app>.rocksdb.write.buffer.bytes}), each with the application's own default. Every store
 * of one instance shares one block cache of the first size, which also holds index and filter
 * blocks, and one write buffer manager of the second that charges all memtables to that cache, so
 * the instance's RocksDB memory stays within the cache size however many stores and partitions it
 * holds ({@link dev.runledger.schemas.service.BoundedRocksDb}).
 *
 * @param cache {@code <app>.rocksdb.cache.bytes}
 * @param writeBuffer {@code <app>.rocksdb.write.buffer.bytes}
 */
public record StreamsMemory(Setting<Long> cache, Setting<Long> writeBuffer) {

  /** The settings of application {@code app} (the key prefix) with its defaults in bytes. */
  public static StreamsMemory of(final String app, final long cacheBytes, final long writeBytes) {
    return new StreamsMemory(
        Setting.longSetting(
                app + ".rocksdb.cache.bytes",
                cacheBytes,
                "one RocksDB block cache shared by every store of a "
                    + app
                    + " instance (memtables count inside it)")
            .positive(),
        Setting.longSetting(
                app + ".rocksdb.write.buffer.bytes",
                writeBytes,
                "total memtable budget of a " + app + " instance, charged to that cache")
            .positive());
  }

  /** The two settings. */
  public List<Setting<?>> all() {
    return List.of(cache, writeBuffer);
  }

  /** The budget {@code config} sets. */
  public Budget budget(final LedgerConfig config) {
    return new Budget(config.get(cache), config.get(writeBuffer));
  }

  /**
   * A budget in bytes.
   *
   * @param cacheBytes the shared block cache
   * @param writeBufferBytes the memtables' share of it
   */
  public record Budget(long cacheBytes, long writeBufferBytes) {}
}

package dev.runledger.projections.tools;

import dev.runledger.projections.fold.ViewStore;
import dev.runledger.projections.query.Digests;
import dev.runledger.projections.query.ViewDigest;
import dev.runledger.schemas.service.BoundedRocksDb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * One view of {@code ledger rebuild} in a RocksDB database of its own on disk, configured by the
 * live stores' {@link BoundedRocksDb} so its native memory lives in the shared block cache and
 * write buffer budget, whatever the view holds. Keys are UTF-8 and ordered bytewise, as in the
 * Kafka Streams stores. Writes skip the write-ahead log: the store is thrown away after the
 * rebuild.
 *
 * @param <V> the values
 */
final class DiskStore<V> implements ViewStore<V>, AutoCloseable {
  private final String name;
  private final Serializer<V> serializer;
  private final Deserializer<V> deserializer;
  private final Options options;
  private final WriteOptions writes;
  private final RocksDB db;

  private DiskStore(
      final String name,
      final Serde<V> serde,
      final Options options,
      final WriteOptions writes,
      final RocksDB db) {
    this.name = name;
    this.serializer = serde.serializer();
    this.deserializer = serde.deserializer();
    this.options = options;
    this.writes = writes;
    this.db = db;
  }

  /** A new, empty store {@code name} in directory {@code dir}, within {@code memory}. */
  static <V> DiskStore<V> create(
      final Path dir, final String name, final Serde<V> serde, final BoundedRocksDb.Shared memory) {
    final Options options =
        new Options()
            .setCreateIfMissing(true)
            .setErrorIfExists(true)
            .setTableFormatConfig(new BlockBasedTableConfig());
    new BoundedRocksDb().setConfig(name, options, Map.of(BoundedRocksDb.SHARED_CONFIG, memory));
    final WriteOptions writes = new WriteOptions().setDisableWAL(true);
    try {
      return new DiskStore<>(
          name, serde, options, writes, RocksDB.open(options, dir.toAbsolutePath().toString()));
    } catch (final RocksDBException e) {
      writes.close();
      options.close();
      throw failed(name, "open", e);
    }
  }

  @Override
  public V get(final String key) {
    try {
      return decode(db.get(bytes(key)));
    } catch (final RocksDBException e) {
      throw failed("read", e);
    }
  }

  @Override
  public void put(final String key, final V value) {
    try {
      db.put(writes, bytes(key), serializer.serialize(name, value));
    } catch (final RocksDBException e) {
      throw failed("write", e);
    }
  }

  @Override
  public void delete(final String key) {
    try {
      db.delete(writes, bytes(key));
    } catch (final RocksDBException e) {
      throw failed("write", e);
    }
  }

  @Override
  public List<String> range(final String from, final String to) {
    final byte[] last = bytes(to);
    final List<String> keys = new ArrayList<>();
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(bytes(from)); it.isValid(); it.next()) {
        if (Arrays.compareUnsigned(it.key(), last) > 0) {
          break;
        }
        keys.add(new String(it.key(), StandardCharsets.UTF_8));
      }
    }
    return keys;
  }

  @Override
  public V last(final String from, final String to) {
    try (RocksIterator it = db.newIterator()) {
      it.seekForPrev(bytes(to));
      return it.isValid() && Arrays.compareUnsigned(it.key(), bytes(from)) >= 0
          ? decode(it.value())
          : null;
    }
  }

  /**
   * The digest of this store as view {@code view} ({@link Digests#add}), read entry by entry in key
   * order, so it needs memory for one entry at a time.
   */
  ViewDigest digest(final String view) {
    ViewDigest digest = ViewDigest.EMPTY;
    try (RocksIterator it = db.newIterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        digest =
            Digests.add(
                digest, view, new String(it.key(), StandardCharsets.UTF_8), decode(it.value()));
      }
      it.status();
    } catch (final RocksDBException e) {
      throw failed("read", e);
    }
    return digest;
  }

  @Override
  public void close() {
    db.close();
    writes.close();
    options.close();
  }

  private V decode(final byte[] value) {
    return value == null ? null : deserializer.deserialize(name, value);
  }

  private static byte[] bytes(final String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private IllegalStateException failed(final String what, final RocksDBException e) {
    return failed(name, what, e);
  }

  private static IllegalStateException failed(
      final String name, final String what, final RocksDBException e) {
    return new IllegalStateException(
        "rebuild store " + name + ": cannot " + what + ": " + e.getMessage(), e);
  }
}

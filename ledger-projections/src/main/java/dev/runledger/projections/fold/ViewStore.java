package dev.runledger.projections.fold;

import java.util.List;

/**
 * One view store as the {@link Projector} sees it: string keys in their natural order. The live
 * topology passes its Kafka Streams stores, {@code ledger rebuild} temporary RocksDB stores.
 *
 * @param <V> the values
 */
public interface ViewStore<V> {
  /** The value under {@code key}, or null. */
  V get(String key);

  void put(String key, V value);

  void delete(String key);

  /** The keys from {@code from} to {@code to} (both inclusive), in order. */
  List<String> range(String from, String to);

  /** The value under the greatest key from {@code from} to {@code to} (inclusive), or null. */
  V last(String from, String to);
}

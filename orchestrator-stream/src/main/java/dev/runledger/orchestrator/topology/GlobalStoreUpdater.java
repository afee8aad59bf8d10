package dev.runledger.orchestrator.topology;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a global store equal to its compacted topic, byte for byte: a tombstone deletes the key,
 * any other value is stored as it is and decoded when read ({@link StoredRecords}). This is also
 * what a restore does, so live and restored stores never differ.
 */
final class GlobalStoreUpdater implements Processor<String, byte[], Void, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(GlobalStoreUpdater.class);

  private final String storeName;
  private KeyValueStore<String, byte[]> store;

  GlobalStoreUpdater(final String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(final ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
  }

  @Override
  public void process(final Record<String, byte[]> record) {
    if (record.key() == null) {
      LOG.warn("record without a key for global store {} is ignored", storeName);
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), record.value());
    }
  }
}

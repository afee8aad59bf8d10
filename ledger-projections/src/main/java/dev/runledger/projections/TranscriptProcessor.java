package dev.runledger.projections;

import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.fold.ViewFolds;
import dev.runledger.projections.fold.ViewKeys;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** Numbers each transcript item as its conversation's next one and stores it. */
final class TranscriptProcessor implements Processor<String, TranscriptItem, Void, Void> {
  private KeyValueStore<String, TranscriptItem> transcript;

  @Override
  public void init(final ProcessorContext<Void, Void> context) {
    this.transcript = context.getStateStore(ProjectionTopology.TRANSCRIPT_STORE);
  }

  @Override
  public void process(final Record<String, TranscriptItem> record) {
    final String conversation = record.value().getConversationId();
    final long seq = lastSeq(transcript, conversation) + 1;
    transcript.put(ViewKeys.transcript(conversation, seq), ViewFolds.numbered(record.value(), seq));
  }

  /** The highest seq of a conversation's items, 0 when it has none. */
  static long lastSeq(
      final KeyValueStore<String, TranscriptItem> store, final String conversation) {
    try (KeyValueIterator<String, TranscriptItem> it =
        store.reverseRange(
            ViewKeys.transcript(conversation, 0),
            ViewKeys.transcript(conversation, Long.MAX_VALUE))) {
      return it.hasNext() ? it.next().value.getSeq() : 0;
    }
  }
}

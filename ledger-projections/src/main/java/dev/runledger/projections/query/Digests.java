package dev.runledger.projections.query;

import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.ProjectionTopology;
import dev.runledger.projections.fold.Projector;
import dev.runledger.schemas.json.AvroJson;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * How each view's entries enter its {@link ViewDigest}, the same for the live stores and a rebuild.
 * Transcript items are digested without their {@code seq} (keyed by conversation): user messages
 * come from host events and assistant messages from the ledger, two topics whose interleaving a
 * rebuild cannot reproduce, so the digest compares what each conversation holds.
 */
public final class Digests {
  /** The views a digest covers, in print order. */
  public static final List<String> VIEWS =
      List.of(
          ProjectionTopology.RUNS_STORE,
          ProjectionTopology.RUN_EVENTS_STORE,
          ProjectionTopology.RUNS_INDEX_STORE,
          ProjectionTopology.TRANSCRIPT_STORE,
          ProjectionTopology.STATE_STORE,
          ProjectionTopology.DECISIONS_STORE);

  private Digests() {}

  /**
   * Adds an entry of {@code view}: a record as its canonical JSON, any other value as its text, a
   * transcript item under its workspace's conversation without its {@code seq}.
   */
  public static ViewDigest add(
      final ViewDigest digest, final String view, final String key, final Object value) {
    if (view.equals(ProjectionTopology.TRANSCRIPT_STORE) && value instanceof TranscriptItem item) {
      return record(
          digest,
          Projector.conversationKey(item),
          TranscriptItem.newBuilder(item).setSeq(0).build());
    }
    if (value instanceof SpecificRecord record) {
      return record(digest, key, record);
    }
    return digest.plus(key, String.valueOf(value));
  }

  private static ViewDigest record(
      final ViewDigest digest, final String key, final SpecificRecord value) {
    return digest.plus(key, AvroJson.text(AvroJson.toJson(value)));
  }
}

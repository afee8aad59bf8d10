package dev.runledger.projections.query;

import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.ProjectionTopology;
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

  /** Adds a record-valued entry. */
  public static ViewDigest add(
      final ViewDigest digest, final String key, final SpecificRecord value) {
    return digest.plus(key, AvroJson.text(AvroJson.toJson(value)));
  }

  /** Adds a transcript item (key: its conversation; seq left out). */
  public static ViewDigest addTranscript(final ViewDigest digest, final TranscriptItem item) {
    return add(digest, item.getConversationId(), TranscriptItem.newBuilder(item).setSeq(0).build());
  }
}

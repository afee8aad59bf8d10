package dev.runledger.projections.query;

import dev.runledger.avro.TranscriptItem;
import java.util.List;
import java.util.OptionalLong;

/**
 * A page of a transcript, items in {@code seq} order. With {@code after} it holds the first items
 * after that seq and {@code hasMore} says whether later ones exist; otherwise (with {@code before}
 * or neither) it holds the last items before that seq (or the latest ones) and {@code hasMore} says
 * whether earlier ones exist. {@code end} is, for a page read with {@code after} that holds no
 * items, the transcript's last seq (0 when it has none): where a client tailing it goes on, so a
 * cursor past the end is not lost; empty for every other page.
 */
public record TranscriptPage(List<TranscriptItem> items, boolean hasMore, OptionalLong end) {
  public TranscriptPage {
    items = List.copyOf(items);
  }

  /** A page that has items or was not read with {@code after}. */
  public TranscriptPage(final List<TranscriptItem> items, final boolean hasMore) {
    this(items, hasMore, OptionalLong.empty());
  }
}

package dev.runledger.projections.query;

import dev.runledger.avro.TranscriptItem;
import java.util.List;

/**
 * A page of a transcript, items in {@code seq} order. With {@code after} it holds the first items
 * after that seq and {@code hasMore} says whether later ones exist; otherwise (with {@code before}
 * or neither) it holds the last items before that seq (or the latest ones) and {@code hasMore} says
 * whether earlier ones exist.
 */
public record TranscriptPage(List<TranscriptItem> items, boolean hasMore) {
  public TranscriptPage {
    items = List.copyOf(items);
  }
}

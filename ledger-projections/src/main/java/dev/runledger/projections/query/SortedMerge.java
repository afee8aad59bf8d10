package dev.runledger.projections.query;

import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * A k-way merge of iterators that are each already in {@code order}: one iterator in that order
 * over all of them, lazily (a priority queue holds the head of each source), so that reading the
 * first {@code n} items costs O(n log k) whatever the sources hold. Equal items come out in the
 * order of their sources. Not thread-safe.
 *
 * @param <T> the items
 */
public final class SortedMerge<T> implements Iterator<T> {
  private final PriorityQueue<Head<T>> heads;

  /**
   * @param sources iterators each in {@code order}
   * @param order the order of every source and of the merge
   */
  public SortedMerge(
      final List<? extends Iterator<? extends T>> sources, final Comparator<? super T> order) {
    final Comparator<Head<T>> byItem = (x, y) -> order.compare(x.item, y.item);
    this.heads =
        new PriorityQueue<>(Math.max(1, sources.size()), byItem.thenComparingInt(h -> h.source));
    for (int i = 0; i < sources.size(); i++) {
      advance(new Head<>(i, sources.get(i)));
    }
  }

  @Override
  public boolean hasNext() {
    return !heads.isEmpty();
  }

  @Override
  public T next() {
    final Head<T> head = heads.poll();
    if (head == null) {
      throw new NoSuchElementException();
    }
    final T item = head.item;
    advance(head);
    return item;
  }

  private void advance(final Head<T> head) {
    if (head.rest.hasNext()) {
      head.item = head.rest.next();
      heads.add(head);
    }
  }

  /** The current item of one source and the rest of it. */
  private static final class Head<T> {
    private final int source;
    private final Iterator<? extends T> rest;
    private T item;

    private Head(final int source, final Iterator<? extends T> rest) {
      this.source = source;
      this.rest = rest;
    }
  }
}

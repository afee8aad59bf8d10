package dev.runledger.projections.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class SortedMergeTest {

  @Test
  void shouldMergeSortedSourcesIntoOneOrderWhenTheyInterleave() {
    // given
    final List<Iterator<Integer>> sources =
        List.of(
            List.of(9, 6, 3).iterator(),
            List.of(8, 5, 2).iterator(),
            List.<Integer>of().iterator(),
            List.of(7, 4, 1, 0).iterator());

    // when
    final List<Integer> merged = drain(new SortedMerge<>(sources, Comparator.reverseOrder()));

    // then
    assertThat(merged).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  }

  @Test
  void shouldEqualSortingEverythingWhenSourcesAreRandom() {
    final Random random = new Random(11);
    for (int round = 0; round < 50; round++) {
      // given
      final List<List<Integer>> lists = new ArrayList<>();
      final List<Integer> all = new ArrayList<>();
      for (int s = 0; s < 1 + random.nextInt(6); s++) {
        final List<Integer> list = new ArrayList<>();
        for (int i = 0; i < random.nextInt(20); i++) {
          list.add(random.nextInt(30));
        }
        list.sort(Comparator.naturalOrder());
        lists.add(list);
        all.addAll(list);
      }
      all.sort(Comparator.naturalOrder());

      // when
      final List<Integer> merged =
          drain(
              new SortedMerge<>(
                  lists.stream().map(List::iterator).toList(), Comparator.naturalOrder()));

      // then
      assertThat(merged).isEqualTo(all);
    }
  }

  @Test
  void shouldReadNoMoreOfTheSourcesThanTheItemsTakenPlusOneHeadEach() {
    // given three long sources that count what is read of them
    final AtomicInteger read = new AtomicInteger();
    final List<Iterator<Integer>> sources = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      final int offset = s;
      sources.add(
          new Iterator<>() {
            private int next = offset;

            @Override
            public boolean hasNext() {
              return true;
            }

            @Override
            public Integer next() {
              read.incrementAndGet();
              final int item = next;
              next += 3;
              return item;
            }
          });
    }

    // when taking five
    final SortedMerge<Integer> merge = new SortedMerge<>(sources, Comparator.naturalOrder());
    final List<Integer> taken = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      taken.add(merge.next());
    }

    // then
    assertThat(taken).containsExactly(0, 1, 2, 3, 4);
    assertThat(read.get()).isEqualTo(5 + 3);
  }

  @Test
  void shouldKeepTheOrderOfTheSourcesWhenItemsAreEqual() {
    // given
    final List<Iterator<String>> sources =
        List.of(List.of("b1", "a1").iterator(), List.of("b2", "a2").iterator());

    // when
    final List<String> merged =
        drain(
            new SortedMerge<>(sources, Comparator.comparing((String s) -> s.charAt(0)).reversed()));

    // then
    assertThat(merged).containsExactly("b1", "b2", "a1", "a2");
  }

  @Test
  void shouldThrowWhenReadPastTheEnd() {
    final SortedMerge<Integer> empty = new SortedMerge<>(List.of(), Comparator.naturalOrder());
    assertThat(empty.hasNext()).isFalse();
    Assertions.assertThatThrownBy(empty::next).isInstanceOf(NoSuchElementException.class);
  }

  private static <T> List<T> drain(final Iterator<T> it) {
    final List<T> all = new ArrayList<>();
    it.forEachRemaining(all::add);
    return all;
  }
}

package dev.runledger.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runledger.schemas.service.Service;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ServiceGroupTest {
  private final List<String> events = new CopyOnWriteArrayList<>();

  @Test
  void shouldStartServicesTogetherAndCloseThemBeforeWhatStartedEarlier() {
    // given: a service started alone, then two whose starts only return once both are starting
    final CyclicBarrier bothStarting = new CyclicBarrier(2);
    final ServiceGroup group = new ServiceGroup("test");
    group.start(new Part("first", null));

    // when
    final List<Part> started =
        group.startTogether(
            List.of(new Part("a", bothStarting), new Part("b", bothStarting)), part -> {});
    final List<String> names = group.services().stream().map(Service::name).toList();
    group.close();

    // then
    assertThat(started).extracting(Part::name).containsExactly("a", "b");
    assertThat(names).containsExactly("first", "a", "b");
    assertThat(events).containsSubsequence("started a", "closed a", "closed first");
    assertThat(events).containsSubsequence("started b", "closed b", "closed first");
  }

  @Test
  void shouldCloseEveryServiceAndNameTheOneThatFailedWhenAStartFails() {
    // given: a service that starts and one whose start fails
    final ServiceGroup group = new ServiceGroup("test");
    group.start(new Part("first", null));
    final Part failing =
        new Part("broken", null) {
          @Override
          public void start() {
            throw new IllegalStateException("no broker");
          }
        };

    // when / then
    assertThatThrownBy(
            () -> group.startTogether(List.of(new Part("ok", null), failing), part -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot start broken: no broker");
    assertThat(events).contains("closed ok", "closed broken", "closed first");
    assertThat(group.services()).isEmpty();
  }

  @Test
  void shouldCloseWhatStartedEarlierWhenAServiceHangsInItsClose() throws InterruptedException {
    // given: a service started first, then one whose close never returns (a client waiting for a
    // broker that is gone)
    final ServiceGroup group = new ServiceGroup("test");
    group.start(new Part("first", null));
    final CountDownLatch released = new CountDownLatch(1);
    group.start(
        new Part("stuck", null) {
          @Override
          public void close() {
            events.add("closing stuck");
            try {
              released.await();
            } catch (final InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });

    // when the group is closed with a short grace
    group.close(Duration.ofMillis(200));

    // then it went on past the stuck one and closed the first, which was started before it
    assertThat(events).containsSubsequence("closing stuck", "closed first");
    assertThat(group.services()).isEmpty();
    released.countDown();
  }

  private class Part implements Service {
    private final String name;
    private final CyclicBarrier barrier;

    Part(final String name, final CyclicBarrier barrier) {
      this.name = name;
      this.barrier = barrier;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void start() {
      if (barrier != null) {
        try {
          barrier.await(30, TimeUnit.SECONDS);
        } catch (final InterruptedException | BrokenBarrierException | TimeoutException e) {
          throw new IllegalStateException(name + " started alone", e);
        }
      }
      events.add("started " + name);
    }

    @Override
    public boolean healthy() {
      return true;
    }

    @Override
    public void close() {
      events.add("closed " + name);
    }
  }
}

package dev.runledger.projections.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.projections.query.Digests;
import dev.runledger.projections.query.ViewDigest;
import dev.runledger.schemas.config.StreamsMemory;
import dev.runledger.schemas.service.BoundedRocksDb;
import java.nio.file.Path;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rebuild view store on disk reads, ranges and digests as the live stores do. */
class DiskStoreTest {
  @TempDir Path dir;
  private BoundedRocksDb.Shared memory;
  private DiskStore<String> store;

  @BeforeEach
  void open() {
    memory = new BoundedRocksDb.Shared(new StreamsMemory.Budget(4L << 20, 1L << 20));
    store = DiskStore.create(dir.resolve("s"), "s", Serdes.String(), memory);
  }

  @AfterEach
  void close() {
    store.close();
    memory.close();
  }

  @Test
  void shouldRangeBothEndsInclusiveInKeyOrderWhenKeysShareAPrefix() {
    // given
    store.put("run-1/00002", "b");
    store.put("run-1/00001", "a");
    store.put("run-10/00001", "x");
    store.put("run-2/00001", "y");

    // then
    assertThat(store.range("run-1/", "run-1/99999")).containsExactly("run-1/00001", "run-1/00002");
    assertThat(store.range("run-1/00002", "run-1/00002")).containsExactly("run-1/00002");
    assertThat(store.last("run-1/", "run-1/99999")).isEqualTo("b");
    assertThat(store.last("run-3/", "run-3/99999")).isNull();
    assertThat(store.last("run-0", "run-1/00001")).isEqualTo("a");
  }

  @Test
  void shouldForgetDeletedKeysWhenReadAndDigested() {
    // given
    store.put("a", "1");
    store.put("b", "2");
    store.put("a", "3");
    store.delete("b");

    // then
    assertThat(store.get("a")).isEqualTo("3");
    assertThat(store.get("b")).isNull();
    assertThat(store.digest(Digests.VIEWS.get(0)))
        .isEqualTo(Digests.add(ViewDigest.EMPTY, Digests.VIEWS.get(0), "a", "3"));
  }
}

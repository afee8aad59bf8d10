package dev.runledger.projections;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The build points {@code java.io.tmpdir} at {@code target/tmp} without creating it, and RocksDB
 * extracts its native library there; tests that open RocksDB stores create it first.
 */
public final class JavaTmpDir {
  private JavaTmpDir() {}

  public static void ensureExists() {
    try {
      Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

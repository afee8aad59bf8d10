package dev.runledger.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directory helpers. */
public final class Directories {
  private Directories() {}

  /** A new temporary directory. */
  public static Path temporary(final String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory", e);
    }
  }

  /** Creates {@code dir} and its parents unless they exist. */
  public static void create(final Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  /** Deletes {@code root} and everything below it; a missing directory is fine. */
  public static void deleteRecursively(final Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (final Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}

package dev.runledger.deploy.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * Entry point of the broker JVM that {@link EmbeddedKafka} starts: formats the storage directory
 * (once; a formatted directory is kept) and runs {@code kafka.Kafka} with the given properties
 * file. The broker stops when standard input reaches end of file, which happens when the parent
 * process closes the pipe or dies, so a crashed parent never leaves a broker behind.
 *
 * <p>Usage: {@code EmbeddedKafkaMain <server.properties>}.
 */
final class EmbeddedKafkaMain {
  private EmbeddedKafkaMain() {}

  public static void main(final String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: EmbeddedKafkaMain <server.properties>");
      System.exit(2);
    }
    final Path properties = Path.of(args[0]);
    final int formatted = format(properties, System.out);
    if (formatted != 0) {
      System.err.println("formatting the storage of " + properties + " failed: " + formatted);
      System.exit(formatted);
    }
    ignoreInterrupt();
    exitWhenStdinCloses(System.in);
    kafka.Kafka.main(new String[] {properties.toString()});
  }

  /**
   * Formats the log directory of a standalone KRaft node (the node is the single voter of a dynamic
   * quorum). A directory that is already formatted is left as it is.
   */
  static int format(final Path properties, final PrintStream out) throws IOException {
    final Path clusterIdFile = properties.resolveSibling("cluster.id");
    if (!Files.exists(clusterIdFile)) {
      Files.writeString(clusterIdFile, Uuid.randomUuid().toString(), StandardCharsets.UTF_8);
    }
    final String clusterId = Files.readString(clusterIdFile, StandardCharsets.UTF_8).strip();
    return StorageTool.execute(
        new String[] {
          "format",
          "--cluster-id",
          clusterId,
          "--config",
          properties.toString(),
          "--standalone",
          "--ignore-formatted"
        },
        out);
  }

  /**
   * Ctrl-C in a terminal interrupts the whole foreground process group, broker included. The parent
   * must stop its services while the broker still runs and then stop the broker, so the broker
   * ignores SIGINT and stops on SIGTERM or when its stdin closes. {@code sun.misc.Signal} is
   * reached by reflection because javac warns on every direct use of it.
   */
  private static void ignoreInterrupt() {
    try {
      final Class<?> signal = Class.forName("sun.misc.Signal");
      final Class<?> handler = Class.forName("sun.misc.SignalHandler");
      final Object ignore = handler.getField("SIG_IGN").get(null);
      final Object interrupt = signal.getConstructor(String.class).newInstance("INT");
      signal.getMethod("handle", signal, handler).invoke(null, interrupt, ignore);
    } catch (final ReflectiveOperationException | RuntimeException e) {
      System.err.println("cannot ignore SIGINT, Ctrl-C stops the broker at once: " + e);
    }
  }

  private static void exitWhenStdinCloses(final InputStream in) {
    final Thread watcher =
        new Thread(
            () -> {
              try {
                while (in.read() >= 0) {
                  // the parent writes nothing; only end of file matters
                }
              } catch (final IOException e) {
                System.err.println("stdin of the broker failed, stopping: " + e);
              }
              System.err.println("parent closed stdin; stopping the broker");
              System.exit(0);
            },
            "parent-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }
}

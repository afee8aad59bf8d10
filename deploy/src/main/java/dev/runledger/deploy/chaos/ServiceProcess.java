package dev.runledger.deploy.chaos;

import dev.runledger.deploy.LedgerCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One {@code ledger <service> --config FILE} in a child JVM, on the classpath of this one, its
 * output appended to {@code <name>.log}. It can be killed ({@code kill -9}), frozen ({@code kill
 * -STOP}), thawed ({@code kill -CONT}) and started again with the same settings (so the same {@code
 * worker.id} or {@code instance.id}). A shutdown hook kills it when this JVM exits.
 */
public final class ServiceProcess implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration STOP = Duration.ofSeconds(30);
  private static final String RUNNING = "is running";

  private final String name;
  private final String service;
  private final Path config;
  private final Path log;
  private final Thread hook;
  private volatile Process process;

  private ServiceProcess(
      final String name, final String service, final Path config, final Path log) {
    this.name = name;
    this.service = service;
    this.config = config;
    this.log = log;
    this.hook = new Thread(this::killQuietly, "kill-" + name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Writes {@code settings} to {@code <dir>/<name>.properties}, starts {@code ledger <service>} on
   * them and waits until it logs that it is running.
   */
  public static ServiceProcess start(
      final String name, final String service, final Map<String, String> settings, final Path dir) {
    try {
      Files.createDirectories(dir);
      final Properties props = new Properties();
      props.putAll(settings);
      final Path config = dir.resolve(name + ".properties");
      try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
        props.store(out, "ledger " + service + " " + name);
      }
      final ServiceProcess child =
          new ServiceProcess(name, service, config, dir.resolve(name + ".log"));
      child.start();
      return child;
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  /** Starts the process (again) and waits until it is running. */
  public void start() {
    try {
      final long from = Files.exists(log) ? Files.size(log) : 0;
      final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      process =
          new ProcessBuilder(
                  List.of(
                      java,
                      "-Xmx384m",
                      "-XX:TieredStopAtLevel=1",
                      "-cp",
                      System.getProperty("java.class.path"),
                      LedgerCli.class.getName(),
                      service,
                      "--config",
                      config.toString()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      final long deadline = System.nanoTime() + START.toNanos();
      while (!logSince(from).contains(RUNNING)) {
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited early, see " + log);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(name + " not running within " + START + ", see " + log);
        }
        Thread.sleep(200);
      }
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + name, e);
    }
  }

  /** {@code kill -9}: no shutdown hook, no release. */
  public void kill() {
    final Process p = process;
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor();
      } catch (final InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** {@code kill -STOP}: the process freezes. */
  public void pause() {
    signal("-STOP");
  }

  /** {@code kill -CONT}: a frozen process goes on. */
  public void resume() {
    signal("-CONT");
  }

  private void signal(final String signal) {
    try {
      final int exit =
          new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException("kill " + signal + " " + process.pid() + " exited " + exit);
      }
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Everything the process (and its earlier starts) logged. */
  public String logText() {
    try {
      return logSince(0);
    } catch (final IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private String logSince(final long from) throws IOException {
    if (!Files.exists(log)) {
      return "";
    }
    final byte[] all = Files.readAllBytes(log);
    final int start = (int) Math.min(from, all.length);
    return new String(all, start, all.length - start, StandardCharsets.UTF_8);
  }

  private void killQuietly() {
    final Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
    }
  }

  /** {@code kill -CONT} (a frozen process cannot stop), SIGTERM, then SIGKILL if it lingers. */
  @Override
  public void close() {
    final Process p = process;
    if (p != null && p.isAlive()) {
      try {
        signal("-CONT");
        p.destroy();
        if (!p.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor();
        }
      } catch (final InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      } catch (final RuntimeException e) {
        p.destroyForcibly();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (final IllegalStateException e) {
      // already shutting down: the hook runs
    }
  }
}

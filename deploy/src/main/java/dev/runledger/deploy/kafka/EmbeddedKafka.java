package dev.runledger.deploy.kafka;

import dev.runledger.deploy.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker (broker and controller in one node) for {@code ledger dev},
 * {@code ledger demo} and the end-to-end tests, started from the Kafka jars already on our
 * classpath. No Docker is needed.
 *
 * <p>The broker runs in a <b>child JVM</b> ({@link EmbeddedKafkaMain}) rather than inside our own
 * process, for three reasons:
 *
 * <ul>
 *   <li>Isolation: the broker brings its own logging, Scala runtime, metrics, thread pools and a
 *       large page-cache-hungry heap; none of it mixes with the services under test, and a broker
 *       log storm cannot drown ours (its output goes to {@code broker.log} in the data directory).
 *   <li>A clean kill: {@link #close()} ends the process and everything it holds (file locks,
 *       sockets, threads) is released by the operating system; an in-process broker that fails to
 *       shut down leaks threads into the next test.
 *   <li>No orphans: the child exits when its standard input reaches end of file, so if our JVM is
 *       killed the broker goes with it.
 * </ul>
 *
 * <p>The node listens on 127.0.0.1 only, on free ports unless one is given, with replication factor
 * 1 for the internal topics and no initial rebalance delay. Share groups are enabled by the default
 * feature levels of Kafka 4.3. Automatic topic creation is off: every topic comes from the
 * catalogue ({@link TopicAdmin}). When a data directory is reused, the broker keeps its data and
 * cluster id, and the ports of the last run are reused when they are free.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  static final String LOG_FILE = "broker.log";
  static final String PROPERTIES_FILE = "server.properties";
  private static final String PORTS_FILE = "ports.properties";
  private static final String HOST = "127.0.0.1";

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final int requestedPort;
  private final Duration startTimeout;
  private Process process;
  private int brokerPort;

  /** The broker's settings file once {@link #prepare()} wrote it. */
  private Path properties;

  private EmbeddedKafka(
      final Path dataDir, final boolean ownsDataDir, final int port, final Duration timeout) {
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.requestedPort = port;
    this.startTimeout = timeout;
  }

  /** A broker in a fresh temporary directory (deleted on close), on free ports. */
  public static EmbeddedKafka inTempDir() {
    return new EmbeddedKafka(
        Directories.temporary("runledger-kafka"), true, 0, Duration.ofSeconds(120));
  }

  /**
   * A broker keeping its data in {@code dataDir} (kept on close).
   *
   * @param port the client port, or 0 for a free one
   */
  public static EmbeddedKafka inDir(final Path dataDir, final int port) {
    return new EmbeddedKafka(dataDir.toAbsolutePath(), false, port, Duration.ofSeconds(120));
  }

  /**
   * Chooses the broker's ports and writes its settings without starting it, so that {@link
   * #bootstrapServers()} is known before {@link #start()} (a stack can construct its clients and
   * serve HTTP while the broker starts). Idempotent; {@link #start()} does it when it was not done.
   */
  public synchronized EmbeddedKafka prepare() {
    if (properties != null) {
      return this;
    }
    try {
      Files.createDirectories(dataDir);
      final Ports ports = choosePorts();
      final Path file = dataDir.resolve(PROPERTIES_FILE);
      writeProperties(file, ports);
      brokerPort = ports.broker();
      properties = file;
      return this;
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka in " + dataDir, e);
    }
  }

  /** Starts the broker and returns once an admin client can describe the cluster. */
  public synchronized EmbeddedKafka start() {
    if (process != null) {
      return this;
    }
    try {
      prepare();
      process = launch(properties);
      LOG.info("Kafka broker starting on {} (log {})", bootstrapServers(), logFile());
      awaitReady();
      return this;
    } catch (final IOException e) {
      close();
      throw new UncheckedIOException("cannot start Kafka in " + dataDir, e);
    } catch (final RuntimeException e) {
      close();
      throw e;
    }
  }

  /** {@code 127.0.0.1:<port>} of the running broker. */
  public String bootstrapServers() {
    if (brokerPort == 0) {
      throw new IllegalStateException("the embedded Kafka broker is not prepared or started");
    }
    return HOST + ":" + brokerPort;
  }

  /** Where the broker writes its output. */
  public Path logFile() {
    return dataDir.resolve(LOG_FILE);
  }

  public Path dataDir() {
    return dataDir;
  }

  /** True while the broker process is alive. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The broker process while it runs, for tests. */
  public synchronized ProcessHandle processHandle() {
    if (process == null) {
      throw new IllegalStateException("the embedded Kafka broker is not started");
    }
    return process.toHandle();
  }

  /** Stops the broker (and anything it started) and waits for it; deletes a temporary data dir. */
  @Override
  public synchronized void close() {
    if (process != null) {
      stop(process);
      process = null;
    }
    // a start after this chooses its ports again (the last ones first)
    properties = null;
    if (ownsDataDir) {
      Directories.deleteRecursively(dataDir);
    }
  }

  private Ports choosePorts() throws IOException {
    final Path file = dataDir.resolve(PORTS_FILE);
    final Properties last = new Properties();
    if (Files.exists(file)) {
      try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        last.load(in);
      }
    }
    final int broker =
        requestedPort != 0
            ? requestedPort
            : reuseOrFree(Integer.parseInt(last.getProperty("broker", "0")));
    final int controller = reuseOrFree(Integer.parseInt(last.getProperty("controller", "0")));
    final Properties chosen = new Properties();
    chosen.setProperty("broker", Integer.toString(broker));
    chosen.setProperty("controller", Integer.toString(controller));
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      chosen.store(out, "ports of the embedded Kafka broker, reused by the next start");
    }
    return new Ports(broker, controller);
  }

  private static int reuseOrFree(final int port) throws IOException {
    if (port > 0) {
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
        return probe.getLocalPort();
      } catch (final IOException busy) {
        LOG.debug("port {} is taken, choosing another", port);
      }
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }

  private void writeProperties(final Path file, final Ports ports) throws IOException {
    final Map<String, String> settings =
        BrokerSettings.standalone(
            HOST, ports.broker(), ports.controller(), dataDir.resolve("kafka-logs"));
    final Properties props = new Properties();
    props.putAll(settings);
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      props.store(out, "generated by runledger EmbeddedKafka");
    }
  }

  private Process launch(final Path properties) throws IOException {
    final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    final List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xms128m");
    command.add("-Xmx1g");
    command.add("-Djava.awt.headless=true");
    command.add("-Dlogback.configurationFile=runledger-broker-logback.xml");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(EmbeddedKafkaMain.class.getName());
    command.add(properties.toString());
    return new ProcessBuilder(command)
        .directory(dataDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
        .start();
  }

  private void awaitReady() {
    final Instant deadline = Instant.now().plus(startTimeout);
    // A plain TCP probe first: an admin client would log a warning per refused connection.
    while (!accepts(brokerPort)) {
      checkStarting(deadline);
    }
    final Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(props)) {
      while (!describes(admin)) {
        checkStarting(deadline);
      }
    }
  }

  private void checkStarting(final Instant deadline) {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "the embedded Kafka broker exited with code "
              + process.exitValue()
              + " while starting; see "
              + logFile());
    }
    if (Instant.now().isAfter(deadline)) {
      throw new IllegalStateException(
          "the embedded Kafka broker did not answer on "
              + bootstrapServers()
              + " within "
              + startTimeout.toSeconds()
              + " s; see "
              + logFile());
    }
  }

  /** True when something accepts TCP connections on the port. */
  private static boolean accepts(final int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 500);
      return true;
    } catch (final IOException notYet) {
      sleep(Duration.ofMillis(200));
      return false;
    }
  }

  private static boolean describes(final Admin admin) {
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
          .nodes()
          .get(3, TimeUnit.SECONDS);
      return true;
    } catch (final ExecutionException | TimeoutException notYet) {
      sleep(Duration.ofMillis(200));
      return false;
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka", e);
    }
  }

  private static void stop(final Process process) {
    final List<ProcessHandle> descendants = process.descendants().toList();
    // SIGTERM: the broker's shutdown hook closes its logs cleanly.
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        LOG.warn("the embedded Kafka broker did not stop within 30 s; killing it");
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  private static void sleep(final Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka", e);
    }
  }

  private record Ports(int broker, int controller) {}
}

package dev.runledger.worker.runners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentRunContext;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.Results;
import dev.runledger.worker.spi.RunSession;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution of a {@code proc:*} runner: starts the process in a fresh directory with an
 * allowlisted environment (in its own process group via {@code setsid} when available), writes
 * {@code run.start}, then reads stdout line by line: results are emitted, {@code api.request}s are
 * answered through the host API, anything else is counted as invalid. {@code run.cancel} and {@code
 * steering.available} are written when they happen. The process group is killed on cancel (after
 * the grace period), on output over the limits, and when the process outlives its stdout.
 */
final class ProcRun {
  private static final Logger LOG = LoggerFactory.getLogger(ProcRun.class);
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final int MAX_LOGGED_INVALID = 5;
  private static final int STDERR_TAIL_LINES = 20;

  private final String runnerId;
  private final ProcRunnerSettings settings;
  private final AgentRunContext context;
  private final RunSession session;
  private final Map<String, String> env;
  private final Redactor redactor;
  private final RedactedResults results;
  private final Deque<String> stderrTail = new ArrayDeque<>();
  private final Object stdinLock = new Object();
  private Process process;
  private OutputStream stdin;
  private int validLines;
  private int invalidLines;
  private boolean terminal;

  ProcRun(
      final String runnerId,
      final ProcRunnerSettings settings,
      final Map<String, String> workerEnv,
      final AgentRunContext context,
      final RunSession session) {
    this.runnerId = runnerId;
    this.settings = settings;
    this.context = context;
    this.session = session;
    this.env = settings.environment(workerEnv);
    final List<String> secrets = new ArrayList<>(settings.secrets().values());
    secrets.addAll(Redactor.secretValues(env));
    this.redactor = new Redactor(secrets);
    this.results = new RedactedResults(redactor, session);
  }

  void execute() throws IOException, InterruptedException {
    final Path dir = workdir();
    try {
      if (!start(dir)) {
        return;
      }
      session.onCancel(this::cancel);
      session.onSteeringAvailable(() -> send(message("steering.available")));
      final ObjectNode start = message("run.start");
      start.put("protocol", 1);
      start.set("context", AvroJson.toJson(contextForRunner()));
      send(start);
      readResults();
      finish();
    } finally {
      killGroup();
      if (!settings.keepWorkdir()) {
        deleteQuietly(dir);
      }
    }
  }

  private boolean start(final Path dir) {
    final List<String> command = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      command.add(SETSID.toString());
    }
    command.addAll(settings.command());
    final ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    builder.environment().put("RUNLEDGER_RUN_ID", context.getRunId());
    builder.environment().put("RUNLEDGER_ATTEMPT", Integer.toString(session.attempt()));
    builder.environment().put("RUNLEDGER_PROTOCOL", "1");
    try {
      process = builder.start();
    } catch (final IOException e) {
      session.emit(
          Results.failed(
              RunnerFailures.START_FAILED,
              "could not start " + settings.command().get(0) + ": " + e.getMessage(),
              false));
      return false;
    }
    stdin = process.getOutputStream();
    final Thread drain =
        new Thread(this::drainStderr, "runledger-proc-stderr-" + context.getRunId());
    drain.setDaemon(true);
    drain.start();
    LOG.info("run {}: started {} (pid {}) in {}", context.getRunId(), runnerId, process.pid(), dir);
    return true;
  }

  private void readResults() {
    final BoundedLineReader reader =
        new BoundedLineReader(
            process.getInputStream(), settings.maxLineBytes(), settings.maxOutputBytes());
    try {
      String line;
      while (!terminal && (line = reader.readLine()) != null) {
        handle(line);
        if (invalidLines > settings.maxInvalidLines()) {
          fail(
              RunnerFailures.BAD_OUTPUT,
              "the runner wrote more than " + settings.maxInvalidLines() + " invalid lines");
          return;
        }
      }
    } catch (final BoundedLineReader.LimitExceededException e) {
      fail(RunnerFailures.OUTPUT_LIMIT, "the runner's stdout was cut: " + e.getMessage());
    } catch (final IOException e) {
      if (!session.isCancelled()) {
        LOG.warn(
            "run {}: reading the runner's stdout failed: {}", context.getRunId(), e.toString());
      }
    }
  }

  private void handle(final String rawLine) {
    if (rawLine.isBlank()) {
      return;
    }
    final JsonNode message;
    try {
      message = redactor.redact(AvroJson.mapper().readTree(rawLine));
    } catch (final IOException e) {
      invalid("not JSON", rawLine);
      return;
    }
    final String type = message == null ? null : message.path("type").asText(null);
    if (type == null || !message.isObject()) {
      invalid("not an object with a type", rawLine);
      return;
    }
    validLines++;
    if (type.equals("api.request")) {
      answer(message);
      return;
    }
    try {
      terminal = results.emit(type, message.get("data"));
    } catch (final AgentApiException e) {
      LOG.warn("run {}: result {} rejected: {}", context.getRunId(), type, e.getMessage());
      final ObjectNode rejected = message("result.rejected");
      rejected.put("result_type", type);
      rejected.set("error", error(e));
      send(rejected);
    }
  }

  private void answer(final JsonNode request) {
    final ObjectNode response = message("api.response");
    response.set("id", request.get("id"));
    try {
      final String method = request.path("method").asText("");
      response.set("result", session.hostApi().call(method, request.get("params")));
    } catch (final AgentApiException e) {
      response.set("error", error(e));
    }
    send(response);
  }

  private void invalid(final String why, final String line) {
    invalidLines++;
    if (invalidLines <= MAX_LOGGED_INVALID) {
      LOG.warn(
          "run {}: ignored an invalid line from {} ({}): {}",
          context.getRunId(),
          runnerId,
          why,
          abbreviate(redactor.redact(line)));
    }
  }

  /** After stdout ended: wait for the exit, and fail the run when it wrote no terminal. */
  private void finish() throws InterruptedException {
    closeStdin();
    final boolean exited =
        process.waitFor(Math.max(1, settings.cancelGrace().toMillis()), TimeUnit.MILLISECONDS);
    if (terminal || session.isCancelled()) {
      return;
    }
    if (exited && process.exitValue() != 0) {
      fail(
          RunnerFailures.EXIT_NONZERO,
          "the runner exited with status " + process.exitValue() + stderrSummary());
    } else if (validLines == 0 && invalidLines > 0) {
      fail(
          RunnerFailures.BAD_OUTPUT,
          "the runner wrote "
              + invalidLines
              + " lines and none was a protocol message"
              + stderrSummary());
    } else {
      fail(
          FailureCodes.NO_OUTPUT,
          "the runner's stdout ended without a terminal result" + stderrSummary());
    }
  }

  private void fail(final String code, final String error) {
    terminal = true;
    killGroup();
    results.flush();
    session.emit(Results.failed(code, redactor.redact(error), false));
  }

  private void cancel() {
    send(message("run.cancel"));
    CompletableFuture.delayedExecutor(settings.cancelGrace().toMillis(), TimeUnit.MILLISECONDS)
        .execute(this::killGroup);
  }

  private void killGroup() {
    final Process p = process;
    if (p == null || !p.isAlive() && p.descendants().findAny().isEmpty()) {
      return;
    }
    if (Files.isExecutable(SETSID)) {
      try {
        new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start()
            .waitFor(2, TimeUnit.SECONDS);
      } catch (final IOException e) {
        LOG.debug("kill of process group {} failed: {}", p.pid(), e.toString());
      } catch (final InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private void send(final JsonNode message) {
    synchronized (stdinLock) {
      if (stdin == null) {
        return;
      }
      try {
        stdin.write(AvroJson.text(message).getBytes(StandardCharsets.UTF_8));
        stdin.write('\n');
        stdin.flush();
      } catch (final IOException e) {
        LOG.debug("run {}: runner's stdin closed: {}", context.getRunId(), e.toString());
      }
    }
  }

  private void closeStdin() {
    synchronized (stdinLock) {
      try {
        if (stdin != null) {
          stdin.close();
        }
      } catch (final IOException e) {
        LOG.debug("run {}: closing stdin: {}", context.getRunId(), e.toString());
      }
      stdin = null;
    }
  }

  private void drainStderr() {
    long logged = 0;
    try (BufferedReader err =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = err.readLine()) != null) {
        final String clean = abbreviate(redactor.redact(line));
        synchronized (stderrTail) {
          stderrTail.addLast(clean);
          if (stderrTail.size() > STDERR_TAIL_LINES) {
            stderrTail.removeFirst();
          }
        }
        logged += clean.length();
        if (logged <= settings.maxStderrBytes()) {
          LOG.info("run {} [{} stderr] {}", context.getRunId(), runnerId, clean);
        }
      }
    } catch (final IOException e) {
      LOG.debug("run {}: stderr closed: {}", context.getRunId(), e.toString());
    }
  }

  private String stderrSummary() {
    synchronized (stderrTail) {
      return stderrTail.isEmpty() ? "" : "; stderr: " + String.join(" | ", stderrTail);
    }
  }

  private AgentRunContext contextForRunner() {
    return context;
  }

  private Path workdir() throws IOException {
    final String safe = context.getRunId().replaceAll("[^A-Za-z0-9._-]", "_");
    Files.createDirectories(settings.workdir());
    return Files.createTempDirectory(settings.workdir(), safe + "-a" + session.attempt() + "-");
  }

  private static ObjectNode message(final String type) {
    final ObjectNode node = AvroJson.mapper().createObjectNode();
    node.put("type", type);
    return node;
  }

  private static ObjectNode error(final AgentApiException e) {
    final ObjectNode error = AvroJson.mapper().createObjectNode();
    error.put("code", e.code());
    error.put("message", e.getMessage());
    error.put("retryable", AgentApiException.RATE_LIMITED.equals(e.code()));
    return error;
  }

  private static String abbreviate(final String line) {
    return line.length() <= 300 ? line : line.substring(0, 300) + "…";
  }

  private static void deleteQuietly(final Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (final IOException | UncheckedIOException e) {
      LOG.debug("could not delete {}: {}", dir, e.toString());
    }
  }
}

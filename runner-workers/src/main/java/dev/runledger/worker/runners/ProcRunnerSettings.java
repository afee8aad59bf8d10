package dev.runledger.worker.runners;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of one {@code proc:<name>} runner, all under {@code worker.runners.proc.<name>.}:
 *
 * <ul>
 *   <li>{@code command} (required): the command line, split on whitespace with {@code "..."} or
 *       {@code '...'} quoting; an argument naming an existing file relative to the worker's
 *       directory is made absolute (the process runs in its own directory);
 *   <li>{@code env} (default {@code PATH,HOME,LANG,LC_ALL,TZ}): names of the worker's environment
 *       variables passed through; nothing else of the worker's environment is;
 *   <li>{@code setenv.<NAME>}: fixed variables; {@code secret.<NAME>}: variables whose values are
 *       redacted from everything logged or stored;
 *   <li>{@code workdir} (default {@code <java.io.tmpdir>/runledger-proc}): parent of each run's own
 *       directory; {@code keep_workdir} (default false) keeps it after the run;
 *   <li>{@code cancel_grace_ms} (default 2000): time between {@code run.cancel} (or the end of
 *       stdout after a terminal) and killing the process group;
 *   <li>{@code max_line_bytes} (default 2097152), {@code max_output_bytes} (default 67108864):
 *       stdout limits; {@code max_invalid_lines} (default 1000); {@code max_stderr_bytes} (default
 *       65536) of stderr are logged per run.
 * </ul>
 *
 * Plus the manifest keys of {@link RunnerDeclaration}.
 */
public record ProcRunnerSettings(
    List<String> command,
    List<String> envAllowlist,
    Map<String, String> setenv,
    Map<String, String> secrets,
    Path workdir,
    boolean keepWorkdir,
    Duration cancelGrace,
    int maxLineBytes,
    long maxOutputBytes,
    int maxInvalidLines,
    int maxStderrBytes) {

  static final String PROC = RunnerDeclaration.PREFIX + "proc.<name>.";

  public static final Setting<String> COMMAND =
      Setting.stringSetting(PROC + "command", "", "the command line").shownAs("—");
  public static final Setting<List<String>> ENV =
      Setting.listSetting(PROC + "env", "PATH,HOME,LANG,LC_ALL,TZ", "variables passed through");
  public static final Setting<String> SETENV =
      Setting.stringSetting(PROC + "setenv.<NAME>", null, "a fixed environment variable");
  public static final Setting<String> SECRET =
      Setting.stringSetting(PROC + "secret.<NAME>", null, "a redacted environment variable");
  public static final Setting<String> WORKDIR =
      Setting.stringSetting(PROC + "workdir", null, "parent of each run's own directory")
          .defaultFrom(
              "<java.io.tmpdir>/runledger-proc",
              config -> Path.of(System.getProperty("java.io.tmpdir"), "runledger-proc").toString());
  public static final Setting<Boolean> KEEP_WORKDIR =
      Setting.boolSetting(PROC + "keep_workdir", false, "keep the run's directory after the run");
  public static final Setting<Duration> CANCEL_GRACE =
      Setting.millisSetting(PROC + "cancel_grace_ms", 2000, "time before the group is killed")
          .atLeast(0);
  public static final Setting<Long> MAX_STDERR_BYTES =
      Setting.longSetting(PROC + "max_stderr_bytes", 65_536, "stderr bytes logged per run")
          .atLeast(0);

  /** Every setting of the worker's proc runners, those every runner has apart. */
  public static final List<Setting<?>> ALL =
      List.of(COMMAND, ENV, SETENV, SECRET, WORKDIR, KEEP_WORKDIR, CANCEL_GRACE, MAX_STDERR_BYTES);

  /** The settings of a declared runner. */
  public static ProcRunnerSettings from(final RunnerDeclaration d) {
    final List<String> command = absolutize(split(d.get(COMMAND)));
    if (command.isEmpty()) {
      throw new ConfigException(d.key("command"), d.key("command") + " must not be empty");
    }
    final List<String> env = d.get(ENV);
    return new ProcRunnerSettings(
        command,
        env.isEmpty() ? ENV.fixedDefaultValue() : env,
        d.subkeys("setenv"),
        d.subkeys("secret"),
        Path.of(d.get(WORKDIR)),
        d.get(KEEP_WORKDIR),
        d.get(CANCEL_GRACE),
        (int) Math.max(1024, d.get(RunnerSettings.MAX_LINE_BYTES)),
        Math.max(1024, d.get(RunnerSettings.MAX_OUTPUT_BYTES)),
        d.get(RunnerSettings.MAX_INVALID_LINES).intValue(),
        d.get(MAX_STDERR_BYTES).intValue());
  }

  /** Splits a command line on whitespace, honouring double and single quotes. */
  static List<String> split(final String line) {
    final List<String> args = new ArrayList<>();
    final StringBuilder current = new StringBuilder();
    char quote = 0;
    boolean inArg = false;
    for (final char c : line.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          current.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inArg = true;
      } else if (Character.isWhitespace(c)) {
        if (inArg) {
          args.add(current.toString());
          current.setLength(0);
          inArg = false;
        }
      } else {
        current.append(c);
        inArg = true;
      }
    }
    if (inArg) {
      args.add(current.toString());
    }
    return args;
  }

  private static List<String> absolutize(final List<String> args) {
    return args.stream()
        .map(
            arg -> {
              final Path path = Path.of(arg);
              return !path.isAbsolute() && arg.contains("/") && Files.exists(path)
                  ? path.toAbsolutePath().normalize().toString()
                  : arg;
            })
        .toList();
  }

  /** The process environment: the allowlisted part of {@code workerEnv}, then fixed values. */
  Map<String, String> environment(final Map<String, String> workerEnv) {
    final Map<String, String> env = new LinkedHashMap<>();
    for (final String name : envAllowlist) {
      final String value = workerEnv.get(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    env.putAll(setenv);
    env.putAll(secrets);
    return env;
  }
}

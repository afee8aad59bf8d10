package dev.runledger.worker.runners;

import dev.runledger.schemas.config.Setting;
import java.util.List;

/**
 * The settings every external runner has, {@code proc} and {@code http} alike, under {@code
 * worker.runners.<kind>.<name>.}: the manifest keys of {@link RunnerDeclaration} and the output
 * limits. Read with {@link RunnerDeclaration#get(Setting)}.
 */
public final class RunnerSettings {
  static final String ANY = RunnerDeclaration.PREFIX + "<kind>.<name>.";

  public static final Setting<String> POOL =
      Setting.stringSetting(ANY + "pool", null, "pool of the manifest")
          .shownAs("worker.pool, else default");
  public static final Setting<String> LABEL =
      Setting.stringSetting(ANY + "label", null, "label of the manifest");
  public static final Setting<String> DESCRIPTION =
      Setting.stringSetting(ANY + "description", null, "description of the manifest");
  public static final Setting<String> VERSION =
      Setting.stringSetting(ANY + "version", "0", "version of the manifest");
  public static final Setting<List<String>> CAPABILITIES =
      Setting.listSetting(ANY + "capabilities", "", "capabilities of the manifest");
  public static final Setting<List<String>> PERMISSIONS =
      Setting.listSetting(ANY + "permissions", "", "permissions of the manifest, area:operation");
  public static final Setting<String> CONFIG_SCHEMA =
      Setting.stringSetting(ANY + "config_schema", "{}", "JSON schema of the runner config");
  public static final Setting<Long> MAX_LINE_BYTES =
      Setting.longSetting(ANY + "max_line_bytes", 2L << 20, "longest output line (at least 1024)")
          .atLeast(0);
  public static final Setting<Long> MAX_OUTPUT_BYTES =
      Setting.longSetting(ANY + "max_output_bytes", 64L << 20, "most output bytes per run")
          .atLeast(0);
  public static final Setting<Long> MAX_INVALID_LINES =
      Setting.longSetting(ANY + "max_invalid_lines", 1000, "invalid output lines tolerated per run")
          .atLeast(0);

  /** Every setting every external runner has. */
  public static final List<Setting<?>> ALL =
      List.of(
          POOL,
          LABEL,
          DESCRIPTION,
          VERSION,
          CAPABILITIES,
          PERMISSIONS,
          CONFIG_SCHEMA,
          MAX_LINE_BYTES,
          MAX_OUTPUT_BYTES,
          MAX_INVALID_LINES);

  private RunnerSettings() {}
}

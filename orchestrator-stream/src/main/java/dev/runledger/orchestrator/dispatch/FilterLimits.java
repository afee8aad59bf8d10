package dev.runledger.orchestrator.dispatch;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import dev.runledger.schemas.events.RegexFilter;
import java.util.List;

/**
 * Bounds on {@code regex} binding filters, read from {@link LedgerConfig}. Filters run on RE2/J,
 * whose matching time grows linearly with the input times the compiled pattern, never
 * exponentially; these bounds cap both factors.
 *
 * <ul>
 *   <li>{@value #MAX_PATTERN_CHARS} — the longest pattern, in chars; default {@value
 *       #DEFAULT_MAX_PATTERN_CHARS}. A longer one (or one that compiles to more than {@value
 *       RegexFilter#MAX_PROGRAM_SIZE} instructions, e.g. a large counted repetition) never matches
 *       and is logged once; the gateway refuses both with 400.
 *   <li>{@value #MAX_INPUT_CHARS} — how much of an event field a filter reads, in chars; default
 *       {@value #DEFAULT_MAX_INPUT_CHARS}. A longer field is cut to its first that many chars
 *       (never inside a surrogate pair) before matching, so {@code ^...} and contains-style filters
 *       work on long messages as on short ones, and {@code $} matches at the cut.
 * </ul>
 *
 * @param maxPatternChars the longest pattern a filter may have
 * @param maxInputChars how many chars of a field a filter reads
 */
public record FilterLimits(int maxPatternChars, int maxInputChars) {
  /** Longest regex filter pattern in chars. */
  public static final String MAX_PATTERN_CHARS = "orchestrator.filter.max.pattern.chars";

  /** Default longest pattern: 1 KiB, the longest the gateway accepts. */
  public static final int DEFAULT_MAX_PATTERN_CHARS = RegexFilter.DEFAULT_MAX_PATTERN_CHARS;

  /** How many chars of an event field a regex filter reads. */
  public static final String MAX_INPUT_CHARS = "orchestrator.filter.max.input.chars";

  /** Default input bound: 64 Ki chars. */
  public static final int DEFAULT_MAX_INPUT_CHARS = 65_536;

  /** {@value #MAX_PATTERN_CHARS}. */
  public static final Setting<Integer> PATTERN_CHARS =
      Setting.intSetting(
              MAX_PATTERN_CHARS,
              DEFAULT_MAX_PATTERN_CHARS,
              "longest regex filter the orchestrator compiles")
          .positive();

  /** {@value #MAX_INPUT_CHARS}. */
  public static final Setting<Integer> INPUT_CHARS =
      Setting.intSetting(
              MAX_INPUT_CHARS,
              DEFAULT_MAX_INPUT_CHARS,
              "how many chars of an event field a regex filter reads")
          .positive();

  /** Every filter setting. */
  public static final List<Setting<?>> ALL = List.of(PATTERN_CHARS, INPUT_CHARS);

  /** The defaults: 1 KiB patterns, 64 Ki chars of input. */
  public static FilterLimits defaults() {
    return new FilterLimits(DEFAULT_MAX_PATTERN_CHARS, DEFAULT_MAX_INPUT_CHARS);
  }

  /**
   * The limits in this configuration (each checked positive), defaults for what it does not set.
   */
  public static FilterLimits from(final LedgerConfig config) {
    return new FilterLimits(config.get(PATTERN_CHARS), config.get(INPUT_CHARS));
  }
}

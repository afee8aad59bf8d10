package dev.runledger.orchestrator.dispatch;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.LedgerConfig;

/**
 * Bounds on {@code regex} binding filters, read from {@link LedgerConfig}. Filters run on RE2/J,
 * whose matching time grows linearly with the input times the compiled pattern, never
 * exponentially; these bounds cap both factors.
 *
 * <ul>
 *   <li>{@value #MAX_PATTERN_CHARS} — the longest pattern, in chars; default {@value
 *       #DEFAULT_MAX_PATTERN_CHARS}. A longer one (or one that compiles to more than {@value
 *       #MAX_PROGRAM_SIZE} instructions, e.g. a large counted repetition) never matches and is
 *       logged once; the gateway refuses both with 400.
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

  /** Default longest pattern: 1 KiB. */
  public static final int DEFAULT_MAX_PATTERN_CHARS = 1024;

  /** How many chars of an event field a regex filter reads. */
  public static final String MAX_INPUT_CHARS = "orchestrator.filter.max.input.chars";

  /** Default input bound: 64 Ki chars. */
  public static final int DEFAULT_MAX_INPUT_CHARS = 65_536;

  /**
   * The largest compiled program (RE2/J instructions) of a filter; not a setting. Any pattern
   * within the default length fits unless a counted repetition ({@code {n}}) multiplies it.
   */
  public static final int MAX_PROGRAM_SIZE = 2000;

  public FilterLimits {
    requirePositive(MAX_PATTERN_CHARS, maxPatternChars);
    requirePositive(MAX_INPUT_CHARS, maxInputChars);
  }

  /** The defaults: 1 KiB patterns, 64 Ki chars of input. */
  public static FilterLimits defaults() {
    return new FilterLimits(DEFAULT_MAX_PATTERN_CHARS, DEFAULT_MAX_INPUT_CHARS);
  }

  /** The limits in this configuration, defaults for what it does not set. */
  public static FilterLimits from(final LedgerConfig config) {
    return new FilterLimits(
        config.getInt(MAX_PATTERN_CHARS, DEFAULT_MAX_PATTERN_CHARS),
        config.getInt(MAX_INPUT_CHARS, DEFAULT_MAX_INPUT_CHARS));
  }

  private static void requirePositive(final String key, final int value) {
    if (value <= 0) {
      throw new ConfigException(key, key + " must be positive, got " + value);
    }
  }
}

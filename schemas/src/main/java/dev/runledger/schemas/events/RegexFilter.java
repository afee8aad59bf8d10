package dev.runledger.schemas.events;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A binding's {@code regex} filter compiled the one way the gateway (which refuses it) and the
 * orchestrator (which matches with it) both compile it: with RE2/J, which never backtracks, within
 * a pattern length and a compiled size. RE2/J refuses what needs backtracking (backreferences,
 * lookaround, possessive quantifiers); the size bound stops a short counted repetition such as
 * {@code (.*a){1000}} from making each match slow.
 */
public final class RegexFilter {
  /** Default longest pattern, in chars. */
  public static final int DEFAULT_MAX_PATTERN_CHARS = 1024;

  /** The largest compiled program (RE2/J instructions) a filter may have. */
  public static final int MAX_PROGRAM_SIZE = 2000;

  private RegexFilter() {}

  /**
   * The outcome of compiling a filter: the pattern, or why it is refused.
   *
   * @param pattern the compiled pattern; null when refused
   * @param refusal what is wrong, worded to follow "the filter" (e.g. "is not a valid regular
   *     expression ..."); null when compiled
   */
  public record Compiled(Pattern pattern, String refusal) {}

  /** Compiles {@code regex}, refusing it when longer than {@code maxPatternChars}. */
  public static Compiled compile(final String regex, final int maxPatternChars) {
    if (regex.length() > maxPatternChars) {
      return refused(
          "is a regular expression of "
              + regex.length()
              + " chars, more than the limit of "
              + maxPatternChars);
    }
    final Pattern pattern;
    try {
      pattern = Pattern.compile(regex);
    } catch (final PatternSyntaxException e) {
      return refused(
          "is not a valid regular expression (RE2 syntax: no backreferences, lookaround or"
              + " possessive quantifiers): "
              + e.getDescription());
    }
    if (pattern.programSize() > MAX_PROGRAM_SIZE) {
      return refused(
          "is a regular expression too complex to match quickly: it compiles to "
              + pattern.programSize()
              + " instructions, more than the limit of "
              + MAX_PROGRAM_SIZE
              + " (use a smaller repetition count)");
    }
    return new Compiled(pattern, null);
  }

  private static Compiled refused(final String refusal) {
    return new Compiled(null, refusal);
  }
}

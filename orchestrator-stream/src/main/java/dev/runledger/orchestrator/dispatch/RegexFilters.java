package dev.runledger.orchestrator.dispatch;

import com.google.re2j.Pattern;
import dev.runledger.schemas.events.RegexFilter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code regex} binding filters: RE2/J patterns, found anywhere in the field (as {@code
 * Matcher.find}), within {@link FilterLimits}. RE2/J never backtracks, so no pattern can stall the
 * stream thread; it refuses what needs backtracking (backreferences, lookaround, possessive
 * quantifiers) and, unlike {@code java.util.regex}, its {@code $} matches only at the very end of
 * the text (not before a final line break) and its {@code .} excludes only {@code \n}. A pattern
 * that does not compile or is over the limits never matches and is logged once. Compiled patterns
 * are cached (LRU), so an instance belongs to one stream task.
 */
final class RegexFilters {
  private static final Logger LOG = LoggerFactory.getLogger(RegexFilters.class);
  private static final int PATTERN_CACHE_SIZE = 1024;

  private final FilterLimits limits;
  private final Map<String, Optional<Pattern>> patterns =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Optional<Pattern>> eldest) {
          return size() > PATTERN_CACHE_SIZE;
        }
      };

  RegexFilters(final FilterLimits limits) {
    this.limits = limits;
  }

  /** Whether {@code regex} (of {@code bindingId}, for the log) is found in {@code value}. */
  boolean finds(final String bindingId, final String regex, final String value) {
    return pattern(bindingId, regex).map(p -> p.matcher(bounded(value)).find()).orElse(false);
  }

  /** The first {@code maxInputChars} of {@code value}, not splitting a surrogate pair. */
  private CharSequence bounded(final String value) {
    int end = limits.maxInputChars();
    if (value.length() <= end) {
      return value;
    }
    if (Character.isHighSurrogate(value.charAt(end - 1))) {
      end--;
    }
    return value.subSequence(0, end);
  }

  private Optional<Pattern> pattern(final String bindingId, final String regex) {
    final Optional<Pattern> cached = patterns.get(regex);
    if (cached != null) {
      return cached;
    }
    final Optional<Pattern> compiled = compile(bindingId, regex);
    patterns.put(regex, compiled);
    return compiled;
  }

  private Optional<Pattern> compile(final String bindingId, final String regex) {
    final RegexFilter.Compiled compiled = RegexFilter.compile(regex, limits.maxPatternChars());
    if (compiled.refusal() != null) {
      LOG.warn(
          "binding {} has a regex filter that {}; it never matches", bindingId, compiled.refusal());
      return Optional.empty();
    }
    return Optional.of(compiled.pattern());
  }
}

package dev.runledger.schemas.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * One setting: its key, how its text is read, its default, what it means and which values are
 * allowed. Every {@code *Settings} class defines its settings with these and reads them with {@link
 * LedgerConfig#get(Setting)}; the known keys {@link LedgerConfig#unknownKeyWarnings warned about}
 * and the defaults the README lists come from the same definitions, so each default is stated once.
 *
 * <p>A key may hold {@code <name>} placeholders, each standing for one dotted segment (e.g. {@code
 * worker.runners.proc.<name>.command}); such a setting is read through {@link #at(String)} with the
 * concrete key.
 *
 * @param <T> the value's type
 */
public final class Setting<T> {
  private final String key;
  private final Function<String, T> parse;
  private final ToLongFunction<T> magnitude;
  private final String defaultText;
  private final Function<LedgerConfig, String> computedDefault;
  private final String shownDefault;
  private final String doc;
  private final long min;
  private final long max;
  private final List<String> aliases;

  private Setting(
      final String key,
      final Function<String, T> parse,
      final ToLongFunction<T> magnitude,
      final String defaultText,
      final Function<LedgerConfig, String> computedDefault,
      final String shownDefault,
      final String doc,
      final long min,
      final long max,
      final List<String> aliases) {
    this.key = key;
    this.parse = parse;
    this.magnitude = magnitude;
    this.defaultText = defaultText;
    this.computedDefault = computedDefault;
    this.shownDefault = shownDefault;
    this.doc = doc;
    this.min = min;
    this.max = max;
    this.aliases = List.copyOf(aliases);
  }

  private static <T> Setting<T> of(
      final String key,
      final Function<String, T> parse,
      final ToLongFunction<T> magnitude,
      final String defaultText,
      final String doc) {
    return new Setting<>(
        key,
        parse,
        magnitude,
        defaultText,
        null,
        null,
        doc,
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        List.of());
  }

  private static <T> Setting<T> number(
      final String key,
      final LongFunction<T> of,
      final ToLongFunction<T> magnitude,
      final long defaultValue,
      final String doc) {
    return of(
        key,
        text -> of.apply(Long.parseLong(text.strip())),
        magnitude,
        Long.toString(defaultValue),
        doc);
  }

  /** A whole number that fits an {@code int}. */
  public static Setting<Integer> intSetting(
      final String key, final int defaultValue, final String doc) {
    return number(key, Math::toIntExact, Integer::longValue, defaultValue, doc);
  }

  /** A whole number. */
  public static Setting<Long> longSetting(
      final String key, final long defaultValue, final String doc) {
    return number(key, n -> n, Long::longValue, defaultValue, doc);
  }

  /** A duration written in milliseconds (the key ends in {@code .ms} or {@code _ms}). */
  public static Setting<Duration> millisSetting(
      final String key, final long defaultMillis, final String doc) {
    return number(key, Duration::ofMillis, Duration::toMillis, defaultMillis, doc);
  }

  /** {@code true} or {@code false} (anything but {@code true} reads as false). */
  public static Setting<Boolean> boolSetting(
      final String key, final boolean defaultValue, final String doc) {
    return of(
        key, text -> Boolean.parseBoolean(text.strip()), null, Boolean.toString(defaultValue), doc);
  }

  /** Text, unchanged; {@code defaultValue} null means no default (the setting is then required). */
  public static Setting<String> stringSetting(
      final String key, final String defaultValue, final String doc) {
    return of(key, text -> text, null, defaultValue, doc);
  }

  /** A comma-separated list (a YAML list is flattened into one). */
  public static Setting<List<String>> listSetting(
      final String key, final String defaultValue, final String doc) {
    return of(
        key,
        text ->
            Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList(),
        null,
        defaultValue,
        doc);
  }

  private Setting<T> copy(
      final Function<LedgerConfig, String> newComputed,
      final String newShown,
      final long newMin,
      final long newMax,
      final List<String> newAliases,
      final String newKey) {
    return new Setting<>(
        newKey,
        parse,
        magnitude,
        defaultText,
        newComputed,
        newShown,
        doc,
        newMin,
        newMax,
        newAliases);
  }

  /**
   * This setting with a default computed from the rest of the configuration, shown as {@code shown}
   * (e.g. {@code <topic.prefix>orchestrator}).
   */
  public Setting<T> defaultFrom(final String shown, final Function<LedgerConfig, String> compute) {
    return copy(compute, shown, min, max, aliases, key);
  }

  /** This setting with its default shown as {@code shown}, e.g. {@code unset}. */
  public Setting<T> shownAs(final String shown) {
    return copy(computedDefault, shown, min, max, aliases, key);
  }

  /** This setting, which must be at least {@code least}. */
  public Setting<T> atLeast(final long least) {
    return between(least, max);
  }

  /** This setting, which must be greater than zero. */
  public Setting<T> positive() {
    return atLeast(1);
  }

  /** This setting, which must lie in {@code [least, most]}. */
  public Setting<T> between(final long least, final long most) {
    if (magnitude == null) {
      throw new IllegalStateException(key + " is not a number");
    }
    return copy(computedDefault, shownDefault, least, most, aliases, key);
  }

  /** This setting, also read from {@code oldKey} (with a warning) when its own key is not set. */
  public Setting<T> deprecatedAlias(final String oldKey) {
    final List<String> more = new java.util.ArrayList<>(aliases);
    more.add(oldKey);
    return copy(computedDefault, shownDefault, min, max, more, key);
  }

  /** This definition under a concrete key, for a key with {@code <name>} placeholders. */
  public Setting<T> at(final String concreteKey) {
    return copy(computedDefault, shownDefault, min, max, aliases, concreteKey);
  }

  public String key() {
    return key;
  }

  public String doc() {
    return doc;
  }

  /** Older keys read when {@link #key()} is not set. */
  public List<String> aliases() {
    return aliases;
  }

  /** The default as the README shows it, or null when there is none. */
  public String shownDefault() {
    return shownDefault != null ? shownDefault : defaultText;
  }

  /** The default text in {@code config}, or null when there is none. */
  String defaultText(final LedgerConfig config) {
    return computedDefault != null ? computedDefault.apply(config) : defaultText;
  }

  /** The default parsed, when it does not depend on other settings; else null. */
  public T fixedDefaultValue() {
    return computedDefault == null && defaultText != null ? parse(key, defaultText) : null;
  }

  /** The default when it does not depend on other settings. */
  java.util.Optional<String> fixedDefault() {
    return computedDefault == null
        ? java.util.Optional.ofNullable(defaultText)
        : java.util.Optional.empty();
  }

  /** Parses and checks {@code text}, read from {@code from}. */
  T parse(final String from, final String text) {
    final T value;
    try {
      value = parse.apply(text);
    } catch (final IllegalArgumentException | ArithmeticException e) {
      throw new ConfigException(
          from,
          "setting '"
              + from
              + "' must be "
              + (magnitude != null ? "a number" : "valid")
              + ", got '"
              + text
              + "'");
    }
    if (magnitude != null) {
      final long n = magnitude.applyAsLong(value);
      if (n < min || n > max) {
        throw new ConfigException(from, "setting '" + from + "' must be " + range() + ", got " + n);
      }
    }
    return value;
  }

  private String range() {
    if (max == Long.MAX_VALUE) {
      return min == 1 ? "> 0" : ">= " + min;
    }
    return String.format(Locale.ROOT, "between %d and %d", min, max);
  }

  @Override
  public String toString() {
    return key;
  }
}

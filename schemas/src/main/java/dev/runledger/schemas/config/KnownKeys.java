package dev.runledger.schemas.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys the setting definitions know, and what to say about a configured key they do not: a key
 * under a known prefix (its first segment, e.g. {@code worker.}) that no definition has is most
 * likely a typo, so it is named with the nearest known key. Keys under {@code kafka.} and {@code
 * streams.} are passed to Kafka and never checked.
 */
final class KnownKeys {
  private final List<Setting<?>> settings;
  private final Set<String> prefixes = new TreeSet<>();

  KnownKeys(final Collection<? extends Setting<?>> settings) {
    this.settings = List.copyOf(settings);
    for (final Setting<?> setting : this.settings) {
      prefixes.add(firstSegment(setting.key()));
      setting.aliases().forEach(alias -> prefixes.add(firstSegment(alias)));
    }
  }

  /** One line for every configured key that is unknown or a deprecated alias, in key order. */
  List<String> warnings(final Map<String, String> values) {
    final List<String> warnings = new ArrayList<>();
    for (final String key : new TreeSet<>(values.keySet())) {
      if (key.startsWith(LedgerConfig.KAFKA_PREFIX)
          || key.startsWith(LedgerConfig.STREAMS_PREFIX)
          || !prefixes.contains(firstSegment(key))) {
        continue;
      }
      final Setting<?> aliased = aliasedBy(key);
      if (aliased != null) {
        warnings.add("setting '" + key + "' is deprecated; use '" + aliased.key() + "' instead");
      } else if (settings.stream().noneMatch(s -> matches(s.key(), key))) {
        warnings.add(
            "unknown setting '" + key + "' is ignored; did you mean '" + nearest(key) + "'?");
      }
    }
    return warnings;
  }

  private Setting<?> aliasedBy(final String key) {
    return settings.stream().filter(s -> s.aliases().contains(key)).findFirst().orElse(null);
  }

  /** The known key closest to {@code key} by edit distance, placeholders filled from it. */
  String nearest(final String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (final Setting<?> setting : settings) {
      final String candidate = filled(setting.key(), key);
      final int distance = distance(candidate, key);
      if (distance < bestDistance || distance == bestDistance && candidate.compareTo(best) < 0) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** Whether {@code key} is {@code template}, each {@code <name>} segment matching any segment. */
  static boolean matches(final String template, final String key) {
    final String[] want = template.split("\\.", -1);
    final String[] got = key.split("\\.", -1);
    if (want.length != got.length) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      if (!isPlaceholder(want[i]) && !want[i].equals(got[i])) {
        return false;
      }
    }
    return true;
  }

  private static String filled(final String template, final String key) {
    final String[] want = template.split("\\.", -1);
    final String[] got = key.split("\\.", -1);
    for (int i = 0; i < want.length && i < got.length; i++) {
      if (isPlaceholder(want[i])) {
        want[i] = got[i];
      }
    }
    return String.join(".", want);
  }

  private static boolean isPlaceholder(final String segment) {
    return segment.startsWith("<") && segment.endsWith(">");
  }

  private static String firstSegment(final String key) {
    final int dot = key.indexOf('.');
    return dot < 0 ? key : key.substring(0, dot);
  }

  /** Levenshtein distance. */
  static int distance(final String a, final String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        final int substitution = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + substitution);
      }
      final int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}

package dev.runledger.worker.runners;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Replaces secret values with {@value #MASK} in anything an external runner writes before it is
 * logged or stored. Secrets are the configured {@code secret.*} values and every passed-through
 * environment variable whose name looks like a credential ({@code *TOKEN*}, {@code *SECRET*},
 * {@code *PASSWORD*}, {@code *KEY*}, {@code *CREDENTIAL*}). Values shorter than 4 characters are
 * not masked (they would mask ordinary text).
 */
final class Redactor {
  /** What a secret is replaced with. */
  public static final String MASK = "[REDACTED]";

  private static final Pattern SECRET_NAME =
      Pattern.compile(".*(TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL).*");
  private static final int MIN_LENGTH = 4;

  private final List<String> secrets;

  public Redactor(final Collection<String> secrets) {
    this.secrets =
        secrets.stream()
            .filter(s -> s != null && s.length() >= MIN_LENGTH)
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
  }

  /** The secrets among an environment: values of credential-like names. */
  public static List<String> secretValues(final Map<String, String> env) {
    return env.entrySet().stream()
        .filter(e -> SECRET_NAME.matcher(e.getKey().toUpperCase(Locale.ROOT)).matches())
        .map(Map.Entry::getValue)
        .toList();
  }

  /** The text with every secret masked. */
  public String redact(final String text) {
    if (text == null) {
      return null;
    }
    String result = text;
    for (final String secret : secrets) {
      result = result.replace(secret, MASK);
    }
    return result;
  }
}

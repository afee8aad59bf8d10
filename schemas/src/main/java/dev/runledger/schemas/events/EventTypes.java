package dev.runledger.schemas.events;

import java.util.regex.Pattern;

/**
 * The one rule for host event types (ARCHITECTURE.md §10): {@code word.word[.word]}, words of
 * lowercase letters, digits and {@code _}, e.g. {@code message.received}. Bindings may also name a
 * prefix pattern {@code word.*} or {@code word.word.*}. The gateway and the orchestrator both check
 * it.
 */
public final class EventTypes {
  /** An event type. */
  public static final Pattern TYPE = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+){1,2}");

  /** An event type or a binding's prefix pattern. */
  public static final Pattern TYPE_OR_PATTERN =
      Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+){1,2}|[a-z0-9_]+(\\.[a-z0-9_]+)?\\.\\*");

  private EventTypes() {}

  /** True when {@code type} is a valid event type. */
  public static boolean isValid(final String type) {
    return type != null && TYPE.matcher(type).matches();
  }

  /** True when {@code pattern} is a valid event type or prefix pattern for a binding. */
  public static boolean isValidPattern(final String pattern) {
    return pattern != null && TYPE_OR_PATTERN.matcher(pattern).matches();
  }
}

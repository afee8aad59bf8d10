package dev.runledger.deploy.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A duration option such as {@code --older-than 7d}: a whole number (at most nine digits, no sign)
 * and a unit, {@code s}, {@code m}, {@code h} or {@code d}; anything else is a usage error that
 * says which forms are accepted. {@code 0s} is allowed ({@code cleanup --older-than 0s}: every
 * finished run).
 */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern FORM = Pattern.compile("([0-9]{1,9})([smhd])");

  @Override
  public Duration convert(final String text) {
    final Matcher form = FORM.matcher(text.strip());
    if (!form.matches()) {
      throw new TypeConversionException(
          "'"
              + text
              + "' is not a duration: give a whole number and a unit s, m, h or d"
              + " (e.g. 30s, 15m, 12h, 7d)");
    }
    final long amount = Long.parseLong(form.group(1));
    return switch (form.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  /** {@code duration} in the form this converter reads, in its largest whole unit (e.g. 7d). */
  static String text(final Duration duration) {
    final long seconds = duration.toSeconds();
    if (seconds % 86_400 == 0) {
      return seconds / 86_400 + "d";
    }
    if (seconds % 3_600 == 0) {
      return seconds / 3_600 + "h";
    }
    return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
  }
}

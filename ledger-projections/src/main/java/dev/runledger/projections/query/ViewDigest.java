package dev.runledger.projections.query;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * An order-independent digest of a view: the number of entries and the sum (mod 2^64) of the first
 * 8 bytes of SHA-256 over each entry's key and canonical JSON value. Digests of disjoint parts (the
 * partitions of several instances) add up to the digest of the whole.
 *
 * @param count entries
 * @param sum the hash sum
 */
public record ViewDigest(long count, long sum) {
  /** No entries. */
  public static final ViewDigest EMPTY = new ViewDigest(0, 0);

  /** This digest with one more entry. */
  public ViewDigest plus(final String key, final String value) {
    return new ViewDigest(count + 1, sum + hash(key + '\u0000' + value));
  }

  /** The digest of both parts. */
  public ViewDigest plus(final ViewDigest other) {
    return new ViewDigest(count + other.count, sum + other.sum);
  }

  /** e.g. {@code 12:00ab...}. */
  public String text() {
    return count + ":" + String.format(Locale.ROOT, "%016x", sum);
  }

  /** Parses {@link #text()}. */
  public static ViewDigest parse(final String text) {
    final int colon = text.indexOf(':');
    return new ViewDigest(
        Long.parseLong(text.substring(0, colon)),
        Long.parseUnsignedLong(text.substring(colon + 1), 16));
  }

  private static long hash(final String text) {
    try {
      final byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest, 0, 8).getLong();
    } catch (final NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}

package dev.runledger.schemas.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque cursors of the read APIs: base64url of {@code seq:<n>} (the last {@code seq} a page of
 * events or transcript items returned), of {@code run:<position>} (the index position of the last
 * run of a page of runs) or of {@code key:<key>} (the last key of a page of state entries or
 * bindings). Each is a position, not an offset, so it stays valid while items are added. Clients
 * pass them back unchanged; anything else is a 400 {@code invalid_argument} naming the parameter.
 */
public final class Cursors {
  private static final String SEQ = "seq:";
  private static final String RUN = "run:";
  private static final String KEY = "key:";

  private Cursors() {}

  /** The cursor of a {@code seq}. */
  public static String encode(final long seq) {
    return encode(SEQ, Long.toString(seq));
  }

  /** The {@code seq} a cursor stands for; 0 (from the start) when it is null or empty. */
  public static long decode(final String cursor, final String field) {
    if (cursor == null || cursor.isEmpty()) {
      return 0;
    }
    try {
      final long seq = Long.parseLong(decode(SEQ, cursor, field));
      if (seq >= 0) {
        return seq;
      }
    } catch (final NumberFormatException e) {
      // not a number: reported below like any other foreign cursor
    }
    throw foreign(cursor, field);
  }

  /** The cursor of a run's position in the run lists. */
  public static String encodeRun(final String position) {
    return encode(RUN, position);
  }

  /** The run position a {@code cursor} parameter stands for. */
  public static String decodeRun(final String cursor) {
    return decode(RUN, cursor, "cursor");
  }

  /** The cursor of the last key of a page listed by key. */
  public static String encodeKey(final String key) {
    return encode(KEY, key);
  }

  /** The key a {@code cursor} parameter stands for; null (from the start) when null or empty. */
  public static String decodeKey(final String cursor) {
    return cursor == null || cursor.isEmpty() ? null : decode(KEY, cursor, "cursor");
  }

  private static String encode(final String prefix, final String text) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((prefix + text).getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(final String prefix, final String cursor, final String field) {
    try {
      final String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (text.startsWith(prefix)) {
        return text.substring(prefix.length());
      }
    } catch (final IllegalArgumentException e) {
      // not base64: reported below like any other foreign cursor
    }
    throw foreign(cursor, field);
  }

  private static ApiException foreign(final String cursor, final String field) {
    return ApiException.invalid(
        field, "'" + cursor + "' is not a cursor this API returned; pass next_cursor unchanged");
  }
}

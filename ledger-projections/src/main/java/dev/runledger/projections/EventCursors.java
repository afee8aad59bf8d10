package dev.runledger.projections;

import dev.runledger.schemas.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque cursors of the run-events API: base64url of the last {@code seq} a page returned. Clients
 * pass them back unchanged; anything else is a 400 naming the parameter.
 */
public final class EventCursors {
  private static final String PREFIX = "seq:";

  private EventCursors() {}

  public static String encode(final long seq) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((PREFIX + seq).getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code seq} a cursor stands for; 0 (from the start) when it is null or empty. */
  public static long decode(final String cursor, final String field) {
    if (cursor == null || cursor.isEmpty()) {
      return 0;
    }
    try {
      final String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (text.startsWith(PREFIX)) {
        final long seq = Long.parseLong(text.substring(PREFIX.length()));
        if (seq >= 0) {
          return seq;
        }
      }
    } catch (final IllegalArgumentException e) {
      // not base64 or not a number: reported below like any other foreign cursor
    }
    throw ApiException.invalid(
        field, "'" + cursor + "' is not a cursor this API returned; pass next_cursor unchanged");
  }
}

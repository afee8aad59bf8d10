package dev.runledger.gateway;

import dev.runledger.schemas.http.ApiException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads request bodies with a size limit the gateway enforces itself: a body whose declared length
 * is over the limit is refused unread, any other body is read up to one byte past the limit.
 */
final class RequestBodies {
  private RequestBodies() {}

  /** The body, or a 413 when it is longer than {@code limit} bytes (setting {@code setting}). */
  static byte[] read(final Context ctx, final long limit, final String setting) {
    final long declared = ctx.req().getContentLengthLong();
    if (declared > limit) {
      throw tooLarge(declared + " bytes", limit, setting);
    }
    final byte[] body;
    try (InputStream in = ctx.req().getInputStream()) {
      body = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8L));
    } catch (final IOException e) {
      throw ApiException.invalid(
          JsonBodies.BODY, "request body could not be read completely: " + e.getMessage());
    }
    if (body.length > limit) {
      throw tooLarge("more than " + limit + " bytes", limit, setting);
    }
    return body;
  }

  private static RuntimeException tooLarge(
      final String size, final long limit, final String setting) {
    return JsonBodies.tooLarge(
        JsonBodies.BODY,
        "request body is "
            + size
            + ", more than the limit of "
            + limit
            + " bytes ("
            + setting
            + ")");
  }
}

package dev.runledger.schemas.http;

import java.net.http.HttpRequest;

/**
 * {@code Authorization: Bearer <token>}: how every client of the HTTP API (the CLI, and the
 * services calling each other with {@code auth.internal.token}) presents its token, and the scheme
 * the server reads.
 */
public final class BearerToken {
  /** The header. */
  public static final String HEADER = "Authorization";

  /** The scheme, with its separating space. */
  public static final String SCHEME = "Bearer ";

  private BearerToken() {}

  /** {@code request} with the header carrying {@code token}; unchanged when it is null or blank. */
  public static HttpRequest.Builder authorize(
      final HttpRequest.Builder request, final String token) {
    return token == null || token.isBlank() ? request : request.header(HEADER, SCHEME + token);
  }
}

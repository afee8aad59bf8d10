package dev.runledger.gateway;

import dev.runledger.schemas.http.ApiException;
import io.javalin.http.Context;
import java.util.List;

/** Query parameters a route does not know are refused, so a mistyped filter is never ignored. */
final class QueryParams {
  private QueryParams() {}

  /** A 400 naming the first query parameter of the request that is not one of {@code known}. */
  static void only(final Context ctx, final String... known) {
    final List<String> allowed = List.of(known);
    for (final String name : ctx.queryParamMap().keySet()) {
      if (!allowed.contains(name)) {
        throw ApiException.invalid(
            name,
            "query parameter '"
                + name
                + "' is not known here ("
                + (allowed.isEmpty() ? "this route takes none" : "known: " + allowed)
                + ")");
      }
    }
  }
}

// The console's HTTP client: the bearer token (kept in sessionStorage only, never in
// localStorage or a cookie), JSON requests with the API's {"error": {code, message, field}}
// turned into an ApiError, and a server-sent-events reader that sends the token too.

const TOKEN_KEY = "runledger.token";

/** The signed-in token, or null. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps the token for this browser tab's session; null forgets it. */
export function setToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

/** An API error: the HTTP status and the body's stable code, message and field. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || null;
  }
}

function headers(extra) {
  const h = { Accept: "application/json", ...extra };
  const t = token();
  if (t) {
    h.Authorization = "Bearer " + t;
  }
  return h;
}

/** One request; resolves to the JSON body (null for 204), rejects with an ApiError. */
export async function request(method, path, body) {
  const init = { method, headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, "unreachable", "cannot reach the server: " + e.message);
  }
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!response.ok) {
    const error = (json && json.error) || {};
    throw new ApiError(
      response.status,
      error.code || "http_" + response.status,
      error.message || text || response.statusText,
      error.field);
  }
  return json;
}

export const get = (path) => request("GET", path);
export const put = (path, body) => request("PUT", path, body);
export const post = (path, body) => request("POST", path, body === undefined ? {} : body);

/** A path segment or query value, percent-encoded. */
export const seg = (value) => encodeURIComponent(value);

/** A query string of the non-empty values, with its "?" (or ""). */
export function query(params) {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => seg(k) + "=" + seg(v));
  return parts.length ? "?" + parts.join("&") : "";
}

/**
 * Follows a server-sent-events stream with the token in the Authorization header (EventSource
 * cannot send one, and the server takes no token in the URL). Reconnects after a dropped
 * connection with Last-Event-ID set to the last id seen, as EventSource would.
 *
 * @param path the stream's path
 * @param options lastEventId (resume after it), onEvent(data, id), onState(state, detail) with
 *     state "open" | "reconnecting" | "ended" | "error", and finished() telling whether a stream
 *     the server closed is done (else it is resumed)
 * @returns {{close: function(): void}}
 */
export function follow(path, options) {
  let lastEventId = options.lastEventId == null ? null : String(options.lastEventId);
  let closed = false;
  let controller = null;
  const state = options.onState || (() => {});

  async function once() {
    controller = new AbortController();
    const extra = { Accept: "text/event-stream" };
    if (lastEventId != null) {
      extra["Last-Event-ID"] = lastEventId;
    }
    const response = await fetch(path, { headers: headers(extra), signal: controller.signal });
    if (!response.ok) {
      let error = {};
      try {
        error = (await response.json()).error || {};
      } catch (e) {
        error = {};
      }
      throw new ApiError(response.status, error.code || "http_" + response.status, error.message || response.statusText);
    }
    state("open");
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let id = null;
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, "");
        buffer = buffer.slice(newline + 1);
        if (line === "") {
          if (data.length) {
            if (id != null) {
              lastEventId = id;
            }
            options.onEvent(JSON.parse(data.join("\n")), id);
          }
          id = null;
          data = [];
        } else if (line.startsWith(":")) {
          // a comment: the stream is alive
        } else {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "id") {
            id = val;
          } else if (field === "data") {
            data.push(val);
          }
        }
      }
    }
  }

  (async () => {
    let delay = 500;
    while (!closed) {
      try {
        await once();
        if (closed) {
          return;
        }
        if (await options.finished()) {
          state("ended");
          return;
        }
        delay = 500;
      } catch (e) {
        if (closed) {
          return;
        }
        if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
          state("error", e);
          return;
        }
        delay = Math.min(delay * 2, 5000);
      }
      state("reconnecting", lastEventId);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  })();

  return {
    close() {
      closed = true;
      if (controller) {
        controller.abort();
      }
    },
  };
}

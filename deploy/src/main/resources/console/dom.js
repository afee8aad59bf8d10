// DOM helpers of the console: elements built from text (never from HTML strings), times,
// status badges and error boxes.

/** An element with attributes (false/null ones left out) and children (strings become text). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === "checked" || k === "disabled" || k === "hidden" || k === "value") {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === "") continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** Epoch milliseconds (or ISO text) as a local date and time, "" for none. */
export function time(value) {
  if (value === null || value === undefined || value === "") return "";
  const d = new Date(value);
  return isNaN(d) ? String(value) : d.toLocaleString();
}

/** How long ago, e.g. "12 s ago". */
export function ago(value) {
  if (!value && value !== 0) return "";
  const s = Math.round((Date.now() - value) / 1000);
  if (isNaN(s)) return "";
  if (s < 60) return Math.max(s, 0) + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return time(value);
}

/** From start to end (or now), e.g. "1.2 s". */
export function duration(start, end) {
  if (!start) return "";
  const ms = (end || Date.now()) - start;
  if (ms < 1000) return ms + " ms";
  if (ms < 60000) return (ms / 1000).toFixed(1) + " s";
  return Math.round(ms / 60000) + " min";
}

export function statusBadge(status, id) {
  return h("span", { class: "badge status-" + status, id: id || null, "data-status": status }, status);
}

/** An error as a box: its code and message. */
export function errorBox(e) {
  const code = e && e.code ? e.code : "error";
  const status = e && e.status ? "HTTP " + e.status + " " : "";
  return h("div", { class: "error" }, h("strong", {}, status + code), ": " + (e && e.message ? e.message : String(e)));
}

export function json(value) {
  return h("pre", { class: "mono" }, JSON.stringify(value, null, 2));
}

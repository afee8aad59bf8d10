// The runledger web console: hash routes over the HTTP API, no build step, no dependencies.
import { ApiError, get, put, post, seg, query, follow, token, setToken } from "/console/api.js";
import { h, clear, time, ago, duration, statusBadge, errorBox, json } from "/console/dom.js";

const WORKSPACE_KEY = "runledger.workspace";
const RECENT_KEY = "runledger.workspaces";
const TERMINAL = ["completed", "failed", "cancelled", "timeout"];
const STATUSES = ["created", "queued", "running", ...TERMINAL];
const PAGE = 50;
const POLL_MS = 2000;

const main = document.getElementById("main");
const wsSelect = document.getElementById("workspace-select");
const wsInput = document.getElementById("workspace-input");

/** The signed-in caller: {name, role, workspaces, authentication}. */
let me = null;

/** Stops the current page's timers and streams when the route changes. */
let cleanups = [];

function onLeave(fn) {
  cleanups.push(fn);
}

// ---------------------------------------------------------------- workspaces

/** Whether the caller covers every workspace (then it types the one to look at). */
function allWorkspaces() {
  return me.workspaces.includes("*");
}

function recent() {
  try {
    return JSON.parse(sessionStorage.getItem(RECENT_KEY) || "[]");
  } catch (e) {
    return [];
  }
}

/** The workspace the pages show. */
function workspace() {
  if (allWorkspaces()) {
    return wsInput.value.trim();
  }
  return wsSelect.value;
}

function rememberWorkspace(ws) {
  if (!ws) {
    return;
  }
  sessionStorage.setItem(WORKSPACE_KEY, ws);
  const list = [ws, ...recent().filter((w) => w !== ws)].slice(0, 10);
  sessionStorage.setItem(RECENT_KEY, JSON.stringify(list));
  const datalist = document.getElementById("workspace-list");
  clear(datalist);
  list.forEach((w) => datalist.append(h("option", { value: w })));
}

function setupWorkspaces() {
  const saved = sessionStorage.getItem(WORKSPACE_KEY);
  if (allWorkspaces()) {
    wsSelect.hidden = true;
    wsInput.hidden = false;
    wsInput.value = saved || recent()[0] || "";
    wsInput.placeholder = "workspace id";
    rememberWorkspace(wsInput.value);
  } else {
    wsInput.hidden = true;
    wsSelect.hidden = false;
    clear(wsSelect);
    me.workspaces.forEach((w) => wsSelect.append(h("option", { value: w }, w)));
    if (saved && me.workspaces.includes(saved)) {
      wsSelect.value = saved;
    }
  }
}

function workspaceChanged() {
  rememberWorkspace(workspace());
  // a page of one workspace's object goes back to its list
  const top = (location.hash.replace(/^#/, "") || "/").split(/[/?]/)[1] || "";
  const next = "#/" + (["bindings", "events", "runners", "workers"].includes(top) ? top : "");
  if ((location.hash || "#/") === next) {
    render();
  } else {
    location.hash = next;
  }
}

wsSelect.addEventListener("change", workspaceChanged);
wsInput.addEventListener("change", workspaceChanged);

/** A notice asking for a workspace when none is chosen, else null. */
function needWorkspace() {
  if (workspace()) {
    return null;
  }
  return h("div", { class: "notice" },
    "This token covers every workspace: type the workspace to look at in the box at the top right.");
}

// ---------------------------------------------------------------- sign-in

async function whoami() {
  return get("/v1/whoami");
}

function showSignIn(message) {
  document.getElementById("nav").hidden = true;
  document.getElementById("workspace-label").hidden = true;
  document.getElementById("signout").hidden = true;
  wsSelect.hidden = true;
  wsInput.hidden = true;
  document.getElementById("who").textContent = "";
  clear(main);
  const input = h("input", { id: "token", type: "password", autocomplete: "off", placeholder: "rl_…", size: 40 });
  const error = h("div", { id: "signin-error" });
  const form = h("form", { class: "card signin", id: "signin-form" },
    h("h1", {}, "Sign in"),
    h("p", { class: "muted" },
      "Paste an API token (", h("code", {}, "deploy/ledger tokens create"),
      " makes one). It is kept in this browser tab's session only."),
    h("label", {}, "token", input),
    error,
    h("div", { class: "row" }, h("button", { id: "signin", type: "submit" }, "Sign in")));
  if (message) {
    error.append(errorBox(message));
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    try {
      me = await whoami();
      signedIn();
    } catch (err) {
      setToken(null);
      clear(error);
      error.append(errorBox(err));
    }
  });
  main.append(form);
  input.focus();
}

function signedIn() {
  document.getElementById("nav").hidden = false;
  document.getElementById("workspace-label").hidden = false;
  const who = document.getElementById("who");
  const out = document.getElementById("signout");
  if (me.authentication) {
    who.textContent = me.name + " (" + me.role + ")";
    out.hidden = false;
  } else {
    who.textContent = "authentication off";
    out.hidden = true;
  }
  setupWorkspaces();
  render();
}

document.getElementById("signout").addEventListener("click", () => {
  setToken(null);
  me = null;
  stopPage();
  location.hash = "#/";
  showSignIn();
});

// ---------------------------------------------------------------- routing

function stopPage() {
  cleanups.forEach((fn) => fn());
  cleanups = [];
}

const ROUTES = [
  [/^\/$/, runsPage],
  [/^\/runs\/([^/]+)$/, runPage],
  [/^\/conversations\/([^/]+)\/([^/]+)$/, conversationPage],
  [/^\/events$/, eventLookupPage],
  [/^\/events\/([^/]+)\/([^/]+)$/, eventLookupPage],
  [/^\/bindings$/, bindingsPage],
  [/^\/bindings\/([^/]+)\/new$/, (ws) => bindingPage(ws, null)],
  [/^\/bindings\/([^/]+)\/([^/]+)$/, bindingPage],
  [/^\/runners$/, runnersPage],
  [/^\/workers$/, workersPage],
];

function render() {
  if (!me) {
    return;
  }
  stopPage();
  const route = location.hash.replace(/^#/, "") || "/";
  const path = route.split("?")[0];
  const top = path.split("/")[1] || "runs";
  document.querySelectorAll("#nav a").forEach((a) =>
    a.classList.toggle("active", a.dataset.nav === (top === "conversations" ? "runs" : top)));
  clear(main);
  for (const [pattern, page] of ROUTES) {
    const match = path.match(pattern);
    if (match) {
      const params = match.slice(1).map(decodeURIComponent);
      Promise.resolve(page(...params)).catch((e) => main.append(errorBox(e)));
      return;
    }
  }
  main.append(h("h1", {}, "Not found"), h("p", {}, "No page at ", h("code", {}, route), "."));
}

window.addEventListener("hashchange", render);

const runLink = (id) => h("a", { href: "#/runs/" + seg(id), class: "mono run-link" }, id);
const conversationLink = (ws, id) =>
  id ? h("a", { href: "#/conversations/" + seg(ws) + "/" + seg(id), class: "conversation-link" }, id) : "";
const eventLink = (ws, id) =>
  id ? h("a", { href: "#/events/" + seg(ws) + "/" + seg(id), class: "mono event-link" }, id) : "";
const bindingLink = (ws, id) => (id ? h("a", { href: "#/bindings/" + seg(ws) + "/" + seg(id) }, id) : "");

// ---------------------------------------------------------------- runs list

const SINCE = { "": "any time", "15m": "last 15 min", "1h": "last hour", "24h": "last 24 h", "7d": "last 7 days" };
const SINCE_MS = { "15m": 9e5, "1h": 36e5, "24h": 864e5, "7d": 6048e5 };

async function runsPage() {
  const missing = needWorkspace();
  main.append(h("h1", {}, "Runs"));
  if (missing) {
    main.append(missing);
    return;
  }
  const ws = workspace();
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const status = h("select", { name: "status", id: "filter-status" },
    h("option", { value: "" }, "any status"), ...STATUSES.map((s) => h("option", { value: s }, s)));
  status.value = params.get("status") || "";
  const conversation = h("input", { name: "conversation", id: "filter-conversation", placeholder: "conversation id", value: params.get("conversation") || "" });
  const runner = h("input", { name: "runner", id: "filter-runner", placeholder: "runner id", value: params.get("runner") || "" });
  const since = h("select", { name: "since", id: "filter-since" },
    ...Object.entries(SINCE).map(([v, label]) => h("option", { value: v }, label)));
  since.value = params.get("since") || "";
  const live = h("input", { type: "checkbox", id: "live", checked: true });
  const filters = h("form", { class: "filters", id: "run-filters" },
    h("label", {}, "status", status), h("label", {}, "conversation", conversation),
    h("label", {}, "runner", runner), h("label", {}, "created", since),
    h("button", { type: "submit", id: "apply-filters" }, "Filter"),
    h("button", { type: "button", class: "secondary", id: "clear-filters" }, "Clear"),
    h("label", { class: "live" }, h("span", {}, live, " live")));
  filters.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (status.value) q.set("status", status.value);
    if (conversation.value.trim()) q.set("conversation", conversation.value.trim());
    if (runner.value.trim()) q.set("runner", runner.value.trim());
    if (since.value) q.set("since", since.value);
    const next = "#/" + (q.toString() ? "?" + q : "");
    if (location.hash === next) render();
    else location.hash = next;
  });
  filters.querySelector("#clear-filters").addEventListener("click", () => {
    location.hash = "#/";
  });
  main.append(sendForm(ws), filters);

  const table = h("table", { id: "runs" },
    h("thead", {}, h("tr", {}, ...["run", "status", "runner", "conversation", "event", "created", "duration", "final message / error"].map((c) => h("th", {}, c)))));
  const body = h("tbody", {});
  table.append(body);
  const info = h("p", { class: "muted", id: "runs-info" });
  const more = h("button", { type: "button", class: "secondary", id: "more", hidden: true }, "Load more");
  const problem = h("div", {});
  main.append(problem, table, info, more);

  const filter = {
    status: status.value,
    conversation_id: conversation.value.trim(),
    runner_id: runner.value.trim(),
  };
  const sinceMs = SINCE_MS[since.value];
  let items = [];
  let cursor = null;
  let pages = 1;

  const visible = (run) => !sinceMs || (run.created_at || 0) >= Date.now() - sinceMs;

  function draw() {
    clear(body);
    const shown = items.filter(visible);
    shown.forEach((run) => body.append(h("tr", { "data-run": run.run_id, "data-status": run.status, "data-conversation": run.conversation_id || "" },
      h("td", {}, runLink(run.run_id)),
      h("td", {}, statusBadge(run.status)),
      h("td", { class: "mono" }, run.runner_id || ""),
      h("td", {}, conversationLink(ws, run.conversation_id)),
      h("td", {}, eventLink(ws, run.event_id)),
      h("td", { title: time(run.created_at) }, ago(run.created_at)),
      h("td", {}, duration(run.started_at || run.created_at, run.finished_at)),
      h("td", {}, run.error ? h("span", { class: "field-error" }, run.error.code + ": " + run.error.message) : (run.final_message || "").slice(0, 120)))));
    if (!shown.length) {
      body.append(h("tr", {}, h("td", { colspan: 8, class: "muted" }, "No runs match.")));
    }
    const olderThanSince = sinceMs && items.length && !visible(items[items.length - 1]);
    more.hidden = !cursor || olderThanSince;
    info.textContent = shown.length + " run(s) in workspace " + ws + (live.checked ? " · live" : "");
  }

  async function load() {
    const page = await get("/v1/workspaces/" + seg(ws) + "/runs" + query({ ...filter, limit: Math.min(PAGE * pages, 1000) }));
    items = page.items;
    cursor = page.next_cursor;
    clear(problem);
    draw();
  }

  more.addEventListener("click", async () => {
    try {
      const page = await get("/v1/workspaces/" + seg(ws) + "/runs" + query({ ...filter, limit: PAGE, cursor }));
      items = items.concat(page.items);
      cursor = page.next_cursor;
      pages += 1;
      draw();
    } catch (e) {
      clear(problem);
      problem.append(errorBox(e));
    }
  });

  try {
    await load();
  } catch (e) {
    problem.append(errorBox(e));
  }
  const timer = setInterval(() => {
    if (live.checked) {
      load().catch((e) => {
        clear(problem);
        problem.append(errorBox(e));
      });
    }
  }, POLL_MS);
  onLeave(() => clearInterval(timer));
}

/** Sends a message.received event to the workspace (POST /v1/events). */
function sendForm(ws) {
  const conversation = h("input", { id: "send-conversation", placeholder: "conversation id", value: "console" });
  const text = h("input", { id: "send-text", placeholder: "message text", size: 40 });
  const result = h("span", { id: "send-result", class: "muted" });
  const form = h("form", { class: "filters card", id: "send-form" },
    h("label", {}, "conversation", conversation), h("label", {}, "message", text),
    h("button", { type: "submit", id: "send" }, "Send event"), result);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear(result);
    try {
      const accepted = await post("/v1/events", {
        event_type: "message.received",
        workspace_id: ws,
        conversation_id: conversation.value.trim() || undefined,
        input: { text: text.value },
      });
      result.append("sent ", eventLink(ws, accepted.event_id));
      text.value = "";
    } catch (err) {
      result.append(errorBox(err));
    }
  });
  return form;
}

// ---------------------------------------------------------------- run page

function typeClass(type) {
  if (type === "run.completed") return "type-terminal-ok";
  if (type === "run.failed" || type === "run.timed_out") return "type-terminal-bad";
  const head = type.split(".")[0];
  return "type-" + head;
}

/** One line saying what a record holds (its data is a JSON object). */
function summary(event) {
  const data = event.data || {};
  const text = (m) => (m && m.content != null ? m.content : "");
  switch (event.type) {
    case "message.delta":
      return text(data.chunk);
    case "message.completed":
      return text(data.message);
    case "run.created":
      return [data.event_type, data.binding_id && "binding " + data.binding_id, data.runner_id, data.pool && "pool " + data.pool]
        .filter(Boolean).join(" · ");
    case "cancel.requested":
      return [data.reason, data.requested_by && "by " + data.requested_by].filter(Boolean).join(" · ") || "cancel asked";
    case "run.claimed":
      return "attempt " + data.attempt + " claimed by " + data.worker_id + (data.phase ? " · " + data.phase : "");
    case "run.liveness":
      return String(data.phase || "");
    case "run.completed":
      return (data.finish_reason || "") + (data.message ? ": " + text(data.message) : "");
    case "run.failed":
      return (data.code || "") + ": " + (data.error || "");
    case "steering.queued":
      return "queued " + ((data.item && (data.item.text || data.item.source_event_id)) || JSON.stringify(data.item || {}));
    case "steering.injected":
      return "injected " + (data.source_event_id || "");
    case "steering.dropped":
      return "dropped " + (data.source_event_id || "") + " (" + (data.reason || "") + ")";
    case "host_api.call":
      return [data.action, data.resource, data.scope, data.outcome, data.error_code].filter(Boolean).join(" · ");
    default:
      return JSON.stringify(data);
  }
}

async function runPage(runId) {
  const header = h("div", { class: "row" });
  const facts = h("div", { class: "card", id: "run-facts" });
  const outcome = h("div", { id: "run-outcome" });
  const streamState = h("span", { class: "stream-state", id: "stream-state" });
  const timeline = h("tbody", {});
  main.append(header, facts, outcome,
    h("h2", {}, "Ledger timeline ", streamState),
    h("table", { id: "timeline" },
      h("thead", {}, h("tr", {}, ...["seq", "time", "attempt", "type", "producer", "what"].map((c) => h("th", {}, c)))),
      timeline));
  let run = await get("/v1/runs/" + seg(runId));
  const seen = new Set();
  let lastAttempt = null;

  function drawRun() {
    const ws = run.workspace_id || "";
    clear(header);
    const cancel = h("button", { type: "button", class: "danger", id: "cancel" }, "Cancel run");
    cancel.disabled = TERMINAL.includes(run.status);
    cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      try {
        await post("/v1/runs/" + seg(runId) + "/cancel", { reason: "cancelled from the console" });
        refresh();
      } catch (e) {
        outcome.prepend(errorBox(e));
        cancel.disabled = false;
      }
    });
    header.append(h("h1", {}, "Run ", h("span", { class: "mono" }, runId), " ", statusBadge(run.status, "run-status")),
      h("span", { class: "grow" }), cancel);
    clear(facts);
    const steering = run.steering || {};
    const rows = [
      ["workspace", ws], ["event", eventLink(ws, run.event_id)],
      ["conversation", conversationLink(ws, run.conversation_id)], ["binding", bindingLink(ws, run.binding_id)],
      ["runner", run.runner_id], ["pool", run.pool],
      ["attempt", String(run.attempt)], ["worker", run.worker_id],
      ["created", time(run.created_at)], ["started", time(run.started_at)],
      ["finished", time(run.finished_at)], ["deadline", time(run.deadline_at)],
      ["duration", duration(run.started_at || run.created_at, run.finished_at)],
      ["liveness", run.liveness ? run.liveness.phase + " since " + time(run.liveness.since) : ""],
      ["steering", "queued " + (steering.queued || 0) + " · injected " + (steering.injected || 0) + " · dropped " + (steering.dropped || 0)],
      ["fenced records", String(run.fenced_count || 0)],
      ["late terminals", String(run.late_terminal_count || 0)], ["duplicates", String(run.duplicate_count || 0)],
      ["sequence gaps", String(run.gap_count || 0)], ["invalid results", String(run.invalid_result_count || 0)],
      ["attempts", (run.attempts || []).map((a) => "#" + a.attempt + " up to seq " + a.last_sequence).join(", ")],
      ["records", String(run.event_count || 0)],
    ];
    facts.append(h("dl", { class: "facts" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", { "data-fact": k }, v || "")])));
    clear(outcome);
    if (run.final_message) {
      outcome.append(h("div", { class: "card" }, h("h2", {}, "Final message"), h("pre", { id: "final-message" }, run.final_message)));
    }
    if (run.error) {
      outcome.append(h("div", { class: "error", id: "run-error" },
        h("strong", {}, run.error.code), ": " + run.error.message + (run.error.retryable ? " (retryable)" : "")));
    }
  }

  function add(event) {
    if (seen.has(event.seq)) {
      return;
    }
    seen.add(event.seq);
    const cls = event.attempt !== lastAttempt && lastAttempt !== null ? "attempt-start" : "";
    lastAttempt = event.attempt;
    timeline.append(h("tr", { class: cls, "data-type": event.type },
      h("td", {}, String(event.seq)),
      h("td", { title: time(event.timestamp) }, new Date(event.timestamp).toLocaleTimeString()),
      h("td", {}, String(event.attempt)),
      h("td", { class: "type " + typeClass(event.type) }, event.type),
      h("td", { class: "mono" }, event.producer),
      h("td", {}, h("details", {}, h("summary", {}, summary(event).slice(0, 160)), h("pre", {}, JSON.stringify(event.data || {}, null, 2))))));
  }

  let refreshing = null;
  function refresh() {
    if (!refreshing) {
      refreshing = setTimeout(async () => {
        refreshing = null;
        try {
          run = await get("/v1/runs/" + seg(runId));
          drawRun();
        } catch (e) {
          // the next event refreshes again
        }
      }, 150);
    }
  }

  drawRun();
  let after = null;
  let last = 0;
  for (;;) {
    const page = await get("/v1/runs/" + seg(runId) + "/events" + query({ after, limit: 1000 }));
    page.items.forEach((e) => {
      add(e);
      last = Math.max(last, e.seq);
    });
    if (!page.next_cursor || !page.items.length) break;
    after = page.next_cursor;
  }
  if (TERMINAL.includes(run.status)) {
    streamState.textContent = "· ended";
    return;
  }
  streamState.textContent = "· live";
  const stream = follow("/v1/runs/" + seg(runId) + "/events/stream", {
    lastEventId: last || null,
    onEvent: (event) => {
      add(event);
      refresh();
    },
    onState: (state, detail) => {
      if (state === "open") streamState.dataset.followed = "true";
      streamState.textContent = state === "open" ? "· live" : state === "reconnecting"
        ? "· reconnecting (Last-Event-ID " + (detail || "none") + ")" : state === "error" ? "· " + detail.message : "· ended";
      if (state === "ended") refresh();
    },
    finished: async () => {
      run = await get("/v1/runs/" + seg(runId));
      drawRun();
      return TERMINAL.includes(run.status);
    },
  });
  onLeave(() => stream.close());
}

// ---------------------------------------------------------------- conversation

async function conversationPage(ws, conversationId) {
  const base = "/v1/workspaces/" + seg(ws) + "/conversations/" + seg(conversationId) + "/transcript";
  const list = h("div", { class: "transcript card", id: "transcript" });
  const older = h("button", { type: "button", class: "secondary", hidden: true }, "Older messages");
  const q = h("input", { id: "search-q", placeholder: "search this conversation", size: 30 });
  const results = h("div", { id: "search-results" });
  const search = h("form", { class: "row" }, q, h("button", { type: "submit", id: "search" }, "Search"));
  main.append(h("h1", {}, "Conversation ", h("span", { class: "mono" }, conversationId)),
    h("p", {}, "workspace ", h("code", {}, ws), " · ", h("a", { href: "#/?conversation=" + seg(conversationId) }, "its runs")),
    search, results, older, list);
  const shown = new Set();
  const item = (m) => h("div", { class: "msg " + m.role },
    h("div", { class: "muted" }, m.role + " · " + time(m.timestamp) + " · ",
      m.run_id ? runLink(m.run_id) : eventLink(ws, m.event_id)),
    h("pre", {}, m.content));
  search.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear(results);
    try {
      const found = await get(base + "/search" + query({ q: q.value, top_k: 10 }));
      results.append(h("div", { class: "card transcript" }, h("h2", {}, found.items.length + " match(es)"),
        ...found.items.map((m) => item(m.item || m))));
    } catch (err) {
      results.append(errorBox(err));
    }
  });
  const first = await get(base + query({ limit: 100 }));
  first.items.forEach((m) => {
    shown.add(m.seq);
    list.append(item(m));
  });
  const empty = h("p", { class: "muted" }, "No messages yet.");
  if (!first.items.length) list.append(empty);
  let prev = first.prev_cursor;
  let next = first.next_cursor;
  older.hidden = !first.has_more || !prev;
  older.addEventListener("click", async () => {
    const page = await get(base + query({ before: prev, limit: 100 }));
    page.items.slice().reverse().forEach((m) => {
      shown.add(m.seq);
      list.prepend(item(m));
    });
    prev = page.prev_cursor;
    older.hidden = !page.has_more || !prev;
  });
  const timer = setInterval(async () => {
    try {
      const page = await get(base + query({ after: next, limit: 100 }));
      page.items.filter((m) => !shown.has(m.seq)).forEach((m) => {
        shown.add(m.seq);
        empty.remove();
        list.append(item(m));
      });
      next = page.next_cursor || next;
    } catch (e) {
      // polled again
    }
  }, POLL_MS);
  onLeave(() => clearInterval(timer));
}

// ---------------------------------------------------------------- event lookup

async function eventLookupPage(wsParam, eventParam) {
  const ws = wsParam || workspace();
  const input = h("input", { id: "event-id", placeholder: "event id", size: 40, value: eventParam || "" });
  const form = h("form", { class: "row", id: "event-form" }, h("label", {}, "event id", input), h("button", { type: "submit" }, "Look up"));
  const out = h("div", { id: "decision" });
  main.append(h("h1", {}, "Event lookup"), h("p", { class: "muted" }, "Where did my event go: its dispatch decision and run, in workspace ", h("code", {}, ws || "?"), "."), form, out);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (input.value.trim()) location.hash = "#/events/" + seg(ws) + "/" + seg(input.value.trim());
  });
  if (!eventParam) {
    const missing = needWorkspace();
    if (missing) out.append(missing);
    return;
  }
  try {
    const d = await get("/v1/workspaces/" + seg(ws) + "/events/" + seg(eventParam));
    const rows = Object.entries(d).filter(([, v]) => v !== null && typeof v !== "object");
    out.append(h("div", { class: "card" },
      h("h2", {}, "Decision ", h("span", { class: "badge", id: "decision-kind" }, d.decision || "?")),
      d.run_id ? h("p", {}, "run ", runLink(d.run_id)) : "",
      h("dl", { class: "facts" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k),
        h("dd", {}, k.endsWith("_at") || k === "timestamp" ? time(v) : k === "conversation_id" ? conversationLink(ws, v) : k === "binding_id" ? bindingLink(ws, v) : String(v))])),
      h("details", {}, h("summary", {}, "JSON"), json(d))));
  } catch (e) {
    out.append(errorBox(e));
  }
}

// ---------------------------------------------------------------- bindings

async function bindingsPage() {
  main.append(h("h1", {}, "Bindings"));
  const missing = needWorkspace();
  if (missing) {
    main.append(missing);
    return;
  }
  const ws = workspace();
  main.append(h("p", {}, h("a", { href: "#/bindings/" + seg(ws) + "/new", id: "new-binding" }, "New binding")));
  // the listing is paged: follow next_cursor to the last page, so no binding is left out
  const bindings = [];
  let cursor = null;
  do {
    const page = await get("/v1/workspaces/" + seg(ws) + "/bindings" + query({ limit: 1000, cursor }));
    bindings.push(...page.items);
    cursor = page.items.length ? page.next_cursor : null;
  } while (cursor);
  const rows = bindings.map((b) => h("tr", { "data-binding": b.binding_id },
    h("td", {}, bindingLink(ws, b.binding_id)),
    h("td", { class: "mono" }, (b.event_types || []).join(", ")),
    h("td", { class: "mono" }, b.runner_id || ""),
    h("td", {}, (b.dispatch_policy && b.dispatch_policy.mode) || "runner default"),
    h("td", {}, b.priority == null ? "" : String(b.priority)),
    h("td", {}, time(b.updated_at))));
  main.append(h("table", { id: "bindings" },
    h("thead", {}, h("tr", {}, ...["binding", "event types", "runner", "mode", "priority", "updated"].map((c) => h("th", {}, c)))),
    h("tbody", {}, ...(rows.length ? rows : [h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No bindings in " + ws + "."))]))));
}

/** The form's fields: [binding JSON path, label, kind]. The rest of the binding is edited as JSON. */
const BINDING_FIELDS = [
  ["event_types", "event types (comma-separated)", "list"],
  ["runner_id", "runner", "text"],
  ["dispatch_policy.mode", "dispatch mode", "text"],
  ["priority", "priority", "number"],
  ["timeout_ms", "timeout (ms)", "number"],
  ["runner_config", "runner config (JSON object)", "json"],
];

function pick(object, path) {
  return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), object);
}

function place(object, path, value) {
  const keys = path.split(".");
  let o = object;
  keys.slice(0, -1).forEach((k) => {
    if (o[k] == null || typeof o[k] !== "object") o[k] = {};
    o = o[k];
  });
  if (value === undefined) delete o[keys[keys.length - 1]];
  else o[keys[keys.length - 1]] = value;
}

async function bindingPage(ws, bindingId) {
  const creating = bindingId == null;
  let binding = { scope: { workspace_id: ws }, event_types: ["message.*"], runner_id: "builtin:echo/default", dispatch_policy: { mode: "parallel" } };
  if (!creating) {
    binding = await get("/v1/workspaces/" + seg(ws) + "/bindings/" + seg(bindingId));
  }
  const idInput = h("input", { id: "field-binding_id", "data-field": "binding_id", value: bindingId || "", disabled: !creating });
  const inputs = {};
  const fields = [h("label", {}, "binding id", idInput, h("span", { class: "field-error", "data-error-for": "binding_id" }))];
  const rest = JSON.parse(JSON.stringify(binding));
  delete rest.binding_id;
  delete rest.updated_at;
  for (const [path, label, kind] of BINDING_FIELDS) {
    const value = pick(binding, path);
    place(rest, path, undefined);
    let input;
    if (kind === "json") {
      input = h("textarea", { rows: 4 });
      input.value = value == null ? "" : JSON.stringify(value, null, 2);
    } else {
      input = h("input", { type: kind === "number" ? "number" : "text", size: 40 });
      input.value = value == null ? "" : kind === "list" ? value.join(", ") : String(value);
    }
    input.id = "field-" + path.replace(/\./g, "-");
    input.dataset.field = path;
    inputs[path] = [input, kind];
    fields.push(h("label", {}, label, input, h("span", { class: "field-error", "data-error-for": path })));
  }
  if (rest.dispatch_policy && !Object.keys(rest.dispatch_policy).length) delete rest.dispatch_policy;
  const other = h("textarea", { rows: 10, id: "field-other", "data-field": "" });
  other.value = JSON.stringify(rest, null, 2);
  fields.push(h("label", {}, "every other field (JSON)", other, h("span", { class: "field-error", "data-error-for": "" })));
  const problem = h("div", { id: "binding-error" });
  const saved = h("span", { class: "muted", id: "binding-saved" });
  const form = h("form", { class: "card", id: "binding-form" }, ...fields, problem,
    h("div", { class: "row" }, h("button", { type: "submit", id: "save-binding" }, creating ? "Create" : "Save"), saved));
  main.append(h("h1", {}, creating ? "New binding" : h("span", {}, "Binding ", h("span", { class: "mono" }, bindingId))),
    h("p", { class: "muted" }, "workspace ", h("code", {}, ws), " · ", h("a", { href: "#/bindings" }, "all bindings")), form);

  function showError(e) {
    form.querySelectorAll(".invalid").forEach((x) => x.classList.remove("invalid"));
    form.querySelectorAll(".field-error").forEach((x) => (x.textContent = ""));
    clear(problem);
    if (!e) return;
    const field = e.field || null;
    const paths = ["binding_id", ...BINDING_FIELDS.map((f) => f[0])];
    const match = field == null ? null
      : paths.find((p) => field === p || field.startsWith(p + ".") || field.startsWith(p + "["))
        || "";
    if (match === null) {
      problem.append(errorBox(e));
      return;
    }
    const target = form.querySelector('[data-field="' + match + '"]');
    target.classList.add("invalid");
    form.querySelector('[data-error-for="' + match + '"]').textContent = e.message;
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    saved.textContent = "";
    let body;
    try {
      body = other.value.trim() ? JSON.parse(other.value) : {};
    } catch (err) {
      showError(new ApiError(0, "invalid_json", "not JSON: " + err.message, ""));
      return;
    }
    for (const [path, [input, kind]] of Object.entries(inputs)) {
      const text = input.value.trim();
      let value;
      if (text === "") value = undefined;
      else if (kind === "list") value = text.split(",").map((s) => s.trim()).filter(Boolean);
      else if (kind === "number") value = Number(text);
      else if (kind === "json") {
        try {
          value = JSON.parse(text);
        } catch (err) {
          showError(new ApiError(0, "invalid_json", "not JSON: " + err.message, path));
          return;
        }
      } else value = text;
      if (value !== undefined) place(body, path, value);
    }
    const id = idInput.value.trim();
    if (!id) {
      showError(new ApiError(0, "invalid_argument", "give the binding an id", "binding_id"));
      return;
    }
    try {
      const stored = await put("/v1/workspaces/" + seg(ws) + "/bindings/" + seg(id), body);
      showError(null);
      saved.textContent = "saved at " + time(stored.updated_at);
      if (creating) location.hash = "#/bindings/" + seg(ws) + "/" + seg(id);
    } catch (err) {
      showError(err);
    }
  });
}

// ---------------------------------------------------------------- runners and workers

function registryMissing(e, what) {
  if (e instanceof ApiError && e.status === 404) {
    main.append(h("div", { class: "notice", id: "registry-missing" },
      "registry not available: this server does not serve GET /v1/" + what + "."));
    return true;
  }
  return false;
}

const liveDot = (live) => h("span", {}, h("span", { class: "live-dot" + (live ? " on" : "") }), live ? "live" : "gone");

async function runnersPage() {
  main.append(h("h1", {}, "Runners"));
  let body;
  try {
    body = await get("/v1/runners");
  } catch (e) {
    if (registryMissing(e, "runners")) return;
    throw e;
  }
  const rows = (body.runners || []).map((r) => h("tr", { "data-runner": r.runner_id },
    h("td", { class: "mono" }, r.runner_id),
    h("td", {}, h("strong", {}, r.label || r.name || ""), h("div", { class: "muted" }, r.description || "")),
    h("td", {}, r.pool || ""), h("td", {}, r.version || ""),
    h("td", {}, ...(r.workers || []).map((w) => h("div", {}, liveDot(w.live), " ", h("span", { class: "mono" }, w.worker_id)))),
    h("td", {}, h("details", {}, h("summary", {}, "manifest"),
      json({ capabilities: r.capabilities, permissions: r.permissions, config_schema: r.config_schema })))));
  main.append(h("table", { id: "runners" },
    h("thead", {}, h("tr", {}, ...["runner", "name", "pool", "version", "workers", ""].map((c) => h("th", {}, c)))),
    h("tbody", {}, ...(rows.length ? rows : [h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No runners."))]))));
}

async function workersPage() {
  main.append(h("h1", {}, "Workers"));
  const table = h("tbody", {});
  let first = true;
  async function load() {
    let body;
    try {
      body = await get("/v1/workers");
    } catch (e) {
      if (first && registryMissing(e, "workers")) return false;
      throw e;
    }
    if (first) {
      main.append(h("table", { id: "workers" },
        h("thead", {}, h("tr", {}, ...["worker", "", "pool", "runners", "slots", "in flight", "free", "version", "started", "last heartbeat"].map((c) => h("th", {}, c)))),
        table));
      first = false;
    }
    clear(table);
    (body.workers || []).forEach((w) => table.append(h("tr", { "data-worker": w.worker_id },
      h("td", { class: "mono" }, w.worker_id), h("td", {}, liveDot(w.live)), h("td", {}, w.pool || ""),
      h("td", { class: "mono" }, (w.runner_ids || []).join(", ")),
      h("td", {}, String(w.slots ?? "")), h("td", {}, String(w.active_runs ?? "")), h("td", {}, String(w.free_slots ?? "")),
      h("td", {}, w.version || ""), h("td", { title: w.started_at || "" }, ago(Date.parse(w.started_at))),
      h("td", { title: w.last_seen_at || "" }, ago(Date.parse(w.last_seen_at))))));
    if (!(body.workers || []).length) table.append(h("tr", {}, h("td", { colspan: 10, class: "muted" }, "No workers.")));
    return true;
  }
  if (await load()) {
    const timer = setInterval(() => load().catch(() => {}), POLL_MS * 2);
    onLeave(() => clearInterval(timer));
  }
}

// ---------------------------------------------------------------- start

(async () => {
  try {
    me = await whoami();
    signedIn();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setToken(null);
      showSignIn(token() ? e : null);
    } else {
      clear(main);
      main.append(errorBox(e));
    }
  }
})();

#!/usr/bin/env python3
"""An example runledger runner in Python (standard library only).

It speaks the stdio runner protocol (docs/runner-protocol.md): the worker starts this
script once per run, writes JSON Lines to its stdin and reads JSON Lines from its stdout.

What it does, to show the host API:
  1. reads the conversation's recent history (history_page) and its own turn counter
     (state_get, conversation scope);
  2. answers the triggering message, streaming it as message.delta chunks and then a
     message.completed;
  3. if steering is available, waits up to `steering_wait_ms` (runner config) for a
     steered message, pulls it (steering_pull) and answers it too;
  4. saves the turn counter and the last input (state_set) and ends with run.completed.

Everything the script wants to say to a human goes to stderr (the worker logs it);
stdout carries protocol messages only.
"""

import json
import queue
import sys
import threading
import time

_out_lock = threading.Lock()
_inbox = queue.Queue()


def send(message):
    """Writes one protocol message to the worker."""
    with _out_lock:
        sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
        sys.stdout.flush()


def log(text):
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _read_stdin():
    for line in sys.stdin:
        line = line.strip()
        if line:
            _inbox.put(json.loads(line))
    _inbox.put({"type": "eof"})


class Cancelled(Exception):
    pass


class Host:
    """The worker's side of the protocol: host-API calls and the messages between them."""

    def __init__(self):
        self._next_id = 0
        self.steering_available = False
        self.cancelled = False

    def next_message(self, timeout=None):
        """The next message that is not an api.response, or None after `timeout` seconds."""
        try:
            message = _inbox.get(timeout=timeout)
        except queue.Empty:
            return None
        return self._note(message)

    def _note(self, message):
        kind = message.get("type")
        if kind == "run.cancel" or kind == "eof":
            self.cancelled = True
            raise Cancelled()
        if kind == "steering.available":
            self.steering_available = True
        return message

    def call(self, method, **params):
        """Calls a host-API method; returns its result or raises RuntimeError(code, message)."""
        self._next_id += 1
        request_id = self._next_id
        send({"type": "api.request", "id": request_id, "method": method, "params": params})
        while True:
            message = self._note(_inbox.get())
            if message.get("type") == "api.response" and message.get("id") == request_id:
                if "error" in message:
                    error = message["error"]
                    raise RuntimeError(error.get("code"), error.get("message"))
                return message.get("result")


def say(text, chunk_size=24):
    """Streams `text` as deltas, then sends it whole."""
    for start in range(0, len(text), chunk_size):
        send({"type": "message.delta",
              "data": {"chunk": {"role": "assistant", "content": text[start:start + chunk_size]}}})
    send({"type": "message.completed", "data": {"message": {"role": "assistant", "content": text}}})


def main():
    threading.Thread(target=_read_stdin, daemon=True).start()
    host = Host()
    start = host.next_message()
    if start is None or start.get("type") != "run.start":
        log("expected run.start first, got %r" % (start,))
        return 2
    context = start["context"]
    config = context.get("config") or {}
    apis = context["context"]["available_apis"]
    text = (context["input"].get("text") or "").strip()
    log("run %s attempt %s: %r" % (context["run_id"], context["runtime"]["attempt"], text))

    try:
        history = []
        if apis.get("history_page"):
            history = host.call("history_page", limit=20).get("items", [])
        earlier = [item for item in history if item.get("event_id") != context["event"]["event_id"]]

        turns = 0
        if apis.get("state"):
            got = host.call("state_get", scope="conversation", key="example.turns")
            if got.get("found"):
                turns = int(got["value"])

        first = earlier[0]["content"] if earlier else None
        say("Turn %d. I can see %d earlier message(s)%s. You said: %s"
            % (turns + 1, len(earlier), "" if first is None else ", the first was '%s'" % first, text))

        if apis.get("steering_pull"):
            deadline = time.monotonic() + int(config.get("steering_wait_ms", 0)) / 1000.0
            while not host.steering_available and time.monotonic() < deadline:
                host.next_message(timeout=max(0.0, deadline - time.monotonic()))
            for item in host.call("steering_pull", mode="all").get("items", []):
                steered = (item.get("input") or {}).get("text") or ""
                say("You also said: %s" % steered)
                text = steered

        if apis.get("state"):
            host.call("state_set", scope="conversation", key="example.turns", value=turns + 1)
            host.call("state_set", scope="conversation", key="example.last_input", value=text)

        send({"type": "run.completed", "data": {"finish_reason": "stop"}})
        return 0
    except Cancelled:
        send({"type": "run.failed",
              "data": {"code": "cancelled", "error": "cancelled by the host", "retryable": False}})
        return 0
    except RuntimeError as error:
        code, message = error.args
        send({"type": "run.failed",
              "data": {"code": "host_api." + str(code), "error": str(message), "retryable": False}})
        return 0


if __name__ == "__main__":
    sys.exit(main())

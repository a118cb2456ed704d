"""SIGTERM during load, against a server in its own process (uvicorn owns its signal handling there).

Accepting stops (new work gets 503 "shutting_down" or no connection), waiting events get a clear
"shutting_down" failure, the running batch finishes within the grace period, every accepted event gets
exactly one final message, the stream ends with ``close_stream``, and the process exits.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from typing import Any

import httpx
from reliability_support import ServerProcess

GRACE = 5.0
DELAY = 1.0  # seconds one batch of slow_batch works
EVENTS = 12  # three batches of four


class StreamReader:
    """Reads one session's event stream in a thread; signals the first process_starts and the end."""

    def __init__(self, url: str, session_hash: str) -> None:
        self.messages: list[dict[str, Any]] = []
        self.opened = threading.Event()
        self.started = threading.Event()
        self.draining = threading.Event()
        self.ended = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(url, session_hash), daemon=True)
        self._thread.start()

    def _read(self, url: str, session_hash: str) -> None:
        try:
            with httpx.stream(
                "GET", url + "queue/data", params={"session_hash": session_hash}, timeout=30
            ) as reply:
                self.opened.set()
                for line in reply.iter_lines():
                    if line.startswith("data: "):
                        message = json.loads(line[6:])
                        self.messages.append(message)
                        if message["msg"] == "process_starts":
                            self.started.set()
                        if message.get("error", {}).get("type") == "shutting_down":
                            self.draining.set()
        except httpx.HTTPError:
            pass  # the server went away: what was read is what counts
        finally:
            self.opened.set()
            self.ended.set()

    def finals(self) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for message in self.messages:
            if message["msg"] == "process_completed":
                found.setdefault(message["event_id"], []).append(message)
        return found


def test_sigterm_drains_the_queue_and_loses_no_accepted_event() -> None:
    with ServerProcess("slow_batch", {"delay": DELAY, "close_grace": GRACE}) as server:
        reader = StreamReader(server.url, "s")
        assert reader.opened.wait(10)
        with httpx.Client(base_url=server.url, timeout=10) as http:
            accepted = [
                http.post(
                    "queue/join", json={"data": [f"w{i}"], "api_name": "shout", "session_hash": "s"}
                ).json()["event_id"]
                for i in range(EVENTS)
            ]
            assert reader.started.wait(10)  # the first batch is running
            server.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            assert reader.draining.wait(10)  # the server has taken the signal in
            late = _try_join(http)
        assert server.wait(GRACE + 10) in (0, -signal.SIGTERM)
        exit_seconds = time.monotonic() - signalled
        assert reader.ended.wait(10)

    finals = reader.finals()
    assert sorted(finals) == sorted(accepted), "every accepted event ends with a final message"
    assert all(len(messages) == 1 for messages in finals.values()), "exactly one each"
    outcomes = [messages[0] for messages in finals.values()]
    completed = {m["event_id"] for m in outcomes if m["status"] == "completed"}
    refused = [m for m in outcomes if m["status"] == "failed"]
    running = {m["event_id"] for m in reader.messages if m["msg"] == "process_starts"}
    assert running and running <= completed, "every batch that started finishes within the grace period"
    assert refused, "the waiting events do not all sneak through"
    assert len(completed) + len(refused) == EVENTS
    assert {m["error"]["type"] for m in refused} <= {"shutting_down"}
    assert reader.messages[-1]["msg"] == "close_stream"
    assert late in ("refused", "shutting_down"), late
    assert exit_seconds <= GRACE + 5


def _try_join(http: httpx.Client) -> str:
    """A join sent after SIGTERM: refused at the door, or told the server is shutting down."""
    try:
        reply = http.post("queue/join", json={"data": ["late"], "api_name": "shout", "session_hash": "late"})
    except httpx.TransportError:
        return "refused"
    return str(reply.json()["error"]["type"]) if reply.status_code == 503 else f"status {reply.status_code}"

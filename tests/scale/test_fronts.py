"""Two carpool fronts behind HAProxy (``carpool run --workers 2``) sharing one RayPool replica.

One ``carpool run`` for the module: it starts the fronts and the balancer; the fronts join this test
process's local Ray (``RAY_ADDRESS``), where the test's gate is a named actor the replica reports to.
Needs Debian's haproxy (``make test`` installs it with scripts/install-haproxy).
"""

from __future__ import annotations

import os
import queue
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ray = pytest.importorskip("ray", reason="carpool.scale needs Ray: pip install 'carpool[ray]'")

import scale_models  # noqa: E402

from carpool._fronts import COOKIE  # noqa: E402
from carpool.client import Client  # noqa: E402
from carpool.exceptions import EventCancelledError  # noqa: E402
from conftest import ensure_local_ray  # noqa: E402

APP = Path(__file__).with_name("fronts_app.py")
READY = "fronts behind haproxy at "


def haproxy_or_skip() -> None:
    if not any(os.access(p, os.X_OK) for p in ("/usr/sbin/haproxy", "/usr/bin/haproxy")):
        pytest.skip("needs haproxy: scripts/install-haproxy (make test runs it)")


@dataclass
class Balanced:
    url: str
    front_ports: list[int]
    gate: Any
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)

    def client(self) -> tuple[Client, str]:
        """A carpool client and the front its balancer cookie pins it to (after its first request)."""
        http = httpx.AsyncClient(base_url=self.url, timeout=60)
        client = Client(self.url, httpx_client=http)
        self.clients.append(client)
        client.view_api(print_info=False)
        return client, http.cookies[COOKIE]

    def clients_on_one_front(self, count: int) -> list[Client]:
        """``count`` clients whose first requests landed on the same front (at most 2 * count - 1)."""
        by_front: dict[str, list[Client]] = {}
        for _ in range(2 * count - 1):
            client, front = self.client()
            by_front.setdefault(front, []).append(client)
            if len(by_front[front]) == count:
                return by_front[front]
        raise AssertionError(f"no front got {count} of {2 * count - 1} clients: {by_front}")


def read_lines(process: subprocess.Popen[str], lines: queue.Queue[str], seen: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:  # drained to the end, so the children never block on a full pipe
        seen.append(line)
        lines.put(line)


@pytest.fixture(scope="module")
def balanced(_ray_session: None) -> Iterator[Balanced]:
    haproxy_or_skip()
    ensure_local_ray()
    namespace = f"carpool-test-{uuid.uuid4().hex[:8]}"  # the fronts' shared replicas live here
    gate = scale_models.Gate.options(name="fronts-gate", namespace=namespace).remote()
    env = dict(
        os.environ,
        RAY_ADDRESS=ray.get_runtime_context().gcs_address,
        CARPOOL_RAY_NAMESPACE=namespace,
    )
    command = [sys.executable, "-m", "carpool", "run", str(APP), "--workers", "2", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--show-error"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []
    threading.Thread(target=read_lines, args=(process, lines, output), daemon=True).start()
    try:
        url, ports = wait_ready(process, lines, output)
        balanced = Balanced(url, ports, gate, process, output)
        yield balanced
        for client in balanced.clients:
            client.close()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        for replica in ("trimmer-0",):  # detached: it outlives the fronts; the test's Ray is shared
            try:
                ray.kill(ray.get_actor(replica, namespace=namespace), no_restart=True)
            except ValueError:
                pass
        ray.kill(gate, no_restart=True)


def wait_ready(
    process: subprocess.Popen[str], lines: queue.Queue[str], output: list[str]
) -> tuple[str, list[int]]:
    deadline = time.monotonic() + 240  # two fronts import the app on a busy 2-core machine
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            assert process.poll() is None, "carpool run --workers exited:\n" + "".join(output)
            continue
        if READY in line:
            url = line.split(READY)[1].split()[0]
            ports = [int(port) for port in line.split("ports ")[1].rstrip(")\n").split(", ")]
            return url, ports
    raise AssertionError("carpool run --workers did not start:\n" + "".join(output))


def answer(text: str) -> tuple[str, str, int]:
    """("trimmed", front index, replica pid) from the app's answer."""
    trimmed, front, pid = text.split("|")
    return trimmed, front, int(pid)


def front_of(response: httpx.Response) -> str:
    return response.headers["x-carpool-front"]


def stream_front(http: httpx.Client, path: str, session: str) -> str:
    """The front that answers a session's event stream (its headers; the stream is left at once)."""
    with http.stream("GET", path, params={"session_hash": session}) as response:
        return front_of(response)


def test_a_session_id_in_the_query_or_a_json_body_picks_the_same_front(balanced: Balanced) -> None:
    fronts_seen = set()
    with httpx.Client(base_url=balanced.url, timeout=30) as http:  # a fresh client: no cookies kept
        for _ in range(12):
            session = secrets.token_hex(8)
            join = {"data": ["x", 1], "api_name": "no_such_endpoint", "session_hash": session}
            fronts = [
                front_of(http.post("queue/join", json=join)),  # carpool's protocol: id in the body
                stream_front(http, "queue/data", session),  # ... and in the query of the stream
                front_of(http.post("gradio_api/queue/join", json=join)),  # Gradio's protocol, the same
                stream_front(http, "gradio_api/queue/data", session),
                front_of(http.post("queue/cancel", json={"session_hash": session, "event_id": "e"})),
            ]
            http.cookies.clear()
            assert len(set(fronts)) == 1, fronts
            fronts_seen.add(fronts[0])
    assert fronts_seen == {"front0", "front1"}  # and sessions spread over both fronts


def test_the_balancer_cookie_keeps_a_client_on_its_front_whatever_its_session(balanced: Balanced) -> None:
    with httpx.Client(base_url=balanced.url, timeout=30) as http:
        first = http.get("health")
        front = front_of(first)
        assert http.cookies[COOKIE] == front
        for _ in range(6):  # other session ids would hash to either front: the cookie wins
            assert stream_front(http, "queue/data", secrets.token_hex(8)) == front


def test_three_clients_second_and_third_join_while_the_first_runs_and_share_a_batch(
    balanced: Balanced,
) -> None:
    gate = balanced.gate
    ray.get(gate.reset.remote(), timeout=30)
    first, second, third = balanced.clients_on_one_front(3)
    job = first.submit("alpha", 1, api_name="/trim_words")
    ray.get(gate.wait_held.remote(1), timeout=120)  # the replica starts on the first batch
    jobs = [job, second.submit("bravo", 2, api_name="/trim_words")]
    jobs.append(third.submit("charlie", 3, api_name="/trim_words"))
    ray.get(gate.open.remote(), timeout=30)
    answers = [answer(job.result(60)) for job in jobs]
    assert [trimmed for trimmed, _, _ in answers] == ["a", "br", "cha"]
    assert len({front for _, front, _ in answers}) == 1  # all three on their front
    batches = ray.get(gate.placed.remote(), timeout=30)
    assert [sorted(words) for words, _ in batches] == [["alpha"], ["bravo", "charlie"]]


def test_a_job_cancelled_while_waiting_never_runs_and_the_next_two_share_a_batch(balanced: Balanced) -> None:
    gate = balanced.gate
    ray.get(gate.reset.remote(), timeout=30)
    clients = balanced.clients_on_one_front(4)
    first = clients[0].submit("one", 1, api_name="/trim_words")
    ray.get(gate.wait_held.remote(1), timeout=120)
    second, third, fourth = (
        client.submit(word, 2, api_name="/trim_words")
        for client, word in zip(clients[1:], ["two", "three", "four"], strict=True)
    )
    assert second.cancel() is True
    ray.get(gate.open.remote(), timeout=30)
    assert [answer(job.result(60))[0] for job in (first, third, fourth)] == ["o", "th", "fo"]
    with pytest.raises(EventCancelledError):
        second.result(30)
    batches = [sorted(words) for words, _ in ray.get(gate.placed.remote(), timeout=30)]
    assert batches == [["one"], ["four", "three"]]


def test_both_fronts_send_their_batches_to_the_one_shared_replica(balanced: Balanced) -> None:
    ray.get(balanced.gate.reset.remote(), timeout=30)
    ray.get(balanced.gate.open.remote(), timeout=30)
    served: dict[str, int] = {}
    for _ in range(8):  # new clients land on both fronts (round robin on their first request)
        client, front = balanced.client()
        trimmed, index, pid = answer(client.predict("shared", 3, api_name="/trim_words"))
        assert (trimmed, f"front{index}") == ("sha", front)
        served[front] = pid
        if len(served) == 2:
            break
    assert set(served) == {"front0", "front1"}
    assert len(set(served.values())) == 1  # one replica process for both fronts


def test_gradio_clients_reach_one_front_by_its_cookie_or_without_one_by_the_session_hash(
    balanced: Balanced, monkeypatch: pytest.MonkeyPatch
) -> None:
    gradio_client = pytest.importorskip("gradio_client")
    import huggingface_hub.constants as hub  # offline, no token, no telemetry (as tests/integration)

    monkeypatch.setattr(hub, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(hub, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    ray.get(balanced.gate.reset.remote(), timeout=30)
    ray.get(balanced.gate.open.remote(), timeout=30)
    with_cookie = gradio_client.Client(balanced.url, verbose=False)
    assert COOKIE in with_cookie.cookies  # it keeps the cookies of its /config answer
    cookieless = gradio_client.Client(balanced.url, verbose=False)
    cookieless.cookies.clear()  # now only the session hash of its join and stream keeps them together
    try:
        for client in (with_cookie, cookieless):
            fronts = set()
            for _ in range(3):
                trimmed, front, _ = answer(client.predict("gradio", 2, api_name="/trim_words"))
                assert trimmed == "gr"
                fronts.add(front)
            assert len(fronts) == 1  # every call of one client (one session) on one front
    finally:
        for client in (with_cookie, cookieless):
            getattr(client, "close", lambda: None)()


def test_stopping_carpool_run_stops_the_balancer_and_every_front(balanced: Balanced) -> None:
    balanced.process.send_signal(signal.SIGINT)
    assert balanced.process.wait(60) == 0
    for port in [int(balanced.url.rsplit(":", 1)[1].strip("/")), *balanced.front_ports]:
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()

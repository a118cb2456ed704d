"""``carpool run app.py --workers N``: N front processes behind HAProxy, one Ray cluster for all.

One carpool process is one queue. When the front end itself is the limit (thousands of streaming
clients, CPU-heavy media conversion), this runs N copies of the app, each a full carpool server on a
loopback port, behind Debian's HAProxy on the address users reach. The balancer keeps each session on
one front: a session's join, its event stream and its cancels must meet the same queue.

- A request that names its session (``session_hash`` in the query string, or in a JSON body: joins,
  cancels, Gradio's and carpool's protocols alike) goes to the front its session id hashes to
  (consistent hashing, so a front that goes away moves only its own sessions).
- Every answer sets a ``carpool_front`` cookie naming the front; a client that sends it back (a
  browser, carpool's Python client) stays on that front for everything, uploads and file downloads
  too, which carry no session id. The cookie wins over the hash.
- Anything else (a first page load, a ``POST /api`` call) goes to any live front (round robin).

Ray: when Ray is installed and ``RAY_ADDRESS`` is not set, this process starts a local Ray instance
and hands its address to every front, so each front's ``RayPool`` joins the same cluster; the fronts
run with ``CARPOOL_SHARED_POOLS=1``, which makes their pools share named replicas (see
``carpool.scale._shared``) instead of each loading the model. Stopping this process stops the
balancer, the fronts and that Ray instance (and with it the shared replicas).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Fronts", "find_haproxy", "haproxy_config", "run_workers"]

SHARED_ENV = "CARPOOL_SHARED_POOLS"  # the same name as carpool.scale._shared.SHARED_ENV
FRONT_ENV = "CARPOOL_FRONT_INDEX"  # 0..N-1 in each front, for logs and tests
COOKIE = "carpool_front"
START_TIMEOUT = 180.0  # seconds for a front to import the app and answer /health
STOP_GRACE = 10.0  # seconds a front gets to finish after SIGINT before it is killed


def haproxy_config(host: str, port: int, fronts: Sequence[int]) -> str:
    """HAProxy's configuration: ``host:port`` balanced over fronts on ``127.0.0.1:<fronts[i]>``."""
    servers = "\n".join(
        f"    server front{index} 127.0.0.1:{front} check inter 2s cookie front{index}"
        for index, front in enumerate(fronts)
    )
    return f"""# Written by `carpool run --workers {len(fronts)}`; see docs/scaling.md.
global
    # No maxconn: HAProxy sizes it to the open-files limit (each proxied stream holds two).
    log stderr format short local0 err

defaults
    mode http
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    timeout http-request 30s
    option forwardfor

frontend carpool
    bind {_address(host)}:{port}
    # Joins and cancels name their session in a JSON body: read the body (up to one buffer) first.
    option http-buffer-request
    acl has_session var(txn.session) -m found
    acl json_body req.hdr(content-type) -m sub application/json
    http-request set-var(txn.session) url_param(session_hash)
    http-request set-var(txn.session) req.body,json_query('$.session_hash') if !has_session json_body
    default_backend fronts

backend fronts
    # Same session, same front: the session id picks it; without one, round robin.
    balance hash var(txn.session)
    hash-type consistent
    # A client that keeps cookies stays on its front for everything (uploads, files, /call results).
    cookie {COOKIE} insert indirect nocache httponly
    # Which front answered: for logs, debugging and the tests.
    http-response set-header X-Carpool-Front %[srv_name]
    option httpchk GET /health
{servers}
"""


def _address(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def find_haproxy() -> str:
    """The haproxy executable (Debian puts it in /usr/sbin), or SystemExit saying how to get one."""
    found = shutil.which("haproxy") or next(
        (path for path in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.access(path, os.X_OK)),
        None,
    )
    if found is None:
        raise SystemExit(
            "carpool run --workers needs HAProxy as its load balancer: apt-get install haproxy "
            "(or scripts/install-haproxy); to use another balancer, see docs/scaling.md"
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _pick_port(host: str, port: int | None) -> int:
    """``--port``: as given; 0 for any free one; none for 7860 or the next free one, as launch() does."""
    if port is not None:
        return port or free_port(host)
    for candidate in range(7860, 7960):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return free_port(host)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@dataclass
class Fronts:
    """The balancer, the fronts and (maybe) a local Ray instance, started and stopped together."""

    target: str
    workers: int
    host: str = "127.0.0.1"
    port: int = 0
    show_error: bool = False
    ray: bool = True  # start a local Ray for the fronts' pools when Ray is installed and none is set
    front_ports: list[int] = field(default_factory=list)
    _fronts: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _balancer: subprocess.Popen[bytes] | None = None
    _folder: tempfile.TemporaryDirectory[str] | None = None
    _ray_started: bool = False

    @property
    def url(self) -> str:
        return f"http://{_address(self.host)}:{self.port}/"

    def start(self) -> str:
        """Start everything; returns the balancer's URL once every front answers. Cleans up on error."""
        if self.workers < 1:
            raise SystemExit(f"carpool: --workers must be >= 1, got {self.workers}")
        haproxy = find_haproxy()
        self.port = self.port or free_port(self.host)
        try:
            env = self._front_env()
            self.front_ports = [free_port() for _ in range(self.workers)]
            self._fronts = [
                self._start_front(index, port, env) for index, port in enumerate(self.front_ports)
            ]
            self._wait_healthy()
            self._folder = tempfile.TemporaryDirectory(prefix="carpool-fronts-")
            config = Path(self._folder.name) / "haproxy.cfg"
            config.write_text(haproxy_config(self.host, self.port, self.front_ports))
            self._balancer = subprocess.Popen([haproxy, "-db", "-f", str(config)])
            self._wait_listening()
        except BaseException:
            self.stop()
            raise
        return self.url

    def _front_env(self) -> dict[str, str]:
        env = dict(os.environ, **{SHARED_ENV: "1"})
        if self.ray and not env.get("RAY_ADDRESS"):
            address = self._start_ray()
            if address is not None:
                env["RAY_ADDRESS"] = address
        return env

    def _start_ray(self) -> str | None:
        try:
            import ray
        except ImportError:
            return None  # no Ray, no pools to share: the fronts run local functions only
        if not ray.is_initialized():
            ray.init(include_dashboard=False, log_to_driver=False)
            self._ray_started = True
        return str(ray.get_runtime_context().gcs_address)

    def _start_front(self, index: int, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "carpool", "run", self.target, "--host", "127.0.0.1"]
        command += ["--port", str(port), *(["--show-error"] if self.show_error else [])]
        return subprocess.Popen(command, env=dict(env, **{FRONT_ENV: str(index)}))

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        waiting = set(range(self.workers))
        while waiting:
            for index in sorted(waiting):
                if self._fronts[index].poll() is not None:
                    raise SystemExit(f"carpool: front {index} exited with {self._fronts[index].returncode}")
                if _healthy(self.front_ports[index]):
                    waiting.discard(index)
            if waiting and time.monotonic() > deadline:
                raise SystemExit(f"carpool: fronts {sorted(waiting)} did not start in {START_TIMEOUT:g} s")
            time.sleep(0.1)

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            assert self._balancer is not None
            if self._balancer.poll() is not None:
                raise SystemExit(f"carpool: haproxy exited with {self._balancer.returncode}")
            try:
                socket.create_connection(
                    (self.host if self.host not in ("0.0.0.0", "::") else "127.0.0.1", self.port), 1
                ).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("carpool: haproxy did not start listening in 30 s") from None
                time.sleep(0.05)

    def wait(self) -> int:
        """Serve until SIGINT/SIGTERM (0) or until a child exits on its own (1, after stopping the rest)."""
        stopping: list[int] = []

        def on_signal(number: int, _frame: Any) -> None:
            stopping.append(number)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not stopping:
                exited = [(name, child) for name, child in self._children() if child.poll() is not None]
                if exited:
                    name, child = exited[0]
                    print(
                        f"carpool: {name} exited with {child.returncode}; stopping the others",
                        file=sys.stderr,
                    )
                    return 1
                time.sleep(0.2)
            return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.stop()

    def _children(self) -> list[tuple[str, subprocess.Popen[bytes]]]:
        named = [(f"front {index}", front) for index, front in enumerate(self._fronts)]
        return named + ([("haproxy", self._balancer)] if self._balancer is not None else [])

    def stop(self) -> None:
        """Stop the balancer first (no new requests), then the fronts, then Ray. Idempotent."""
        if self._balancer is not None:
            _end(self._balancer, signal.SIGTERM)
        for front in self._fronts:
            if front.poll() is None:
                front.send_signal(signal.SIGTERM)  # uvicorn finishes what it serves, then exits
        for front in self._fronts:
            _end(front, signal.SIGTERM)
        self._balancer, self._fronts = None, []
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
        if self._ray_started:
            import ray

            ray.shutdown()  # the instance this process started: the shared replicas end with it
            self._ray_started = False


def _end(child: subprocess.Popen[bytes], first: signal.Signals) -> None:
    if child.poll() is None:
        child.send_signal(first)
    try:
        child.wait(STOP_GRACE)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def run_workers(
    target: str, workers: int, host: str | None, port: int | None, show_error: bool, ray: bool
) -> int:
    """``carpool run --workers N``: start, print the URL, serve until Ctrl+C, stop everything."""
    host = host or "127.0.0.1"
    fronts = Fronts(target, workers, host, _pick_port(host, port), show_error, ray)
    url = fronts.start()
    print(f"carpool: {workers} fronts behind haproxy at {url} (fronts on 127.0.0.1 ports "
          f"{', '.join(map(str, fronts.front_ports))})", flush=True)  # fmt: skip
    return fronts.wait()

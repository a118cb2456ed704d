"""Launching and stopping: demo.launch/close, graceful shutdown, and the ``carpool`` command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from integration_support import Gate

from carpool import app as carpool_app
from carpool.app import Blocks
from carpool.cli import main
from carpool.client import Client
from carpool.components import Button, Textbox
from carpool.exceptions import EngineClosedError
from carpool.server import RunningServer, launch

APP_SOURCE = """
from carpool.app import Blocks
from carpool.components import Button, Textbox

def shout(text):
    return text.upper()

with Blocks() as demo:
    box, out = Textbox(), Textbox()
    Button("Shout").click(shout, box, out)

if __name__ == "__main__":
    raise SystemExit("imported as __main__: carpool run must not do that")
"""


def gated_app(gate: Gate) -> Blocks:
    def shout(text: str) -> str:
        if text == "block":
            gate.enter()
        return text.upper()

    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Shout").click(shout, box, out)
    return demo


@pytest.fixture
def launcher_installed() -> Iterator[None]:
    previous = carpool_app.set_launcher(launch)
    yield
    carpool_app.set_launcher(previous)


def test_demo_launch_returns_the_url_and_close_stops_the_server(launcher_installed: None) -> None:
    demo = gated_app(Gate())
    url = demo.launch(server_name="127.0.0.1", server_port=0, prevent_thread_lock=True, quiet=True)
    assert httpx.get(url + "health").json() == {"status": "ok"}
    demo.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "health")


def test_shutdown_fails_waiting_events_and_lets_the_running_batch_finish(
    serve: Callable[..., RunningServer],
) -> None:
    gate = Gate()
    server = serve(gated_app(gate))
    with Client(server.local_url) as client:
        running = client.submit("block", api_name="/shout")
        assert gate.started.wait(10)
        waiting = client.submit("waits", api_name="/shout")
        closer = threading.Thread(target=server.close, kwargs={"timeout": 20})
        closer.start()
        with pytest.raises(EngineClosedError):
            waiting.result(10)
        gate.release.set()
        assert running.result(10) == "BLOCK"
        closer.join(20)
    assert not closer.is_alive()


def _start_cli(args: list[str], cwd: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "carpool", *args], cwd=cwd, env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # bounded by pytest-timeout
    assert "Running on local URL" in line, line
    return process, line.split()[-1]


@pytest.mark.parametrize("target", ["shout_app.py", "shout_app:demo"])
def test_carpool_run_serves_the_app_and_stops_on_sigterm(tmp_path: Path, target: str) -> None:
    (tmp_path / "shout_app.py").write_text(textwrap.dedent(APP_SOURCE))
    process, url = _start_cli(["run", target, "--host", "127.0.0.1", "--port", "0"], tmp_path)
    try:
        assert httpx.post(url + "api/shout", json={"data": ["cli"]}, timeout=10).json() == {"data": ["CLI"]}
    finally:
        process.send_signal(signal.SIGTERM)
        # uvicorn drains, then re-raises the signal so the exit status still says "terminated"
        assert process.wait(timeout=20) in (0, -signal.SIGTERM)


def test_carpool_bench_names_the_benchmarks_it_knows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "no-such-benchmark"]) == 2
    assert "available:" in capsys.readouterr().err

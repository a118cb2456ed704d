"""``carpool run`` owns the launch: a script's module-level ``launch()`` takes the command's flags.

The README's snippet ends with ``demo.queue().launch()`` at module level. Under ``carpool run app.py
--port N`` that call must not start a server of its own (on 7860, ignoring ``--port``, and a second one
on Ctrl+C): it records its options, and the command serves the app once, with its flags on top.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx

SCRIPT = """
import carpool as cp

def shout(text):
    if text == "crash":
        raise ValueError("detail only show_error reveals")
    return text.upper()

demo = cp.Interface(shout, "textbox", "textbox")
print("module imported", flush=True)
demo.queue().launch(show_error=True, server_port=7999)
print("launch returned", flush=True)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_carpool_run_serves_a_module_level_launch_once_on_the_cli_port(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(textwrap.dedent(SCRIPT))
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "carpool", "run", "app.py", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        # each readline is bounded by pytest-timeout
        assert process.stdout.readline() == "module imported\n"
        assert process.stdout.readline() == "launch returned\n"  # the script's own launch served nothing
        serving = process.stdout.readline()
        assert f"127.0.0.1:{port}" in serving, serving
        url = f"http://127.0.0.1:{port}/"
        assert httpx.post(url + "api/predict", json={"data": ["cli"]}, timeout=10).json() == {"data": ["CLI"]}
        crash = httpx.post(url + "api/predict", json={"data": ["crash"]}, timeout=10).json()
        assert "detail only show_error reveals" in crash["error"]["message"]  # the script's own option kept
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) in (0, -signal.SIGTERM)
    rest = process.stdout.read()
    assert "Running on" not in rest, rest  # no second server after the first one stopped

"""examples/ray_app.py served as `carpool run` serves it, in a fresh process with no Ray running yet.

That is the path a user takes: the app file is imported under its own name (the replicas could not
import it, so the pool ships it by value) and the first request starts Ray and the replicas from the
server's event loop thread (so Ray's processes must be started on a thread that outlives it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="carpool.scale needs Ray: pip install 'carpool[ray]'")

ROOT = Path(__file__).resolve().parents[2]

SERVE_AND_ASK = """
import sys
from carpool.cli import load_target
from carpool.client import Client

demo = load_target(sys.argv[1])
url = demo.launch(server_name="127.0.0.1", server_port=0, prevent_thread_lock=True, quiet=True)
with Client(url) as client:
    for text in ("What a lovely day", "awful, slow and broken"):
        label, served = client.predict(text)
        print(label["label"], served, flush=True)
demo.close()
"""


def test_the_ray_example_answers_its_first_requests_when_served_like_carpool_run() -> None:
    env = {**os.environ, "RAY_APP_REPLICAS": "1"}
    env.pop("RAY_ADDRESS", None)  # a local instance of its own, never a cluster this machine may know
    done = subprocess.run(
        [sys.executable, "-c", SERVE_AND_ASK, str(ROOT / "examples" / "ray_app.py")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["positive", "negative"]
    assert all("batch of 1" in line for line in lines)

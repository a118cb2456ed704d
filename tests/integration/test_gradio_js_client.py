"""The official ``@gradio/client`` (npm, pinned in tests/node/package-lock.json) under Node, unchanged.

``tests/node/gradio_client_check.mjs`` connects to a carpool app and drives it: ``Client.connect``,
``view_api``, ``predict`` (keyword and positional), ``submit`` with streamed ``data`` events, file
upload and download, State, an error. ``scripts/install-node-deps`` (run by ``make test``) installs
Node and the package; without them this module is skipped, saying so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gradio_client_support import BatchProbe, gradio_demo

from carpool.server import RunningServer

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
CHECK = NODE_DIR / "gradio_client_check.mjs"
LOGIN = NODE_DIR / "gradio_client_auth.mjs"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (NODE_DIR / "node_modules" / "@gradio" / "client").is_dir(),
    reason="Node and @gradio/client are not installed: run scripts/install-node-deps",
)


def run_node(script: Path, url: str) -> dict[str, Any]:
    """Run one of the tests/node scripts against ``url``; what it printed as its last line, parsed."""
    assert NODE is not None
    run = subprocess.run(
        [NODE, str(script), url], cwd=NODE_DIR, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def seen(serve_per_module: Callable[..., RunningServer]) -> dict[str, Any]:
    return run_node(CHECK, serve_per_module(gradio_demo(BatchProbe())).local_url)


def test_the_installed_client_is_the_pinned_one() -> None:
    installed = json.loads((NODE_DIR / "node_modules" / "@gradio" / "client" / "package.json").read_text())
    pinned = json.loads((NODE_DIR / "package.json").read_text())["dependencies"]["@gradio/client"]
    assert installed["version"] == pinned


def test_connect_and_view_api(seen: dict[str, Any]) -> None:
    assert {"/greet", "/count", "/shout_file", "/copy_file", "/tally"} <= set(seen["named_endpoints"])
    assert seen["greet_parameters"] == ["name", "times"]
    assert seen["count_is_generator"] is True


def test_predict_with_keyword_and_positional_data(seen: dict[str, Any]) -> None:
    assert seen["predict"] == ["hi abab"]
    assert seen["predict_positional"] == ["hi cd"]


def test_submit_streams_each_partial_output_as_a_data_event(seen: dict[str, Any]) -> None:
    # rebuilt from sse_v3 edits; the client repeats the final value with the completion, as with Gradio
    assert seen["partials"] == [["0"], ["01"], ["012"], ["0123"], ["0123"]]
    assert "complete" in seen["stages"] and "error" not in seen["stages"]


def test_files_go_up_and_come_back(seen: dict[str, Any]) -> None:
    assert seen["shout_file"] == ["UPLOAD ME"]
    assert seen["copied_bytes"] == "abc!" and seen["copied_name"].startswith("copy-")


def test_state_and_errors(seen: dict[str, Any]) -> None:
    assert seen["tally"] == [["a:1"], ["b:2"]]
    assert seen["error"] == "no fish here"


def test_auth_logs_in_with_the_clients_multipart_form(serve: Callable[..., RunningServer]) -> None:
    url = serve(gradio_demo(BatchProbe()), auth=("ada", "lovelace")).local_url
    seen = run_node(LOGIN, url)
    assert seen["wrong_password"] == "Invalid credentials. Could not login. "  # the client's own message
    assert seen["predict"] == ["hi ok"]


def test_a_chat_interface_answers_in_gradios_call_shape(serve: Callable[..., RunningServer]) -> None:
    import carpool as cp

    def respond(message: str, history: list[dict[str, Any]]) -> str:
        return f"{message} after {len(history)}"

    seen = run_node(NODE_DIR / "gradio_client_chat.mjs", serve(cp.ChatInterface(respond)).local_url)
    assert seen == {"first": ["hi after 0"], "second": ["again after 2"], "parameters": ["message"]}

"""Apps that security and reliability tests serve from a child process.

``python served_apps.py APP '{"option": value}'`` builds APP and launches it blocking, the way a deployed
app runs: uvicorn owns the main thread and its SIGTERM/SIGINT handling. Options go to ``launch`` except
``delay`` (seconds a batch of ``slow_batch`` works). The port comes from the OS; the URL is printed.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from carpool.app import Blocks
from carpool.components import Button, File, Textbox
from carpool.server import launch


def echo_app(options: dict[str, Any]) -> Blocks:
    def echo(text: str) -> str:
        return text

    def name_of(path: str | None) -> str:
        return "" if path is None else path.rsplit("/", 1)[-1]

    with Blocks() as demo:
        box, upload, out = Textbox(), File(), Textbox()
        Button("Echo").click(echo, box, out, api_name="echo")
        Button("Name").click(name_of, upload, out, api_name="file_name")
    return demo


def slow_batch_app(options: dict[str, Any]) -> Blocks:
    delay = float(options.pop("delay", 0.5))

    def shout(words: list[str]) -> list[list[str]]:
        time.sleep(delay)  # stands in for a model working on the batch
        return [[word.upper() for word in words]]

    with Blocks() as demo:
        box, out = Textbox(), Textbox()
        Button("Shout").click(shout, box, out, api_name="shout", batch=True, max_batch_size=4)
    return demo


APPS = {"echo": echo_app, "slow_batch": slow_batch_app}


def main(argv: list[str]) -> None:
    name, options = argv[1], json.loads(argv[2]) if len(argv) > 2 else {}
    blocks = APPS[name](options)
    # prints "Running on local URL" once the socket listens: the parent waits for that line
    launch(blocks, server_name="127.0.0.1", server_port=0, **options)


if __name__ == "__main__":
    main(sys.argv)

"""A small app built with real Gradio (the test oracle), served by Gradio itself in a subprocess.

``python gradio_peer_app.py PORT`` launches it on 127.0.0.1:PORT and prints ``ready`` once it serves.
Batch sizes the batched endpoint received are appended, one per line, to the file named by
``GRADIO_PEER_SIZES``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator

import gradio as gr

SIZES_FILE = os.environ.get("GRADIO_PEER_SIZES")
LOCK = threading.Lock()


def greet(name: str, times: float) -> str:
    return " ".join([f"hello {name}"] * int(times))


def count(text: str) -> Iterator[str]:
    for end in range(1, len(text) + 1):
        yield text[:end]


def shout(words: list[str]) -> list[list[str]]:
    if SIZES_FILE:
        with LOCK, open(SIZES_FILE, "a") as out:
            out.write(f"{len(words)}\n")
    return [[word.upper() for word in words]]


def refuse(text: str) -> str:
    raise gr.Error(f"refused {text}")


def flip(path: str) -> str:
    return path  # the same image back: the round trip is what is tested


with gr.Blocks(title="Gradio peer") as demo:
    name, times, out = gr.Textbox(label="name"), gr.Number(value=1, label="times"), gr.Textbox(label="out")
    image_in, image_out = gr.Image(type="filepath", label="picture"), gr.Image(type="filepath")
    go = gr.Button()
    go.click(greet, [name, times], out, api_name="greet")
    go.click(count, name, out, api_name="count")
    go.click(shout, name, out, api_name="shout", batch=True, max_batch_size=4)
    go.click(refuse, name, out, api_name="refuse")
    go.click(flip, image_in, image_out, api_name="flip")

if __name__ == "__main__":
    port = int(sys.argv[1])
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    print("ready", flush=True)
    threading.Event().wait()

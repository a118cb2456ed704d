"""The app's listeners running in a real in-process engine (no sockets)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image as PILImage

import carpool.components as cc
from carpool.app import Blocks, Examples, Interface, Progress, Request
from carpool.core import Engine
from carpool.core import Progress as ProgressMessage
from carpool.exceptions import FileAccessError


async def run_app(demo: Blocks) -> Engine:
    engine = Engine(max_workers=4)
    for config in demo.listener_configs():
        engine.add_listener(config)
    await engine.start()
    return engine


async def test_a_function_asking_for_the_request_gets_the_events_context() -> None:
    def whoami(x: str, request: Request) -> str:
        return f"{x}:{request.username}:{request.headers['X-Test']}:{request.client.host}"

    demo = Interface(whoami, "text", "text")
    engine = await run_app(demo)
    try:
        context = {
            "headers": {"x-test": "yes"},
            "client": ("10.0.0.1", 5),
            "username": "ann",
            "session_hash": "s1",
            "query_params": {"q": "1"},
        }
        job = engine.submit("whoami", ["a"], context=context)
        assert await asyncio.wait_for(job.result(), 5) == "a:ann:yes:10.0.0.1"
    finally:
        await engine.close()


async def test_a_batched_function_gets_one_request_per_sample_in_order() -> None:
    started, release = threading.Event(), threading.Event()
    seen: list[list[str | None]] = []

    def batched(xs: list[str], request: Request) -> list[list[str]]:
        started.set()
        release.wait(5)
        seen.append([r.session_hash for r in request])
        return [[f"{x}@{r.session_hash}" for x, r in zip(xs, request, strict=True)]]

    demo = Interface(batched, "text", "text", batch=True, max_batch_size=8)
    engine = await run_app(demo)
    try:
        first = engine.submit("batched", ["a"], context={"session_hash": "s0"})
        assert await asyncio.to_thread(started.wait, 5)  # the first batch (of one) runs and blocks
        rest = [
            engine.submit("batched", [x], context={"session_hash": f"s{i}"}) for i, x in enumerate("bc", 1)
        ]
        release.set()
        results = await asyncio.wait_for(asyncio.gather(first.result(), *(j.result() for j in rest)), 5)
        assert results == ["a@s0", "b@s1", "c@s2"]
        assert seen == [["s0"], ["s1", "s2"]]
    finally:
        await engine.close()


async def test_progress_reports_reach_every_event_of_the_batch() -> None:
    def slow(xs: list[str], progress: Progress = Progress()) -> list[list[str]]:
        progress(0.5, desc="half")
        for _ in progress.tqdm(range(3), desc="loop"):
            pass
        return [xs]

    demo = Interface(slow, "text", "text", batch=True)
    engine = await run_app(demo)
    try:
        seen: list[Any] = []  # every message as it is emitted (a late reader gets the last progress only)
        jobs = engine.submit_batch("slow", [["a"], ["b"]], on_message=seen.append)
        for job in jobs:
            await asyncio.wait_for(job.result(), 5)
            units = [m.units[0] for m in seen if isinstance(m, ProgressMessage) and m.event_id == job.id]
            assert units[0].progress == 0.5 and units[0].desc == "half"
            assert (units[-1].index, units[-1].length, units[-1].desc) == (3, 3, "loop")
    finally:
        await engine.close()


async def test_a_generator_with_injected_progress_still_streams() -> None:
    def count(n: float, progress: Progress = Progress()) -> Iterator[str]:
        for i in progress.tqdm(range(int(n))):
            yield str(i)

    demo = Interface(count, "number", "text")
    engine = await run_app(demo)
    try:
        job = engine.submit("count", [3])
        assert await asyncio.wait_for(job.result(), 5) == "2"
    finally:
        await engine.close()


async def test_cached_examples_run_through_the_batched_function_in_real_batches() -> None:
    sizes: list[int] = []

    def shout(words: list[str]) -> list[list[str]]:
        sizes.append(len(words))
        return [[w.upper() for w in words]]

    words = [f"w{i}" for i in range(10)]
    demo = Interface(shout, "text", "text", batch=True, max_batch_size=4, examples=words, cache_examples=True)
    engine = await run_app(demo)
    try:
        await demo.cache_examples(engine)
    finally:
        await engine.close()
    assert sum(sizes) == 10 and max(sizes) == 4 and all(size > 1 for size in sizes)
    (examples,) = [c for c in demo.config()["components"] if c["type"] == "examples"]
    props = examples["props"]
    assert props["samples"] == [[w] for w in words]
    assert props["cached_outputs"] == [[w.upper()] for w in words]
    assert props["inputs"] == [demo.input_components[0].id]
    fetch = demo.examples.cached_output_dependency
    assert fetch.api_name is None
    assert fetch.postprocess(fetch.engine_fn()(3), None) == ["W3"]  # type: ignore[arg-type]


async def test_examples_with_an_unbatched_function_are_cached_too() -> None:
    with Blocks() as demo:
        a, b, out = cc.Textbox(), cc.Number(), cc.Textbox()
        examples = Examples(
            [["ab", 1], ["cd", 2]], [a, b], out, fn=lambda w, n: w * int(n), cache_examples=True
        )
    engine = await run_app(demo)
    try:
        await demo.cache_examples(engine)
    finally:
        await engine.close()
    assert examples.cached_outputs == [["ab"], ["cdcd"]]
    assert examples.run is not None and examples.run.api_name is None
    assert examples.run.targets == []  # cached: a click shows the stored outputs, nothing runs


async def test_file_examples_are_cached_through_the_file_store(tmp_path: Path) -> None:
    image_path = tmp_path / "black.png"
    PILImage.fromarray(np.zeros((4, 6, 3), dtype=np.uint8)).save(image_path)
    store = cc.FileStore(tmp_path / "store")
    store.allowed_paths.clear()  # nothing outside the store is servable ...
    with cc.use_file_store(store), pytest.raises(FileAccessError):
        cc.Image(render=False).postprocess(str(image_path))

    def shapes(images: list[np.ndarray]) -> list[list[str]]:
        return [[f"{image.shape[0]}x{image.shape[1]}" for image in images]]

    image = cc.Image(type="numpy", render=False)
    demo = Interface(shapes, image, "text", batch=True, examples=[str(image_path)] * 3, cache_examples=True)
    with cc.use_file_store(store):  # ... except the files the author named as examples
        engine = await run_app(demo)
        try:
            await demo.cache_examples(engine)
        finally:
            await engine.close()
        (sample,) = demo.examples.samples()[0]
    assert sample["orig_name"] == "black.png" and sample["url"] == f"/file/{sample['file_id']}"
    assert demo.examples.cached_outputs == [["4x6"]] * 3
    assert store.allowed_paths == [image_path.resolve()]

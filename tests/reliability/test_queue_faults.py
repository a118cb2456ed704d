"""A function that raises, hangs or returns the wrong shape never stalls the queue: the next event runs.

Every app here has ``concurrency_limit=1`` (the default): one stuck batch would stall everything behind
it, so "the next event runs" is exactly what is at stake.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from reliability_support import AsgiDriver

from carpool.app import Blocks
from carpool.components import Button, Number, Textbox
from carpool.server import create_app


class FaultyApp:
    """Functions that misbehave on demand; ``calls`` records what ran."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.hang_started = asyncio.Event()
        self.hang_cancelled = asyncio.Event()
        self.gate = threading.Event()
        self.gate_entered = threading.Event()

    def raises(self, text: str) -> str:
        self.calls.append(text)
        if text == "boom":
            raise ValueError("the model crashed")
        return text.upper()

    async def hangs(self, text: str) -> str:
        self.calls.append(text)
        if text == "hang":
            self.hang_started.set()
            try:
                await asyncio.Event().wait()  # never set: a function that never returns
            except asyncio.CancelledError:
                self.hang_cancelled.set()
                raise
        return text.upper()

    def blocks(self, text: str) -> str:
        self.calls.append(text)
        if text == "hang":
            self.gate_entered.set()
            assert self.gate.wait(20), "the test never released the gate"
        return text.upper()

    def wrong_shape(self, words: list[str]) -> list[list[str]]:
        self.calls.extend(words)
        if "short" in words:
            return [words[:-1]]  # one answer missing
        return [[word.upper() for word in words]]

    def wrong_count(self, text: str) -> Any:
        self.calls.append(text)
        return "only one" if text == "bad" else ("two", 2)

    def wrong_type(self, text: str) -> Any:
        self.calls.append(text)
        return "not a number" if text == "bad" else 7

    def blocks_app(self) -> Blocks:
        with Blocks() as demo:
            box, out, number = Textbox(), Textbox(), Number()
            Button("a").click(self.raises, box, out, api_name="raises")
            Button("b").click(self.hangs, box, out, api_name="hangs")
            Button("c").click(self.blocks, box, out, api_name="blocks", timeout=0.3)
            Button("d").click(
                self.wrong_shape, box, out, api_name="wrong_shape", batch=True, max_batch_size=4
            )
            Button("e").click(self.wrong_count, box, [out, number], api_name="wrong_count")
            Button("f").click(self.wrong_type, box, number, api_name="wrong_type")
        return demo


def call(driver: AsgiDriver, api_name: str, text: str, **options: Any) -> Any:
    return driver.request("POST", f"/api/{api_name}", json_body={"data": [text]}, **options)


async def test_a_function_that_raises_fails_only_its_event() -> None:
    faulty = FaultyApp()
    async with AsgiDriver(create_app(faulty.blocks_app())).running() as driver:
        failed = await call(driver, "raises", "boom")
        assert failed.status == 500 and failed.json()["error"]["type"] == "app_error"
        assert "crashed" not in failed.body.decode()  # the message stays on the server by default
        assert (await call(driver, "raises", "next")).json() == {"data": ["NEXT"]}


async def test_an_async_function_that_hangs_is_stopped_when_its_caller_gives_up() -> None:
    faulty = FaultyApp()
    async with AsgiDriver(create_app(faulty.blocks_app())).running() as driver:
        hung = asyncio.ensure_future(call(driver, "hangs", "hang", disconnect_after=faulty.hang_started))
        assert (await asyncio.wait_for(hung, 10)).status == 499  # nobody reads it
        await asyncio.wait_for(faulty.hang_cancelled.wait(), 10)
        assert (await asyncio.wait_for(call(driver, "hangs", "next"), 10)).json() == {"data": ["NEXT"]}


async def test_events_behind_a_hung_function_expire_at_their_timeout_then_the_queue_moves_on() -> None:
    faulty = FaultyApp()
    async with AsgiDriver(create_app(faulty.blocks_app())).running() as driver:
        stream = await driver.open_stream("s")
        hung = (await driver.join("s", "blocks", ["hang"])).json()["event_id"]
        assert await asyncio.to_thread(faulty.gate_entered.wait, 10)
        waiting = [(await driver.join("s", "blocks", [f"w{i}"])).json()["event_id"] for i in range(3)]
        finals = await stream.finals(3, timeout=10)  # expire while the function still hangs
        assert set(finals) == set(waiting)
        assert {final["error"]["type"] for final in finals.values()} == {"expired"}
        faulty.gate.set()
        assert (await stream.finals(1))[hung]["status"] == "completed"
        after = (await driver.join("s", "blocks", ["after"])).json()["event_id"]
        assert (await stream.finals(1))[after]["output"] == {"data": ["AFTER"]}
        await stream.disconnect()
    assert faulty.calls == ["hang", "after"]  # the expired ones never ran


async def test_a_batch_returning_the_wrong_shape_fails_and_the_next_batch_runs() -> None:
    faulty = FaultyApp()
    async with AsgiDriver(create_app(faulty.blocks_app())).running() as driver:
        failed = await call(driver, "wrong_shape", "short")
        assert failed.status == 500 and failed.json()["error"]["type"] == "batch_shape"
        assert (await call(driver, "wrong_shape", "fine")).json() == {"data": ["FINE"]}


async def test_a_return_value_the_outputs_cannot_show_fails_its_event_and_the_next_runs() -> None:
    faulty = FaultyApp()
    async with AsgiDriver(create_app(faulty.blocks_app())).running() as driver:
        for api_name in ("wrong_count", "wrong_type"):
            assert (await call(driver, api_name, "bad")).status == 500, api_name
            assert (await call(driver, api_name, "good")).status == 200, api_name
        stream = await driver.open_stream("s")
        bad = (await driver.join("s", "wrong_type", ["bad"])).json()["event_id"]
        good = (await driver.join("s", "wrong_type", ["good"])).json()["event_id"]
        finals = await stream.finals(2)
        assert finals[bad]["status"] == "failed" and finals[good]["output"] == {"data": [7]}
        await stream.disconnect()

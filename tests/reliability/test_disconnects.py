"""Clients that leave: a waiting event never runs; a running one's result is dropped and nothing leaks."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from reliability_support import AsgiDriver

from carpool.app import Blocks
from carpool.components import Button, Textbox
from carpool.server import create_app


class GatedApp:
    """``work("block")`` holds the (single) worker until the test opens the gate."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.returned = threading.Event()

    def work(self, text: str) -> str:
        self.calls.append(text)
        if text == "block":
            self.entered.set()
            assert self.gate.wait(20), "the test never opened the gate"
            self.returned.set()
        return text.upper()

    def blocks(self) -> Blocks:
        with Blocks() as demo:
            box, out = Textbox(), Textbox()
            Button("Work").click(self.work, box, out, api_name="work")
        return demo


def batch_finished_hook(driver: AsgiDriver) -> asyncio.Queue[Any]:
    """A queue receiving every finished batch's record (the engine reports them through metrics).

    Install it before the app starts: the engine is given ``metrics.record_batch`` at startup.
    """
    finished: asyncio.Queue[Any] = asyncio.Queue()
    metrics, loop = driver.state.metrics, asyncio.get_running_loop()
    record = metrics.record_batch

    def and_report(batch: Any) -> None:
        record(batch)
        loop.call_soon_threadsafe(finished.put_nowait, batch)

    metrics.record_batch = and_report
    return finished


def leftovers(driver: AsgiDriver) -> dict[str, int]:
    stats = driver.state.engine.stats()
    return {"sessions": len(driver.state.sessions), "waiting": stats.waiting, "in_flight": stats.in_flight}


async def test_a_client_leaving_while_its_event_waits_means_the_event_never_runs() -> None:
    app = GatedApp()
    async with AsgiDriver(create_app(app.blocks())).running() as driver:
        holder = await driver.open_stream("holder")
        await driver.join("holder", "work", ["block"])
        assert await asyncio.to_thread(app.entered.wait, 10)
        leaver = await driver.open_stream("leaver")
        await driver.join("leaver", "work", ["never"])
        await leaver.disconnect()
        app.gate.set()
        after = (await driver.join("holder", "work", ["after"])).json()["event_id"]
        finals = await holder.finals(2)
        assert finals[after]["status"] == "completed"
        await holder.disconnect()
        assert driver.state.engine.stats().cancelled == 1
    assert app.calls == ["block", "after"]


async def test_an_api_caller_leaving_while_waiting_means_the_call_never_runs() -> None:
    app = GatedApp()
    async with AsgiDriver(create_app(app.blocks())).running() as driver:
        holder = await driver.open_stream("holder")
        await driver.join("holder", "work", ["block"])
        assert await asyncio.to_thread(app.entered.wait, 10)
        gone = asyncio.Event()
        call = asyncio.ensure_future(
            driver.request("POST", "/api/work", json_body={"data": ["never"]}, disconnect_after=gone)
        )
        gone.set()  # the route reads the body (and queues the call) before it can see the client leave
        assert (await asyncio.wait_for(call, 10)).status == 499
        assert driver.state.engine.stats().cancelled == 1
        app.gate.set()
        await holder.finals(1)
        assert (await driver.request("POST", "/api/work", json_body={"data": ["after"]})).status == 200
        await holder.disconnect()
    assert app.calls == ["block", "after"]


async def test_a_client_leaving_while_its_event_runs_drops_the_result_and_leaks_nothing() -> None:
    app = GatedApp()
    driver = AsgiDriver(create_app(app.blocks()))
    finished = batch_finished_hook(driver)  # before startup: the engine takes the callback then
    async with driver.running():
        tasks_before = len(asyncio.all_tasks())
        stream = await driver.open_stream("leaver")
        await driver.join("leaver", "work", ["block"])
        assert await asyncio.to_thread(app.entered.wait, 10)
        await stream.disconnect()
        app.gate.set()
        await asyncio.wait_for(finished.get(), 10)  # the function returned; its result goes nowhere
        assert app.returned.is_set()
        assert leftovers(driver) == {"sessions": 0, "waiting": 0, "in_flight": 0}
        delivered = [stream.messages.get_nowait()["msg"] for _ in range(stream.messages.qsize())]
        assert "process_completed" not in delivered
        assert len(asyncio.all_tasks()) == tasks_before
        assert (await driver.request("POST", "/api/work", json_body={"data": ["next"]})).status == 200

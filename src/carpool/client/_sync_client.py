"""``Client`` and ``Job``: the blocking face of :class:`AsyncClient`.

The sync client runs an ``AsyncClient`` on a private event loop in a daemon thread (its "portal"), so
both faces share one implementation -- one event stream reader, one error mapping -- and a ``Job`` can
receive its messages while the caller's thread is busy elsewhere.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Iterator, Sequence
from types import TracebackType
from typing import Any, TypeVar

import httpx

from carpool.client._async_client import AsyncClient
from carpool.client._job import AsyncJob, JobStatus

__all__ = ["Client", "Job"]

T = TypeVar("T")


class _Portal:
    """An event loop in a daemon thread; ``call`` runs a coroutine there and waits for it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="carpool-client", daemon=True)
        self._thread.start()

    def call(self, awaitable: Awaitable[T], timeout: float | None = None) -> T:
        future = asyncio.run_coroutine_threadsafe(_awaited(awaitable), self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no result within {timeout} s") from None

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


class Job:
    """One queued event: ``result()``, ``status()``, ``cancel()``, ``done()``, iteration over outputs."""

    def __init__(self, job: AsyncJob, portal: _Portal) -> None:
        self._job = job
        self._portal = portal

    @property
    def event_id(self) -> str:
        return self._job.event_id

    def result(self, timeout: float | None = None) -> Any:
        """Block until the event ends: its outputs, or its error raised. TimeoutError after ``timeout``."""
        return self._portal.call(self._job.result(), timeout)

    def status(self) -> JobStatus:
        """``{"state", "position", "eta"}`` as of the last message from the server."""
        return self._job.status()

    def done(self) -> bool:
        return self._job.done()

    def cancel(self) -> bool:
        return self._portal.call(self._job.cancel())

    def outputs(self) -> list[Any]:
        """Every output generated so far."""
        return self._portal.call(self._job.outputs())

    def __iter__(self) -> Iterator[Any]:
        """Each generated output as it arrives; ends with the event."""
        iterator = self._job.__aiter__()
        while True:
            try:
                yield self._portal.call(iterator.__anext__())
            except StopAsyncIteration:
                return


class Client:
    """Call a carpool app over HTTP. ``httpx_client``/``transport`` must be async (httpx.AsyncClient /
    AsyncBaseTransport): the client runs on its own event loop."""

    def __init__(
        self,
        url: str,
        *,
        auth: tuple[str, str] | None = None,
        headers: dict[str, str] | None = None,
        httpx_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        download_dir: str | None = None,
    ) -> None:
        self._portal = _Portal()
        options = {"auth": auth, "headers": headers, "httpx_client": httpx_client, "transport": transport}
        self._client = self._portal.call(_make_client(url, download_dir=download_dir, **options))
        self._closed = False

    @property
    def url(self) -> str:
        return self._client.url

    @property
    def session_hash(self) -> str:
        return self._client.session_hash

    def predict(self, *data: Any, api_name: str = "/predict", timeout: float | None = None) -> Any:
        """One sample's outputs. ``timeout``: seconds it may wait in the server's queue (then it never
        runs and EventExpiredError is raised); see ``AsyncClient.predict``."""
        return self._portal.call(self._client.predict(*data, api_name=api_name, timeout=timeout))

    def predict_batch(
        self, samples: Sequence[Any], *, api_name: str = "/predict", timeout: float | None = None
    ) -> list[Any]:
        return self._portal.call(self._client.predict_batch(samples, api_name=api_name, timeout=timeout))

    def submit(self, *data: Any, api_name: str = "/predict", timeout: float | None = None) -> Job:
        """Queue one sample; ``timeout`` is its deadline in the server's queue (``Job.result(timeout=)``
        only bounds your own wait)."""
        job = self._portal.call(self._client.submit(*data, api_name=api_name, timeout=timeout))
        return Job(job, self._portal)

    def stream(self, *data: Any, api_name: str = "/predict", timeout: float | None = None) -> Iterator[Any]:
        """Each output of one call as it is produced (``AsyncClient.stream``); a failure raises."""
        outputs = self._client.stream(*data, api_name=api_name, timeout=timeout)
        try:
            while True:
                try:
                    yield self._portal.call(anext(outputs))
                except StopAsyncIteration:
                    return
        finally:  # the caller may stop early: close the stream (the server cancels the event)
            self._portal.call(outputs.aclose())

    def view_api(self, print_info: bool = True) -> dict[str, Any]:
        return self._portal.call(self._client.view_api(print_info))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._portal.call(self._client.close())
        self._portal.stop()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


async def _make_client(url: str, **options: Any) -> AsyncClient:
    # httpx.AsyncClient binds to the loop it is first used on: build it on the portal's loop.
    return AsyncClient(url, **options)

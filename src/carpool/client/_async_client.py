"""``AsyncClient``: call a carpool app over HTTP from asyncio code.

Single calls (``predict``, ``predict_batch``) use ``POST /api/{name}``, which goes through the server's
queue. Jobs (``submit``) use the queue protocol: a join per event and ONE event stream per client
session, multiplexing every event's messages, so a thousand pending jobs hold one connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import secrets
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from types import TracebackType
from typing import Any

import httpx

from carpool.client._endpoints import Endpoint, EndpointDirectory
from carpool.client._errors import error_from_body, raise_for_response
from carpool.client._files import Downloads, FileInput, is_file_data, replace_files
from carpool.client._job import AsyncJob
from carpool.client._sse import NamedEventDecoder, SSEDecoder
from carpool.exceptions import CarpoolError, ProtocolError, UnknownEndpointError
from carpool.protocol import Msg

__all__ = ["AsyncClient", "endpoint_path", "one_or_tuple"]

# No read timeout: a model may legitimately take minutes, and the stream idles between heartbeats.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=None, write=60.0, pool=None)


def endpoint_path(api_name: str) -> str:
    return "api/" + api_name.strip("/")


def one_or_tuple(outputs: list[Any]) -> Any:
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _json(response: httpx.Response) -> Any:
    raise_for_response(response)
    try:
        return json.loads(response.content)
    except ValueError as error:
        raise ProtocolError(f"expected JSON from {response.request.url.path}") from error


class AsyncClient:
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
        self.url = url.rstrip("/") + "/"
        self._owns_http = httpx_client is None
        self._http = httpx_client or httpx.AsyncClient(
            base_url=self.url, headers=headers, transport=transport, timeout=DEFAULT_TIMEOUT
        )
        self._auth = auth
        self._logged_in = False
        self.session_hash = secrets.token_hex(12)
        self._jobs: dict[str, AsyncJob] = {}
        self._early: dict[str, list[dict[str, Any]]] = {}  # messages that beat the join's response
        self._stream: asyncio.Task[None] | None = None
        self._stream_open: asyncio.Future[None] | None = None
        self._downloads = Downloads(download_dir)
        self._directory: EndpointDirectory | None = None  # from /info, fetched once
        self._closed = False

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- HTTP ---------------------------------------------------------------------------------------

    def _href(self, path: str) -> str:
        return self.url + path.lstrip("/")

    async def _login(self) -> None:
        if self._auth is None or self._logged_in:
            return
        username, password = self._auth
        response = await self._http.post(
            self._href("login"), json={"username": username, "password": password}
        )
        raise_for_response(response)
        self._logged_in = True

    async def _get_json(self, path: str) -> Any:
        await self._login()
        return _json(await self._http.get(self._href(path)))

    async def _post_json(self, path: str, body: Any) -> Any:
        await self._login()
        return _json(await self._http.post(self._href(path), json=body))

    # -- files ----------------------------------------------------------------------------------------

    async def _upload(self, file: FileInput) -> Any:
        await self._login()
        with file.path.open("rb") as handle:
            response = await self._http.post(self._href("upload"), files={"files": (file.path.name, handle)})
        return _json(response)["files"][0]

    async def _download(self, file_data: dict[str, Any]) -> str:
        known = self._downloads.known(file_data["file_id"])
        if known is not None:
            return known
        target = self._downloads.target(file_data)
        async with self._http.stream("GET", self._href(f"file/{file_data['file_id']}")) as response:
            if not response.is_success:
                await response.aread()
                raise_for_response(response)
            with target.open("wb") as out:
                async for chunk in response.aiter_bytes():
                    out.write(chunk)
        return self._downloads.remember(file_data["file_id"], target)

    async def _inputs(self, data: Sequence[Any]) -> list[Any]:
        return list(await replace_files(list(data), self._upload, lambda v: isinstance(v, FileInput)))

    async def _outputs(self, data: list[Any], stateful: Sequence[bool] = ()) -> Any:
        if len(stateful) == len(data):  # State lives on the server: its outputs are not results
            data = [value for value, state in zip(data, stateful, strict=True) if not state]
        return one_or_tuple(list(await replace_files(data, self._download, is_file_data)))

    async def _endpoints(self) -> EndpointDirectory:
        if self._directory is None:
            try:
                info = await self._get_json("info")
            except CarpoolError:  # /info unavailable: calls go out as given, every output is returned
                info = {}
            self._directory = EndpointDirectory(info)
        return self._directory

    async def _endpoint(self, api_name: str) -> Endpoint | None:
        return (await self._endpoints()).get(api_name)

    async def _stateful(self, api_name: str) -> list[bool]:
        """Which outputs of the endpoint are State (as Gradio's client, they are left out of results)."""
        endpoint = await self._endpoint(api_name)
        return list(endpoint.stateful_returns) if endpoint is not None else []

    async def _call_inputs(self, api_name: str, data: Sequence[Any]) -> list[Any]:
        """One sample's inputs for the wire: left-out defaults filled in, files uploaded."""
        endpoint = await self._endpoint(api_name)
        return await self._inputs(endpoint.complete(data) if endpoint is not None else data)

    @contextlib.asynccontextmanager
    async def _naming_endpoints(self, api_name: str) -> AsyncIterator[None]:
        """An unknown endpoint's error lists the endpoints the app has (a Blocks app has no /predict)."""
        try:
            yield
        except UnknownEndpointError as error:
            raise (await self._endpoints()).unknown(api_name) from error

    # -- calls ----------------------------------------------------------------------------------------

    async def predict(self, *data: Any, api_name: str = "/predict", timeout: float | None = None) -> Any:
        """Call the endpoint with one sample; one output -> its value, several -> a tuple.

        ``timeout``: seconds the call may wait in the server's queue; still waiting then, it never runs
        and raises EventExpiredError. (A call that started is bound by the listener's ``time_limit``.)
        """
        async with self._naming_endpoints(api_name):
            inputs = await self._call_inputs(api_name, data)
            body = await self._post_json(endpoint_path(api_name), _with_timeout({"data": inputs}, timeout))
        return await self._outputs(_data_list(body), await self._stateful(api_name))

    async def predict_batch(
        self, samples: Sequence[Any], *, api_name: str = "/predict", timeout: float | None = None
    ) -> list[Any]:
        """Run ``samples`` (each a tuple of input values, or one value for one input) as ONE batch.

        Returns one entry per sample: its outputs, or the exception of a sample that failed alone.
        ``timeout`` as for :meth:`predict`, shared by every sample.
        """
        given = [list(s) if isinstance(s, list | tuple) else [s] for s in samples]
        if not given:
            return []
        async with self._naming_endpoints(api_name):
            endpoint = await self._endpoint(api_name)
            rows = [endpoint.complete(row) if endpoint is not None else row for row in given]
            columns = [[await self._inputs_one(row[i]) for row in rows] for i in range(len(rows[0]))]
            call = _with_timeout({"data": columns, "batched": True}, timeout)
            body = await self._post_json(endpoint_path(api_name), call)
        out_columns = _data_list(body)
        errors = body.get("errors") or [None] * len(rows)
        stateful = await self._stateful(api_name)
        results: list[Any] = []
        for index in range(len(rows)):
            if errors[index] is not None:
                results.append(error_from_body(errors[index]))
            else:
                results.append(await self._outputs([column[index] for column in out_columns], stateful))
        return results

    async def stream(
        self, *data: Any, api_name: str = "/predict", timeout: float | None = None
    ) -> AsyncGenerator[Any, None]:
        """Call the endpoint with one sample and yield its outputs as they are produced.

        Each partial output of a generator comes as it is yielded, then the final output (left out
        when it is the last partial again, as a generator's final output is). A failure raises.
        ``timeout`` as for :meth:`predict`.
        """
        async with self._naming_endpoints(api_name):
            body = _with_timeout({"data": await self._call_inputs(api_name, data), "stream": True}, timeout)
        stateful = await self._stateful(api_name)
        await self._login()
        headers = {"Accept": "text/event-stream"}
        path = self._href(endpoint_path(api_name))
        async with self._http.stream("POST", path, json=body, headers=headers) as response:
            if not response.is_success:
                await response.aread()
                async with self._naming_endpoints(api_name):
                    raise_for_response(response)
            last: Any = None
            decoder = NamedEventDecoder()
            async for line in response.aiter_lines():
                event = decoder.feed(line)
                if event is None:
                    continue
                name, payload = event
                if name == "error":
                    raise error_from_body(_error_record(payload), response.status_code, response)
                outputs = _data_list(payload)
                if name == "generating" or (name == "complete" and outputs != last):
                    yield await self._outputs(outputs, stateful)
                if name == "complete":
                    return
                last = outputs
        raise ProtocolError("the stream ended before the final output")

    async def _inputs_one(self, value: Any) -> Any:
        return (await self._inputs([value]))[0]

    async def view_api(self, print_info: bool = True) -> dict[str, Any]:
        """The server's ``/info`` description of every endpoint (printed unless ``print_info=False``)."""
        info: dict[str, Any] = await self._get_json("info")
        if print_info:
            print(json.dumps(info, indent=2))
        return info

    # -- jobs -----------------------------------------------------------------------------------------

    async def submit(self, *data: Any, api_name: str = "/predict", timeout: float | None = None) -> AsyncJob:
        """Queue one sample and return its job at once; results arrive on the client's one stream.

        ``timeout``: seconds the event may wait in the server's queue; still waiting then, it never runs
        and its ``result()`` raises EventExpiredError. (``result(timeout=)`` only bounds your own wait.)
        """
        async with self._naming_endpoints(api_name):
            inputs = await self._call_inputs(api_name, data)
            body = {"data": inputs, "api_name": api_name.strip("/"), "session_hash": self.session_hash}
            body = _with_timeout(body, timeout)
            joined = await self._post_json("queue/join", body)
        event_id = joined.get("event_id") if isinstance(joined, dict) else None
        if not isinstance(event_id, str):
            raise ProtocolError("queue/join answered without an event_id")
        convert = functools.partial(self._outputs, stateful=await self._stateful(api_name))
        job = AsyncJob(event_id, convert=convert, cancel=self._cancel_event)
        self._jobs[event_id] = job
        for message in self._early.pop(event_id, []):
            self._dispatch(message)
        await self._ensure_stream()
        return job

    async def _cancel_event(self, event_id: str) -> bool:
        body = await self._post_json(
            "queue/cancel", {"session_hash": self.session_hash, "event_id": event_id}
        )
        return bool(body.get("cancelled"))

    async def _ensure_stream(self) -> None:
        if self._stream is None or self._stream.done():
            self._stream_open = asyncio.get_running_loop().create_future()
            self._stream = asyncio.create_task(
                self._read_stream(), name=f"carpool-stream-{self.session_hash}"
            )
        assert self._stream_open is not None
        await asyncio.shield(self._stream_open)

    async def _read_stream(self) -> None:
        error: CarpoolError = ProtocolError("the server closed the event stream")
        try:
            await self._consume_stream()
        except CarpoolError as stream_error:
            error = stream_error
        except httpx.HTTPError as http_error:
            error = ProtocolError(f"event stream failed: {http_error}")
        finally:
            if self._stream_open is not None and not self._stream_open.done():
                self._stream_open.set_exception(error)
                self._stream_open.exception()  # retrieved: a submit may no longer wait on it
            for job in list(self._jobs.values()):
                job.fail(error)
            self._jobs.clear()

    async def _consume_stream(self) -> None:
        params = {"session_hash": self.session_hash}
        async with self._http.stream("GET", self._href("queue/data"), params=params) as response:
            if not response.is_success:
                await response.aread()
                raise_for_response(response)
            assert self._stream_open is not None
            self._stream_open.set_result(None)
            decoder = SSEDecoder()
            async for line in response.aiter_lines():
                message = decoder.feed(line)
                if message is None:
                    continue
                if message["msg"] == Msg.CLOSE:
                    return
                self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        event_id = message.get("event_id")
        if not isinstance(event_id, str):
            return  # heartbeat
        job = self._jobs.get(event_id)
        if job is None:  # the join's response has not arrived yet
            self._early.setdefault(event_id, []).append(message)
            return
        job.apply(message)
        if job.done():
            del self._jobs[event_id]

    async def close(self) -> None:
        """End the event stream (the server cancels this session's unfinished jobs) and free the client."""
        if self._closed:
            return
        self._closed = True
        if self._stream is not None:
            self._stream.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._stream
        if self._owns_http:
            await self._http.aclose()


def _with_timeout(body: dict[str, Any], timeout: float | None) -> dict[str, Any]:
    """The call's body with the caller's queue deadline, if any (the server validates it)."""
    if timeout is not None:
        body["timeout"] = timeout
    return body


def _error_record(body: Any) -> dict[str, Any]:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        raise ProtocolError('an error event without an "error" record')
    return error


def _data_list(body: Any) -> list[Any]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise ProtocolError('response without a "data" list')
    return data

"""Talking to a remote app: a carpool app through carpool's client, a Gradio app through Gradio's REST API.

Both offer the same three calls to the local functions ``load`` builds -- ``call`` (one sample),
``call_batch`` (samples that should run as one batch) and ``stream`` (a generator's partial outputs)
-- with inputs and outputs as Python values of the local components (files as local paths). All are
blocking and safe to use from several threads at once: the engine runs the local functions in worker
threads, and ``demo("x")`` may run anywhere.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import httpx

from carpool.client import Client, handle_file
from carpool.exceptions import AppError, ProtocolError
from carpool.remote._components import FILE_KINDS
from carpool.remote._spec import RemoteEndpoint, endpoints_of

__all__ = ["CarpoolRemote", "GradioRemote", "Remote", "connect"]

# Connecting and reading /config must be quick; a call may take as long as the remote model needs.
TIMEOUT = httpx.Timeout(connect=10.0, read=None, write=60.0, pool=None)
MAX_CONCURRENT_ITEMS = 32  # items of one local batch sent at once to a remote that takes no batches


class Remote(Protocol):
    url: str
    title: str | None
    endpoints: list[RemoteEndpoint]

    def call(self, endpoint: RemoteEndpoint, values: Sequence[Any]) -> list[Any]: ...
    def call_batch(self, endpoint: RemoteEndpoint, samples: Sequence[Sequence[Any]]) -> list[Any]: ...
    def stream(self, endpoint: RemoteEndpoint, values: Sequence[Any]) -> Iterator[list[Any]]: ...
    def close(self) -> None: ...


def connect(url: str, *, headers: dict[str, str] | None = None) -> Remote:
    """The remote app at ``url``: carpool if its ``/info`` is carpool's, else Gradio (``/config``)."""
    base = url.rstrip("/") + "/"
    with httpx.Client(timeout=TIMEOUT, headers=headers) as http:
        try:
            config = _json(http.get(base + "config"), "/config")
            info = http.get(base + "info")
        except httpx.HTTPError as error:
            raise ConnectionError(f"cannot reach the app at {base}: {error}") from error
    if _is_carpool_info(info):
        return CarpoolRemote(base, config, headers=headers)
    if isinstance(config, dict) and isinstance(config.get("api_prefix"), str):
        return GradioRemote(base, config, headers=headers)
    raise ProtocolError(f"{base} is neither a carpool app nor a Gradio 4+ app (no /info, no api_prefix)")


def _json(response: httpx.Response, what: str) -> Any:
    if not response.is_success:
        raise ProtocolError(f"the remote {what} answered HTTP {response.status_code}")
    try:
        return json.loads(response.content)
    except ValueError as error:
        raise ProtocolError(f"the remote {what} is not JSON") from error


def _is_carpool_info(response: httpx.Response) -> bool:
    try:
        body = json.loads(response.content) if response.is_success else None
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("endpoints"), dict)


def _outputs(endpoint: RemoteEndpoint, result: Any) -> list[Any]:
    """carpool's client gives one output as itself and several as a tuple: one list of outputs."""
    return [result] if len(endpoint.outputs) == 1 else list(result)


def _title(config: Any) -> str | None:
    title = config.get("title") if isinstance(config, dict) else None
    return title if isinstance(title, str) else None


class CarpoolRemote:
    """A carpool app, through carpool's own client (one connection pool, files handled)."""

    def __init__(self, url: str, config: Any, *, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.title = _title(config)
        self.endpoints = endpoints_of(config)
        self._client = Client(url, headers=headers)

    def _inputs(self, endpoint: RemoteEndpoint, values: Sequence[Any]) -> list[Any]:
        return [
            handle_file(value) if spec.type in FILE_KINDS and isinstance(value, str) else value
            for spec, value in zip(endpoint.inputs, values, strict=True)
        ]

    def call(self, endpoint: RemoteEndpoint, values: Sequence[Any]) -> list[Any]:
        result = self._client.predict(*self._inputs(endpoint, values), api_name=endpoint.api_name)
        return _outputs(endpoint, result)

    def call_batch(self, endpoint: RemoteEndpoint, samples: Sequence[Sequence[Any]]) -> list[Any]:
        """One pre-batched call: the remote runs these samples as one batch (a failed one: its error)."""
        rows = [self._inputs(endpoint, sample) for sample in samples]
        results = self._client.predict_batch(rows, api_name=endpoint.api_name)
        return [r if isinstance(r, BaseException) else _outputs(endpoint, r) for r in results]

    def stream(self, endpoint: RemoteEndpoint, values: Sequence[Any]) -> Iterator[list[Any]]:
        inputs = self._inputs(endpoint, values)
        for partial in self._client.stream(*inputs, api_name=endpoint.api_name):
            yield _outputs(endpoint, partial)

    def close(self) -> None:
        self._client.close()


class GradioRemote:
    """A Gradio 4+ app, through its two-step REST API (``POST /call/<api>``, then its event stream).

    Gradio's API takes no pre-batched calls, so a batch goes over as concurrent calls, which the
    remote queue batches again if its endpoint is batched.
    """

    def __init__(self, url: str, config: Any, *, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.title = _title(config)
        self.endpoints = endpoints_of(config)
        self._api = url + str(config["api_prefix"]).strip("/") + "/"
        self._http = httpx.Client(timeout=TIMEOUT, headers=headers)
        self._downloads = Path(tempfile.mkdtemp(prefix="carpool-load-"))

    # -- files ----------------------------------------------------------------------------------------

    def _upload(self, path: str) -> dict[str, Any]:
        with open(path, "rb") as handle:
            response = self._http.post(self._api + "upload", files={"files": (Path(path).name, handle)})
        (remote_path,) = _json(response, "upload")
        return {"path": remote_path, "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}

    def _download(self, file_data: dict[str, Any]) -> str:
        # Always from this app's own file route: a URL in an answer could name any host.
        response = self._http.get(self._api + "file=" + str(file_data["path"]))
        if not response.is_success:
            raise ProtocolError(f"the remote file download answered HTTP {response.status_code}")
        name = Path(str(file_data.get("orig_name") or file_data["path"])).name or "file"
        folder = Path(tempfile.mkdtemp(dir=self._downloads))
        target = folder / name
        target.write_bytes(response.content)
        return str(target)

    def _inputs(self, endpoint: RemoteEndpoint, values: Sequence[Any]) -> list[Any]:
        return [
            self._upload(value) if spec.type in FILE_KINDS and isinstance(value, str) else value
            for spec, value in zip(endpoint.inputs, values, strict=True)
        ]

    def _local(self, endpoint: RemoteEndpoint, data: Any) -> list[Any]:
        if not isinstance(data, list) or len(data) != len(endpoint.outputs):
            raise ProtocolError(
                f"/{endpoint.api_name} answered {data!r:.80} for {len(endpoint.outputs)} output(s)"
            )
        return [
            self._download(value) if spec.type in FILE_KINDS and _is_gradio_file(value) else value
            for spec, value in zip(endpoint.outputs, data, strict=True)
        ]

    # -- calls ----------------------------------------------------------------------------------------

    def _events(self, endpoint: RemoteEndpoint, values: Sequence[Any]) -> Iterator[tuple[str, Any]]:
        name = endpoint.api_name
        joined = _json(
            self._http.post(self._api + f"call/{name}", json={"data": self._inputs(endpoint, values)}),
            f"call/{name}",
        )
        event_id = joined.get("event_id") if isinstance(joined, dict) else None
        if not isinstance(event_id, str):
            raise ProtocolError(f"the remote call/{name} answered without an event_id")
        with self._http.stream("GET", self._api + f"call/{name}/{event_id}") as response:
            if not response.is_success:
                raise ProtocolError(f"the remote event stream answered HTTP {response.status_code}")
            event, data = "message", []
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line and data:
                    yield event, json.loads("\n".join(data))
                    event, data = "message", []

    def stream(self, endpoint: RemoteEndpoint, values: Sequence[Any]) -> Iterator[list[Any]]:
        """Each partial output, then the final one unless it repeats the last partial (a generator's)."""
        last: Any = None
        for event, data in self._events(endpoint, values):
            if event == "generating":
                last = data
                yield self._local(endpoint, data)
            elif event == "complete":
                if data != last:
                    yield self._local(endpoint, data)
                return
            elif event == "error":
                raise AppError(_gradio_error(data), error_type="app_error")
        raise ProtocolError(f"the remote /{endpoint.api_name} stream ended without a result")

    def call(self, endpoint: RemoteEndpoint, values: Sequence[Any]) -> list[Any]:
        last: list[Any] = []
        for last in self.stream(endpoint, values):  # noqa: B007 -- the final output is the last
            pass
        return last

    def call_batch(self, endpoint: RemoteEndpoint, samples: Sequence[Sequence[Any]]) -> list[Any]:
        def one(sample: Sequence[Any]) -> Any:
            try:
                return self.call(endpoint, sample)
            except Exception as error:  # one failed item fails alone, as in a local batch
                return error

        with ThreadPoolExecutor(min(len(samples), MAX_CONCURRENT_ITEMS) or 1) as pool:
            return list(pool.map(one, samples))

    def close(self) -> None:
        self._http.close()
        shutil.rmtree(self._downloads, ignore_errors=True)


def _is_gradio_file(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("path"), str)


def _gradio_error(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return str(data["error"])
    if isinstance(data, str) and data:
        return data
    return "The remote Gradio app raised an error (it shows the message only with show_error=True)."

"""Every error path of POST /api answers with its status and protocol body, and the server keeps serving."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from integration_support import Gate

from carpool.app import Blocks
from carpool.client import Client
from carpool.components import Button, Number, Textbox
from carpool.exceptions import (
    AppError,
    Error,
    InvalidInputError,
    QueueFullError,
    UnknownEndpointError,
)
from carpool.server import RunningServer


def error_app(gate: Gate | None = None) -> Blocks:
    def echo(text: str, times: float) -> str:
        if gate is not None and text == "block":
            gate.enter()
        if text == "user-error":
            raise Error("This message is for the user.")
        if text == "crash":
            raise ValueError("secret internal detail")
        return text * int(times)

    def double(values: list[float]) -> list[list[float]]:
        return [[2 * v for v in values]]

    with Blocks() as demo:
        text, times, out = Textbox(label="text"), Number(label="times"), Textbox()
        Button("Echo").click(echo, [text, times], out, api_name="echo")
        number, doubled = Number(label="x"), Number()
        Button("Double").click(double, number, doubled, batch=True, max_batch_size=4, api_name="double")
    return demo


@pytest.fixture
def app_url(serve: Callable[..., RunningServer]) -> Iterator[str]:
    yield serve(error_app()).local_url


def assert_still_serving(http: httpx.Client, url: str) -> None:
    response = http.post(url + "api/echo", json={"data": ["ok", 2]})
    assert response.status_code == 200 and response.json() == {"data": ["okok"]}


def error_of(response: httpx.Response) -> dict[str, object]:
    error: dict[str, object] = response.json()["error"]
    return error


def test_unknown_endpoint_is_404(app_url: str, http: httpx.Client) -> None:
    response = http.post(app_url + "api/nope", json={"data": []})
    assert response.status_code == 404 and error_of(response)["type"] == "unknown_endpoint"
    assert_still_serving(http, app_url)


def test_a_value_of_the_wrong_type_is_422_naming_the_parameter(app_url: str, http: httpx.Client) -> None:
    response = http.post(app_url + "api/echo", json={"data": ["hi", "not a number"]})
    assert response.status_code == 422
    assert error_of(response)["type"] == "invalid_input" and error_of(response)["parameter"] == "times"
    assert_still_serving(http, app_url)


def test_wrong_arity_is_422(app_url: str, http: httpx.Client) -> None:
    response = http.post(app_url + "api/echo", json={"data": ["only one"]})
    assert response.status_code == 422 and error_of(response)["type"] == "invalid_input"
    assert_still_serving(http, app_url)


def test_carpool_error_is_500_with_its_message(app_url: str, http: httpx.Client) -> None:
    response = http.post(app_url + "api/echo", json={"data": ["user-error", 1]})
    assert response.status_code == 500
    assert error_of(response) == {
        "type": "app_error",
        "message": "This message is for the user.",
        "parameter": None,
    }
    assert_still_serving(http, app_url)


def test_other_exceptions_are_500_without_their_message_by_default(app_url: str, http: httpx.Client) -> None:
    response = http.post(app_url + "api/echo", json={"data": ["crash", 1]})
    assert response.status_code == 500 and error_of(response)["type"] == "app_error"
    assert "secret internal detail" not in response.text
    assert_still_serving(http, app_url)


def test_show_error_reveals_the_exception_message(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(error_app(), show_error=True).local_url
    response = http.post(url + "api/echo", json={"data": ["crash", 1]})
    assert response.status_code == 500 and "secret internal detail" in str(error_of(response)["message"])
    assert_still_serving(http, url)


def test_a_full_queue_is_503_with_retry_after(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    gate = Gate()
    demo = error_app(gate).queue(max_size=1)
    url = serve(demo).local_url
    with Client(url) as client:
        running = client.submit("block", 1, api_name="/echo")
        assert gate.started.wait(10)
        waiting = client.submit("waits", 1, api_name="/echo")  # the one place in the queue
        response = http.post(url + "api/echo", json={"data": ["rejected", 1]})
        assert response.status_code == 503 and error_of(response)["type"] == "queue_full"
        assert int(response.headers["retry-after"]) >= 1
        with pytest.raises(QueueFullError) as raised:
            client.predict("rejected", 1, api_name="/echo")
        assert raised.value.retry_after >= 1
        gate.release.set()
        assert (running.result(10), waiting.result(10)) == ("block", "waits")
    assert_still_serving(http, url)


def test_a_batched_call_over_max_batch_size_is_413(app_url: str, http: httpx.Client) -> None:
    response = http.post(app_url + "api/double", json={"data": [[1, 2, 3, 4, 5]], "batched": True})
    assert response.status_code == 413 and error_of(response)["type"] == "too_large"
    ok = http.post(app_url + "api/double", json={"data": [[1, 2, 3, 4]], "batched": True})
    assert ok.json() == {"data": [[2, 4, 6, 8]]}


def test_a_batched_call_with_no_samples_is_422(app_url: str, http: httpx.Client) -> None:
    response = http.post(app_url + "api/double", json={"data": [[]], "batched": True})
    assert response.status_code == 422 and error_of(response)["type"] == "invalid_input"
    assert_still_serving(http, app_url)


def test_malformed_json_is_400(app_url: str, http: httpx.Client) -> None:
    response = http.post(
        app_url + "api/echo", content=b'{"data": [', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and error_of(response)["type"] == "bad_request"
    response = http.post(app_url + "api/echo", json=["not", "an", "object"])
    assert response.status_code == 400
    assert_still_serving(http, app_url)


def test_the_client_raises_typed_exceptions(app_url: str) -> None:
    with Client(app_url) as client:
        with pytest.raises(UnknownEndpointError):
            client.predict(1, api_name="/nope")
        with pytest.raises(InvalidInputError) as invalid:
            client.predict("x", "y", api_name="/echo")
        assert invalid.value.parameter == "times"
        with pytest.raises(AppError) as app_error:
            client.predict("user-error", 1, api_name="/echo")
        assert (
            app_error.value.message == "This message is for the user." and app_error.value.status_code == 500
        )
        with pytest.raises(AppError):
            client.submit("crash", 1, api_name="/echo").result(10)
        assert client.predict("fine", 1, api_name="/echo") == "fine"

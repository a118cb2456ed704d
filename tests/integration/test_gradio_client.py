"""The official ``gradio_client`` (pinned in the dev extra) against a carpool app, unchanged.

Everything goes through Gradio's own protocol (``/config``, ``/gradio_api/...``); requests join the
same queue and batches as everyone else's. The client runs without a Hugging Face token, offline.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client_support import BatchProbe, gradio_demo, loopback_only, offline_hub

from carpool.server import RunningServer

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError, AuthenticationError  # noqa: E402


@pytest.fixture(autouse=True)
def offline_client(monkeypatch: pytest.MonkeyPatch) -> None:
    offline_hub(monkeypatch)


@pytest.fixture(scope="module")
def probe() -> BatchProbe:
    return BatchProbe()


@pytest.fixture(scope="module")
def app_url(serve_per_module: Callable[..., RunningServer], probe: BatchProbe) -> str:
    return serve_per_module(gradio_demo(probe), show_error=True).local_url


@pytest.fixture
def client(app_url: str, tmp_path: Path) -> Iterator[Client]:
    client = Client(app_url, verbose=False, download_files=str(tmp_path / "downloads"))
    yield client
    client.close()


def test_the_config_never_sends_the_client_down_its_legacy_path(app_url: str, http: httpx.Client) -> None:
    config = http.get(app_url + "config").json()
    assert config["protocol"] == "sse_v3" and config["api_prefix"] == "/gradio_api"
    major = int(config["version"].split(".")[0])
    assert major >= 6  # before 3.37 the client POSTs the whole config to a web service on the internet


def test_no_gradio_client_call_contacts_a_host_other_than_the_app(
    app_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "note.txt"
    source.write_text("loopback")
    with loopback_only(monkeypatch) as attempts:
        client = Client(app_url, verbose=False, download_files=str(tmp_path / "out"))
        client.view_api(print_info=False)
        assert client.predict("ab", 2, api_name="/greet") == "hi abab"
        assert client.predict(handle_file(str(source)), api_name="/shout_file") == "LOOPBACK"
        assert (
            Path(client.predict(handle_file(str(source)), api_name="/copy_file")).read_text() == "loopback!"
        )
        client.close()
        time.sleep(0.5)  # the client's background threads (telemetry, heartbeat) have had their chance
    assert attempts == []


def test_view_api_lists_the_named_endpoints_with_their_parameters(client: Client) -> None:
    info = client.view_api(print_info=False, return_format="dict")
    assert isinstance(info, dict)
    greet = info["named_endpoints"]["/greet"]
    assert [p["parameter_name"] for p in greet["parameters"]] == ["name", "times"]
    assert greet["parameters"][1]["parameter_has_default"] is True
    assert [r["component"] for r in greet["returns"]] == ["Textbox"]
    # State is not an API value: /tally takes one parameter and returns one value
    assert len(info["named_endpoints"]["/tally"]["parameters"]) == 1
    assert len(info["named_endpoints"]["/tally"]["returns"]) == 1
    text = client.view_api(print_info=False, return_format="str")
    assert 'api_name="/greet"' in str(text)


def test_predict_by_api_name_and_by_fn_index(client: Client) -> None:
    assert client.predict("ab", 2, api_name="/greet") == "hi abab"
    assert client.predict(name="x", times=3, api_name="/greet") == "hi xxx"
    assert client.predict("cd", 1, fn_index=0) == "hi cd"
    assert client.predict("ef", api_name="/greet") == "hi ef"  # the Number's default fills the gap


def test_submit_status_and_result(client: Client) -> None:
    job = client.submit("zz", 1, api_name="/greet")
    assert job.result(timeout=30) == "hi zz"
    status = job.status()
    assert status.code.name == "FINISHED" and status.success is True


def test_a_generator_job_yields_each_partial_output_as_it_is_produced(client: Client) -> None:
    job = client.submit(4, api_name="/count")
    assert list(job) == ["0", "01", "012", "0123"]  # rebuilt from sse_v3 diffs
    assert job.result(timeout=30) == "0123"
    assert job.outputs() == ["0", "01", "012", "0123"]


def test_partials_arrive_before_the_generator_finishes(client: Client) -> None:
    job = client.submit(4, api_name="/slow_count")
    first = next(iter(job))
    assert first == "0" and not job.done()
    assert job.result(timeout=30) == "3"


def test_job_cancel_stops_the_event(client: Client) -> None:
    job = client.submit(40, api_name="/slow_count")
    deadline = time.monotonic() + 30
    while not job.outputs() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.cancel() is True
    with pytest.raises(concurrent.futures.CancelledError):
        job.result(timeout=30)
    assert job.status().code.name == "CANCELLED"
    assert client.predict("after", 1, api_name="/greet") == "hi after"  # the session goes on


def test_one_clients_concurrent_jobs_all_complete(client: Client) -> None:
    # Its session stream closes whenever nothing is pending; events joining meanwhile must survive that.
    for _ in range(3):
        jobs = [client.submit(f"x{i}", 1, api_name="/greet") for i in range(10)]
        assert [job.result(timeout=30) for job in jobs] == [f"hi x{i}" for i in range(10)]


def test_a_file_input_is_uploaded_and_a_file_output_downloaded(client: Client, tmp_path: Path) -> None:
    source = tmp_path / "words.txt"
    source.write_text("upload me")
    assert client.predict(handle_file(str(source)), api_name="/shout_file") == "UPLOAD ME"
    downloaded = Path(client.predict(handle_file(source), api_name="/copy_file"))
    assert downloaded.read_text() == "upload me!"
    assert downloaded.name == "copy-words.txt" and downloaded.is_relative_to(tmp_path / "downloads")


def test_an_image_goes_through_the_function_and_comes_back_as_a_png(client: Client, tmp_path: Path) -> None:
    from PIL import Image

    source = tmp_path / "black.png"
    Image.new("RGB", (4, 3), (0, 0, 0)).save(source)
    inverted = Image.open(client.predict(handle_file(str(source)), api_name="/invert"))
    assert inverted.size == (4, 3) and inverted.convert("RGB").getpixel((0, 0)) == (255, 255, 255)


def test_state_is_kept_per_client_session(client: Client, app_url: str) -> None:
    assert client.predict("a", api_name="/tally") == "a:1"
    assert client.predict("b", api_name="/tally") == "b:2"
    other = Client(app_url, verbose=False)
    try:
        assert other.predict("c", api_name="/tally") == "c:1"
    finally:
        other.close()
    client.reset_session()
    assert client.predict("d", api_name="/tally") == "d:1"


def test_errors_raise_app_error_with_the_message_when_show_error(client: Client) -> None:
    with pytest.raises(AppError, match="no fish here"):
        client.predict("fish", api_name="/refuse")
    with pytest.raises(AppError, match="internal detail x"):  # show_error=True: the message is shown
        client.predict("x", api_name="/crash")


def test_eight_concurrent_clients_of_a_batched_endpoint_share_one_batch(
    client: Client, app_url: str, probe: BatchProbe
) -> None:
    probe.sizes.clear()
    probe.entered.clear()
    probe.hold.clear()  # the first batch waits here while the eight queue up behind it
    try:
        first = client.submit("first", api_name="/shout")
        assert probe.entered.wait(timeout=30)
        others = [Client(app_url, verbose=False) for _ in range(8)]
        jobs = [c.submit(f"w{i}", api_name="/shout") for i, c in enumerate(others)]
        _wait_until_waiting(app_url, 8)
    finally:
        probe.hold.set()
    assert first.result(timeout=30) == "FIRST"
    assert [job.result(timeout=30) for job in jobs] == [f"W{i}" for i in range(8)]
    assert probe.sizes == [1, 8]
    for other in others:
        other.close()


def test_gradio_clients_and_carpool_api_callers_ride_in_the_same_batch(
    client: Client, app_url: str, probe: BatchProbe
) -> None:
    probe.sizes.clear()
    probe.entered.clear()
    probe.hold.clear()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        try:
            first = client.submit("first", api_name="/shout")
            assert probe.entered.wait(timeout=30)
            gradio_jobs = [client.submit(f"g{i}", api_name="/shout") for i in range(4)]
            api_calls = [
                pool.submit(httpx.post, app_url + "api/shout", json={"data": [f"a{i}"]}, timeout=60)
                for i in range(4)
            ]
            _wait_until_waiting(app_url, 8)
        finally:
            probe.hold.set()
        assert first.result(timeout=30) == "FIRST"
        assert [job.result(timeout=30) for job in gradio_jobs] == ["G0", "G1", "G2", "G3"]
        assert [call.result().json()["data"] for call in api_calls] == [["A0"], ["A1"], ["A2"], ["A3"]]
    assert probe.sizes == [1, 8]


def _wait_until_waiting(app_url: str, events: int) -> None:
    """Until the server's metrics show ``events`` events waiting for the batched listener."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in httpx.get(app_url + "metrics", timeout=10).text.splitlines():
            if (
                line.startswith("carpool_queue_depth{")
                and "shout" in line
                and float(line.split()[-1]) >= events
            ):
                return
        time.sleep(0.05)
    raise AssertionError(f"{events} events never waited in the queue")


def test_auth_logs_in_with_gradios_login_flow(serve: Callable[..., RunningServer], probe: BatchProbe) -> None:
    url = serve(gradio_demo(probe), auth=("ada", "lovelace")).local_url
    with pytest.raises(AuthenticationError):
        Client(url, verbose=False)
    with pytest.raises(AuthenticationError):
        Client(url, verbose=False, auth=("ada", "wrong"))
    client = Client(url, verbose=False, auth=("ada", "lovelace"))
    try:
        assert client.predict("ok", 1, api_name="/greet") == "hi ok"
    finally:
        client.close()


def test_an_app_mounted_under_a_prefix_serves_gradio_clients_there(probe: BatchProbe, tmp_path: Path) -> None:
    from starlette.applications import Starlette
    from test_mount import Served

    from carpool.server import mount_app

    parent = Starlette()
    mount_app(parent, gradio_demo(probe), path="/demo")
    served = Served(parent)
    try:
        client = Client(served.url + "/demo/", verbose=False, download_files=str(tmp_path))
        source = tmp_path / "in.txt"
        source.write_text("mounted")
        assert client.predict("ab", 1, api_name="/greet") == "hi ab"
        assert list(client.submit(2, api_name="/count")) == ["0", "01"]
        assert Path(client.predict(handle_file(str(source)), api_name="/copy_file")).read_text() == "mounted!"
        client.close()
    finally:
        served.close()

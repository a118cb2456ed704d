"""The read-only routes: the page, /config, /info, /openapi.json, /health and /metrics."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx

from carpool.app import Blocks
from carpool.client import Client
from carpool.components import Button, Number, Textbox
from carpool.protocol import PROTOCOL_VERSION
from carpool.server import RunningServer


def small_app() -> Blocks:
    def trim_words(words: list[str], lengths: list[float]) -> list[list[str]]:
        return [[w[: int(n)] for w, n in zip(words, lengths, strict=True)]]

    with Blocks(title="Route test") as demo:
        word, length, out = Textbox(label="word"), Number(precision=0, label="length"), Textbox(label="out")
        Button("Run").click(trim_words, [word, length], out, batch=True, max_batch_size=8)
    return demo


def test_config_describes_components_and_dependencies(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(small_app()).local_url
    config = http.get(url + "config").json()
    assert config["carpool_protocol"] == PROTOCOL_VERSION and config["auth_required"] is False
    assert {c["type"] for c in config["components"]} >= {"textbox", "number", "button"}
    (dependency,) = config["dependencies"]
    assert dependency["api_name"] == "trim_words" and dependency["batch"] is True


def test_index_inlines_the_config_safely(serve: Callable[..., RunningServer], http: httpx.Client) -> None:
    demo = small_app()
    demo.title = "</script><script>alert(1)</script>"
    url = serve(demo).local_url
    page = http.get(url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)" not in page.text
    inlined = re.search(
        r'<script type="application/json" id="carpool-config">(.*?)</script>', page.text, re.S
    )
    assert inlined is not None
    assert json.loads(inlined.group(1))["dependencies"][0]["api_name"] == "trim_words"


def test_info_and_view_api_describe_every_endpoint(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(small_app()).local_url
    info = http.get(url + "info").json()
    assert set(info["endpoints"]) == {"trim_words"}
    with Client(url) as client:
        assert client.view_api(print_info=False) == info


def test_openapi_types_each_endpoint_from_its_components(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(small_app()).local_url
    document = http.get(url + "openapi.json").json()
    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/api/trim_words"]["post"]
    single, batched = operation["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    word_schema, length_schema = single["properties"]["data"]["prefixItems"]
    assert "string" in word_schema["type"] and word_schema["title"] == "word"
    assert length_schema["title"] == "length"
    assert batched["properties"]["data"]["prefixItems"][0]["maxItems"] == 8
    assert {"/config", "/info", "/health", "/queue/join", "/file/{file_id}"} <= set(document["paths"])
    assert "/upload" not in document["paths"]  # an app without file inputs takes no uploads


def test_health_answers_ok(serve: Callable[..., RunningServer], http: httpx.Client) -> None:
    url = serve(small_app()).local_url
    assert http.get(url + "health").json() == {"status": "ok"}


def test_metrics_expose_batches_waits_run_times_and_outcomes(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    url = serve(small_app()).local_url
    for word in ("one", "two", "three"):
        http.post(url + "api/trim_words", json={"data": [word, 2]}).raise_for_status()
    http.post(url + "api/trim_words", json={"data": [["a", "b"], [1, 1]], "batched": True}).raise_for_status()
    text = http.get(url + "metrics").text
    assert 'carpool_batch_size_count{endpoint="trim_words"} 4.0' in text
    assert 'carpool_batch_size_bucket{endpoint="trim_words",le="2.0"} 4.0' in text
    assert 'carpool_queue_wait_seconds_count{endpoint="trim_words"} 5.0' in text
    assert 'carpool_run_seconds_count{endpoint="trim_words"} 4.0' in text
    assert re.search(r'carpool_batches_total\{endpoint="trim_words",reason="\w+"\} 4\.0', text)
    assert 'carpool_events_total{endpoint="trim_words",outcome="completed"} 5.0' in text
    assert 'carpool_queue_depth{endpoint="trim_words"} 0.0' in text
    assert 'carpool_in_flight{endpoint="trim_words"} 0.0' in text


def test_two_apps_in_one_process_keep_separate_metrics(
    serve: Callable[..., RunningServer], http: httpx.Client
) -> None:
    first, second = serve(small_app()).local_url, serve(small_app()).local_url
    http.post(first + "api/trim_words", json={"data": ["x", 1]}).raise_for_status()
    assert 'carpool_batch_size_count{endpoint="trim_words"} 1.0' in http.get(first + "metrics").text
    assert 'carpool_batch_size_count{endpoint="trim_words"}' not in http.get(second + "metrics").text

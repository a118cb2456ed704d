from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import numpy as np
import pandas as pd
import PIL.Image
import pytest

import carpool as cp
from carpool.app._cache import content_hash, estimate_size, parse_memory


def counting(fn: Any) -> tuple[Any, list[Any]]:
    calls: list[Any] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return fn(*args, **kwargs)

    wrapper.__signature__ = __import__("inspect").signature(fn)  # type: ignore[attr-defined]
    return wrapper, calls


def test_equal_content_hashes_equal_and_kinds_stay_apart() -> None:
    assert content_hash(np.arange(4)) == content_hash(np.arange(4))
    assert content_hash(np.arange(4)) != content_hash(np.arange(4).astype(np.int8))
    assert content_hash(PIL.Image.new("RGB", (2, 2), "red")) == content_hash(
        PIL.Image.new("RGB", (2, 2), "red")
    )
    assert content_hash(PIL.Image.new("RGB", (2, 2), "red")) != content_hash(
        PIL.Image.new("RGB", (2, 2), "blue")
    )
    frame = pd.DataFrame({"a": [1, 2]})
    assert content_hash(frame) == content_hash(frame.copy())
    assert content_hash(frame) != content_hash(pd.DataFrame({"b": [1, 2]}))
    assert content_hash({"x": 1, "y": [2]}) == content_hash({"y": [2], "x": 1})
    assert len({content_hash(v) for v in (1, 1.0, "1", [1], (1,), True, None, b"1")}) == 8


def test_an_unhashable_value_is_a_type_error_that_says_what_to_do() -> None:
    with pytest.raises(TypeError, match=r"cannot hash a object.*key="):
        content_hash(object())


def test_a_cached_function_runs_once_per_distinct_content() -> None:
    fn, calls = counting(lambda image, scale=2: float(image.mean()) * scale)
    cached = cp.cache(fn)
    assert cached(np.ones((2, 2))) == 2.0
    assert cached(np.ones((2, 2)), scale=2) == 2.0  # the default filled in: the same call
    assert cached(np.zeros((2, 2))) == 0.0
    assert len(calls) == 2


def test_key_picks_what_is_hashed() -> None:
    fn, calls = counting(lambda prompt, seed: f"{prompt}:{seed}")
    cached = cp.cache(key=lambda kw: kw["prompt"])(fn)
    assert cached("hi", 1) == "hi:1"
    assert cached("hi", 2) == "hi:1"  # seed is not part of the key
    assert len(calls) == 1


def test_generators_replay_every_yield_even_if_the_caller_mutated_them() -> None:
    runs: list[int] = []

    @cp.cache
    def stream(n: int) -> Iterator[list[int]]:
        runs.append(n)
        history: list[int] = []
        for i in range(n):
            history.append(i)
            yield history

    first = [list(item) for item in stream(3)]
    assert first == [[0], [0, 1], [0, 1, 2]]
    assert [list(item) for item in stream(3)] == first
    assert runs == [3]


def test_a_generator_stopped_early_caches_nothing() -> None:
    runs: list[int] = []

    @cp.cache
    def stream(n: int) -> Iterator[int]:
        runs.append(n)
        yield from range(n)

    next(iter(stream(5)))
    assert list(stream(5)) == [0, 1, 2, 3, 4]
    assert runs == [5, 5]


def test_coroutines_and_async_generators_are_cached() -> None:
    runs: list[str] = []

    @cp.cache
    async def translate(text: str) -> str:
        runs.append(text)
        return text.upper()

    @cp.cache
    async def summarize(text: str) -> AsyncIterator[str]:
        runs.append("gen " + text)
        for word in text.split():
            yield word

    async def main() -> tuple[list[str], list[str]]:
        answers = [await translate("a"), await translate("a")]
        streams = []
        for _ in range(2):
            streams.append([w async for w in summarize("x y")])
        return answers, [" ".join(s) for s in streams]

    assert asyncio.run(main()) == (["A", "A"], ["x y", "x y"])
    assert runs == ["a", "gen x y"]


def test_the_same_function_and_settings_get_the_same_runtime_wrapper() -> None:
    def retrieve(question: str) -> str:
        return question[::-1]

    assert cp.cache(retrieve) is cp.cache(retrieve)
    assert cp.cache(retrieve) is not cp.cache(retrieve, max_size=2)
    with pytest.raises(TypeError, match=r"cache\(fn\)\(\*args\)"):
        cp.cache(retrieve("abc"))


def test_least_recently_used_entries_go_past_max_size_and_max_memory() -> None:
    fn, calls = counting(lambda x: x)
    cached = cp.cache(fn, max_size=2)
    for x in (1, 2, 1, 3, 1, 2):  # 2 is the oldest when 3 arrives, so it runs again
        cached(x)
    assert [c[0] for c in calls] == [1, 2, 3, 2]

    store = cp.Cache(max_size=0, max_memory=250)
    for i in range(5):
        store.set(i, data=np.zeros(100, dtype=np.uint8))
    assert store.keys() == [3, 4]


def test_cache_get_set_keys_clear() -> None:
    store = cp.Cache()
    assert store.get("k") is None
    store.set(" k ".strip(), forecast="sunny", hits=1)
    assert store.get("k") == {"forecast": "sunny", "hits": 1}
    store.set("k", forecast="rain")
    assert store.get("k") == {"forecast": "rain"}
    store.set(np.arange(3), v=1)
    assert store.get(np.arange(3)) == {"v": 1}
    assert len(store) == 2 and store.keys()[0] == "k"
    store.clear()
    assert len(store) == 0 and store.keys() == []


@pytest.mark.parametrize(
    ("limit", "expected"), [(None, None), (1000, 1000), ("512mb", 512 * 1024**2), ("1.5 KB", 1536)]
)
def test_max_memory_accepts_bytes_and_text(limit: Any, expected: int | None) -> None:
    assert parse_memory(limit) == expected


@pytest.mark.parametrize("bad", ["lots", "-1mb", 0, True, 1.5])
def test_bad_limits_are_clear_errors(bad: Any) -> None:
    with pytest.raises((ValueError, TypeError), match="max_memory"):
        cp.Cache(max_memory=bad)


def test_a_negative_max_size_is_an_error() -> None:
    with pytest.raises(ValueError, match="max_size must be a whole number >= 0"):
        cp.cache(lambda x: x, max_size=-1)


def test_sizes_are_estimated_from_the_data() -> None:
    assert estimate_size(np.zeros(10, dtype=np.float64)) == 80
    assert estimate_size(PIL.Image.new("RGBA", (2, 3))) == 24
    assert estimate_size({"a": b"xyz", "b": [np.zeros(2, dtype=np.uint8)]}) == 5
    assert estimate_size(pd.DataFrame({"a": [1, 2]})) > 0


def test_a_cache_default_is_not_an_input_and_is_always_that_store() -> None:
    seen: list[Any] = []

    def lookup(city: str, c: cp.Cache = cp.Cache(), mark: str = "?") -> str:  # noqa: B008 - Gradio's way
        seen.append(c)
        hit = c.get(city)
        if hit is not None:
            return "hit " + hit["v"] + mark
        c.set(city, v=city.upper())
        return "miss" + mark

    with cp.Blocks() as demo:
        city, mark, out = cp.Textbox(), cp.Textbox(), cp.Textbox()
        cp.Button().click(lookup, [city, mark], out)
    assert demo("paris", "!") == "miss!"  # the second input goes to mark, not to c
    assert demo("paris", ".") == "hit PARIS."
    assert seen[0] is seen[1]


class _Job:
    def __init__(self, session: str) -> None:
        self.context = {"session_hash": session}


class _Sink:
    def __init__(self, *sessions: str) -> None:
        self.jobs = [_Job(s) for s in sessions]


def in_session(*sessions: str) -> Any:
    from carpool.core.progress import current_sink

    class Scope:
        def __enter__(self) -> None:
            self.token = current_sink.set(_Sink(*sessions))  # type: ignore[arg-type]

        def __exit__(self, *exc: object) -> None:
            current_sink.reset(self.token)

    return Scope()


def test_per_session_entries_stay_apart_and_shared_ones_do_not() -> None:
    shared, private = cp.Cache(), cp.Cache(per_session=True)
    with in_session("alice"):
        shared.set("k", v="alice")
        private.set("k", v="alice")
    with in_session("bob"):
        assert shared.get("k") == {"v": "alice"}
        assert private.get("k") is None
        assert private.keys() == []
    with in_session("alice"):
        assert private.get("k") == {"v": "alice"} and private.keys() == ["k"]
    assert private.get("k") is None  # outside an event: a space of its own

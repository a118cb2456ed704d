from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

import carpool.components as cc
from carpool.app import Blocks, Interface, Progress, Request
from carpool.exceptions import BatchShapeError, Error, UnknownEndpointError


def trim_words(words: list[str], lens: list[float]) -> list[list[str]]:
    return [[w[: int(n)] for w, n in zip(words, lens, strict=True)]]


def trim_word(word: str, n: float) -> str:
    return word[: int(n)]


def test_calling_a_batched_app_takes_and_returns_one_sample() -> None:
    demo = Interface(trim_words, ["text", "number"], "text", batch=True, max_batch_size=16)
    assert demo("abc", 1) == "a"


def test_calling_an_unbatched_app_returns_the_function_value() -> None:
    demo = Interface(trim_word, ["text", "number"], "text")
    assert demo("abc", 2) == "ab"


def test_several_outputs_come_back_as_a_tuple_batched_or_not() -> None:
    def both(words: list[str]) -> list[list[object]]:
        return [[w.upper() for w in words], [len(w) for w in words]]

    batched = Interface(both, "text", ["text", "number"], batch=True)
    plain = Interface(lambda w: (w.upper(), len(w)), "text", ["text", "number"])
    assert batched("abc") == ("ABC", 3) == plain("abc")


def test_a_batched_function_returning_the_wrong_shape_is_a_clear_error() -> None:
    demo = Interface(lambda words: words, "text", "text", batch=True)
    with pytest.raises(BatchShapeError, match="lambda"):
        demo("abc")


def test_a_per_sample_error_of_a_batched_function_is_raised() -> None:
    demo = Interface(lambda words: [[Error("bad word") for _ in words]], "text", "text", batch=True)
    with pytest.raises(Error, match="bad word"):
        demo("abc")


def test_generators_return_their_last_value() -> None:
    def count(n: float) -> Iterator[str]:
        for i in range(int(n)):
            yield str(i)

    async def acount(n: float) -> AsyncIterator[str]:
        for i in range(int(n)):
            yield str(i)

    assert Interface(count, "number", "text")(3) == "2"
    assert Interface(acount, "number", "text")(3) == "2"


def test_async_functions_are_awaited() -> None:
    async def shout(word: str) -> str:
        return word.upper()

    assert Interface(shout, "text", "text")("hi") == "HI"


def test_the_endpoint_is_chosen_by_api_name_or_index() -> None:
    with Blocks() as demo:
        text = cc.Textbox()
        text.change(lambda x: x + "1", text, text, api_name="one")
        text.submit(lambda x: x + "2", text, text, api_name="two")
    assert demo("a") == "a1"
    assert demo("a", api_name="/two") == "a2"
    assert demo("a", fn_index=1) == "a2"
    with pytest.raises(UnknownEndpointError):
        demo("a", api_name="three")


def test_a_wrong_number_of_arguments_is_a_type_error_naming_the_inputs() -> None:
    demo = Interface(trim_word, ["text", "number"], "text")
    with pytest.raises(TypeError, match="word, n"):
        demo("abc")


def test_request_and_progress_are_provided_to_a_direct_call() -> None:
    seen: list[object] = []

    def fn(x: str, request: Request, progress: Progress = Progress()) -> str:
        seen.append(request)
        progress(0.5)  # outside the engine: dropped, not an error
        return x

    def batched(xs: list[str], request: Request) -> list[list[str]]:
        seen.append(request)
        return [xs]

    assert Interface(fn, "text", "text")("a") == "a"
    assert Interface(batched, "text", "text", batch=True)("b") == "b"
    assert isinstance(seen[0], Request)
    assert isinstance(seen[1], list) and isinstance(seen[1][0], Request)


def test_an_app_without_endpoints_cannot_be_called() -> None:
    with Blocks() as demo:
        cc.Button().click(None)
    with pytest.raises(UnknownEndpointError):
        demo()

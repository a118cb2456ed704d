"""validator= on listeners with carpool.validate, and carpool.skip."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import carpool as cp


def check_age(age: float | None, place: str | None) -> list[dict[str, object]]:
    return [cp.validate(bool(age and age >= 3), "Age must be at least 3"), cp.validate(True, "")]


def test_an_invalid_input_stops_the_function_with_the_message() -> None:
    ran: list[str] = []

    def process(age: float, place: str) -> str:
        ran.append(place)
        return f"{age} in {place}"

    with cp.Blocks() as demo:
        age, place, out = cp.Number(label="age"), cp.Textbox(label="place"), cp.Textbox()
        cp.Button().click(process, [age, place], out, validator=check_age)
    fn = demo.dependencies[0].engine_fn()
    assert fn(5, "Oslo") == "5 in Oslo"
    with pytest.raises(cp.Error, match=r"^age: Age must be at least 3$"):
        fn(1, "Oslo")
    assert ran == ["Oslo"]


def test_a_generator_is_validated_before_its_first_item_and_none_means_valid() -> None:
    def count(n: float) -> Iterator[int]:
        yield from range(int(n))

    with cp.Blocks() as demo:
        n, out = cp.Number(), cp.Number()
        cp.Button().click(
            count, n, out, validator=lambda n: None if n < 10 else cp.validate(False, "too many")
        )
    fn = demo.dependencies[0].engine_fn()
    assert list(fn(3)) == [0, 1, 2]
    with pytest.raises(cp.Error, match="too many"):
        list(fn(12))


def test_bad_validators_fail_clearly() -> None:
    with cp.Blocks() as demo:
        n = cp.Number()
        cp.Button().click(lambda x: x, n, n, validator=lambda x: "fine")
    with pytest.raises(TypeError, match=r"returns carpool\.validate"):
        demo.dependencies[0].engine_fn()(1)
    with pytest.raises(ValueError, match="validator must be a function"), cp.Blocks():
        cp.Button().click(lambda x: x, n, n, validator="nope")


def test_skip_leaves_an_output_as_it_is() -> None:
    with cp.Blocks() as demo:
        a, b = cp.Textbox(), cp.Textbox()
        cp.Button().click(lambda: ("new", cp.skip()), None, [a, b])
    from carpool.app import SessionState

    assert demo.dependencies[0].postprocess(("new", cp.skip()), SessionState()) == [
        "new",
        {"__type__": "update"},
    ]

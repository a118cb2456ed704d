from __future__ import annotations

import pytest

import carpool.components as cc
from carpool.app import Blocks, SessionState, update
from carpool.exceptions import InvalidInputError


def trim_words(word: str, n: float) -> str:
    return word[: int(n)]


def make_app() -> tuple[Blocks, cc.Textbox, cc.Number, cc.Textbox]:
    with Blocks() as demo:
        word, n, out = cc.Textbox(label="word"), cc.Number(precision=0), cc.Textbox(label="out")
        cc.Button().click(trim_words, [word, n], out)
    return demo, word, n, out


def test_preprocess_converts_each_value_with_its_component() -> None:
    demo, *_ = make_app()
    assert demo.endpoint("trim_words").preprocess(["abc", 2.0], SessionState()) == ["abc", 2]


def test_a_missing_value_names_the_missing_parameter() -> None:
    demo, *_ = make_app()
    with pytest.raises(InvalidInputError) as caught:
        demo.endpoint("trim_words").preprocess(["abc"], SessionState())
    # no label on the Number: the function's parameter name is used
    assert caught.value.parameter == "n"
    assert "missing a value for 'n'" in str(caught.value)


def test_an_extra_value_is_rejected_naming_its_position() -> None:
    demo, *_ = make_app()
    with pytest.raises(InvalidInputError) as caught:
        demo.endpoint("trim_words").preprocess(["abc", 1, 2], SessionState())
    assert caught.value.parameter == "param_2"


def test_a_value_of_the_wrong_type_names_the_parameter_by_label() -> None:
    demo, *_ = make_app()
    with pytest.raises(InvalidInputError) as caught:
        demo.endpoint("trim_words").preprocess([5, 1], SessionState())
    assert caught.value.parameter == "word"


def test_data_that_is_not_a_list_is_invalid_input() -> None:
    demo, *_ = make_app()
    with pytest.raises(InvalidInputError, match="list"):
        demo.endpoint(0).preprocess({"word": "abc"}, SessionState())


def test_postprocess_of_a_single_output_wraps_it_in_a_list() -> None:
    demo, *_ = make_app()
    assert demo.endpoint(0).postprocess("ab", SessionState()) == ["ab"]


def test_postprocess_of_a_tuple_gives_one_value_per_output() -> None:
    with Blocks() as demo:
        a, b = cc.Textbox(), cc.Number()
        a.change(lambda x: (x, 1), a, [a, b])
    assert demo.endpoint(0).postprocess(("x", 2), SessionState()) == ["x", 2]


def test_a_wrong_number_of_returned_values_names_the_function() -> None:
    def two_outputs(x: str) -> tuple[str, ...]:
        return (x,)

    with Blocks() as demo:
        a, b = cc.Textbox(), cc.Textbox()
        a.change(two_outputs, a, [a, b])
    with pytest.raises(ValueError, match="two_outputs has 2 outputs"):
        demo.endpoint(0).postprocess(("x", "y", "z"), SessionState())
    with pytest.raises(ValueError, match="two_outputs"):
        demo.endpoint(0).postprocess("x", SessionState())


def test_a_dict_return_updates_only_the_outputs_it_names() -> None:
    with Blocks() as demo:
        a, b = cc.Textbox(), cc.Textbox()
        a.change(lambda x: {b: x.upper()}, a, [a, b])
    assert demo.endpoint(0).postprocess({b: "X"}, SessionState()) == [{"__type__": "update"}, "X"]


def test_a_dict_return_naming_a_component_that_is_not_an_output_is_an_error() -> None:
    with Blocks() as demo:
        a, b, c = cc.Textbox(), cc.Textbox(), cc.Textbox()
        a.change(lambda x: {c: x}, a, [a, b])
    with pytest.raises(ValueError, match="not one of its outputs"):
        demo.endpoint(0).postprocess({c: "x"}, SessionState())


def test_component_instances_and_update_dicts_become_wire_updates() -> None:
    with Blocks() as demo:
        a, n = cc.Textbox(), cc.Number(precision=0)
        a.change(lambda x: x, a, [a, n])
    wire = demo.endpoint(0).postprocess((cc.Textbox(visible=False), update(value=2.4)), SessionState())
    assert wire == [{"__type__": "update", "visible": False}, {"__type__": "update", "value": 2}]


def test_a_bad_return_value_names_the_function_and_the_output() -> None:
    def returns_a_list(x: str) -> list[str]:
        return [x]

    with Blocks() as demo:
        a = cc.Textbox(label="a")
        a.change(returns_a_list, a, a)
    with pytest.raises(TypeError, match=r"returns_a_list.*output"):
        demo.endpoint(0).postprocess(["x"], SessionState())


def test_state_inputs_come_from_the_session_and_outputs_go_back_to_it() -> None:
    with Blocks() as demo:
        history = cc.State([])
        text = cc.Textbox()
        text.submit(lambda x, h: (x, [*h, x]), [text, history], [text, history])
    dep = demo.endpoint(0)
    alice, bob = SessionState(), SessionState()
    # the State input may be sent (and is ignored) or left out
    assert dep.preprocess(["hi", "ignored"], alice) == ["hi", []]
    assert dep.preprocess(["hi"], bob) == ["hi", []]
    assert dep.postprocess(("hi", ["hi"]), alice) == ["hi", None]
    assert dep.preprocess(["again"], alice) == ["again", ["hi"]]
    assert dep.preprocess(["again"], bob) == ["again", []]


def test_each_session_starts_from_its_own_copy_of_the_state_default() -> None:
    with Blocks() as demo:
        items = cc.State([])
        text = cc.Textbox()
        text.submit(lambda x, h: h.append(x), [text, items], None)
    dep = demo.endpoint(0)
    first = dep.preprocess(["a"], SessionState())
    first[1].append("mutated in place")
    assert dep.preprocess(["a"], SessionState())[1] == []
    assert items.value == []


def test_an_update_returned_for_a_state_stores_its_value() -> None:
    with Blocks() as demo:
        count = cc.State(0)
        button = cc.Button()
        button.click(lambda c: update(value=c + 1), count, count)
    session = SessionState()
    dep = demo.endpoint(0)
    assert dep.postprocess(update(value=5), session) == [None]
    assert dep.preprocess([], session) == [5]


def test_preprocess_and_postprocess_can_be_turned_off() -> None:
    with Blocks() as demo:
        n = cc.Number(precision=0)
        n.change(lambda x: x, n, n, preprocess=False, postprocess=False)
    dep = demo.endpoint(0)
    assert dep.preprocess(["raw"], SessionState()) == ["raw"]
    assert dep.postprocess("raw out", SessionState()) == ["raw out"]


def test_listeners_without_outputs_postprocess_to_an_empty_list() -> None:
    with Blocks() as demo:
        text = cc.Textbox()
        text.change(print, text, None)
    assert demo.endpoint(0).postprocess(None, SessionState()) == []

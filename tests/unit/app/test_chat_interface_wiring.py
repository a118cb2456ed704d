"""ChatInterface without a server: its listeners, the chat function per kind of author function, the
page's prepare steps, and EventData reaching functions that ask for it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import carpool as cp
from carpool.app._backend import Binder
from carpool.app._chat_fn import assistant_turn, chat_function, seen_history, user_turn
from carpool.app._signature import Slot, call_plan
from carpool.components import Chatbot, MultimodalTextbox, Textbox
from carpool.core import FINISHED, Done
from carpool.exceptions import BatchShapeError, InvalidInputError


def echo(message: str, history: list[Any], *extra: Any) -> str:
    return f"{message}!"


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


# -- the app it builds ------------------------------------------------------------------------------------


def test_one_chat_listener_takes_message_history_and_extras_and_answers_reply_and_chatbot() -> None:
    extra = cp.Slider(0, 2, label="temperature")
    demo = cp.ChatInterface(echo, additional_inputs=[extra], title="Echo")
    chat = demo.endpoint("chat")
    assert chat is demo.chat_dependency and chat.chat and chat.api_name == "chat"
    assert chat.inputs == [demo.message_box, demo.history_box, extra]
    assert chat.outputs == [demo.reply_box, demo.chatbot]
    assert chat.targets == [(demo.turn.id, "change")]
    assert list(demo.api_info()["endpoints"]) == ["chat"]  # the page's own steps are not API endpoints
    assert isinstance(demo.textbox, Textbox) and demo.submit_button is not None


def test_multimodal_uses_a_multimodal_textbox_for_the_message() -> None:
    demo = cp.ChatInterface(echo, multimodal=True)
    assert isinstance(demo.textbox, MultimodalTextbox) and isinstance(demo.message_box, MultimodalTextbox)
    custom = cp.ChatInterface(echo, textbox=MultimodalTextbox(file_types=["image"]))
    assert custom.multimodal


def test_examples_without_extra_inputs_are_shown_in_the_chatbot() -> None:
    demo = cp.ChatInterface(echo, examples=["hi", {"text": "bye", "files": []}], example_labels=["Hi", "Bye"])
    assert demo.chatbot.examples == [
        {"text": "hi", "display_text": "Hi"},
        {"text": "bye", "files": [], "display_text": "Bye"},
    ]
    assert "example_select" in demo.chatbot.get_config()["props"]["listens"]


def test_examples_with_extra_input_values_become_an_examples_table() -> None:
    demo = cp.ChatInterface(echo, additional_inputs=[cp.Number()], examples=[["hi", 3]])
    assert not demo.examples_in_chatbot and demo.examples_handler is not None
    with pytest.raises(ValueError, match="examples are lists"):
        cp.ChatInterface(echo, additional_inputs=[cp.Number()], examples=["hi"])


def test_build_time_errors() -> None:
    with pytest.raises(ValueError, match="'tuples' is not supported"):
        cp.ChatInterface(echo, type="tuples")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="additional_outputs"):
        cp.ChatInterface(lambda m, h: m, batch=True, additional_outputs=[cp.Textbox()])


def test_calling_the_app_runs_one_turn() -> None:
    demo = cp.ChatInterface(echo)
    reply, conversation = demo("hey", [])
    assert reply == "hey!"
    assert conversation == [{"role": "user", "content": "hey"}, {"role": "assistant", "content": "hey!"}]


# -- the chat function per kind ---------------------------------------------------------------------------


def test_a_plain_function_answers_reply_and_conversation() -> None:
    respond = chat_function(echo, batch=False, n_extra_outputs=0)
    assert respond.__name__ == "echo"
    reply, conversation = respond("a", [{"role": "user", "content": "old"}])
    assert reply == "a!"
    assert [m["content"] for m in conversation] == ["old", "a", "a!"]


def test_a_generator_yields_the_growing_reply_with_the_conversation() -> None:
    def spell(message: str, history: list[Any]) -> Iterator[str]:
        yield "h"
        yield "hi"

    outputs = list(chat_function(spell, batch=False, n_extra_outputs=0)("x", []))
    assert [reply for reply, _ in outputs] == ["h", "hi"]
    assert outputs[-1][1][-1] == {"role": "assistant", "content": "hi"}


def test_async_functions_keep_their_kind() -> None:
    async def answer(message: str, history: list[Any]) -> str:
        return message.upper()

    async def stream(message: str, history: list[Any]) -> AsyncIterator[str]:
        yield message

    async def run() -> tuple[Any, list[Any]]:
        single = await chat_function(answer, batch=False, n_extra_outputs=0)("a", [])
        streamed = [item async for item in chat_function(stream, batch=False, n_extra_outputs=0)("b", [])]
        return single, streamed

    single, streamed = asyncio.run(run())
    assert single[0] == "A" and streamed[0][0] == "b"


def test_additional_outputs_come_after_the_chatbot() -> None:
    respond = chat_function(lambda m, h: (m, "side"), batch=False, n_extra_outputs=1)
    reply, _, side = respond("x", [])
    assert (reply, side) == ("x", "side")
    with pytest.raises(ValueError, match="a tuple of 2"):
        chat_function(lambda m, h: m, batch=False, n_extra_outputs=1)("x", [])


def test_the_function_cannot_change_the_history_it_was_given() -> None:
    def meddle(message: str, history: list[Any]) -> str:
        history.append({"role": "user", "content": "sneaky"})
        return "ok"

    given: list[Any] = []
    _, conversation = chat_function(meddle, batch=False, n_extra_outputs=0)("x", given)
    assert given == [] and len(conversation) == 2


def test_a_batched_function_gets_lists_and_returns_one_reply_each() -> None:
    def answer_all(messages: list[str], histories: list[list[Any]]) -> list[str]:
        return [f"{m}/{len(h)}" for m, h in zip(messages, histories, strict=True)]

    replies, conversations = chat_function(answer_all, batch=True, n_extra_outputs=0)(
        ["a", "b"], [[], [{"role": "user", "content": "x"}]]
    )
    assert replies == ["a/0", "b/1"] and len(conversations[1]) == 3
    with pytest.raises(BatchShapeError, match="expected a list of 2 replies"):
        chat_function(lambda m, h: ["only one"], batch=True, n_extra_outputs=0)(["a", "b"], [[], []])
    with pytest.raises(BatchShapeError, match="returned str"):
        chat_function(lambda m, h: "not a list", batch=True, n_extra_outputs=0)(["a"], [[]])


def test_a_batched_generator_yields_lists_of_replies_so_far() -> None:
    def stream_all(messages: list[str], histories: list[Any]) -> Iterator[list[str]]:
        yield [m[:1] for m in messages]
        yield list(messages)

    steps = list(chat_function(stream_all, batch=True, n_extra_outputs=0)(["ab", "cd"], [[], []]))
    assert [replies for replies, _ in steps] == [["a", "c"], ["ab", "cd"]]


def test_a_stepwise_function_is_wrapped_in_a_stepwise_that_carries_the_conversation() -> None:
    def join(messages: list[str], histories: list[Any]) -> list[Any]:
        return [ValueError("empty") if not m else {"text": m, "at": 0} for m in messages]

    def step(states: list[dict[str, Any]]) -> list[Any]:
        out: list[Any] = []
        for state in states:
            state["at"] += 1
            out.append(
                Done(state["text"]) if state["at"] == len(state["text"]) else state["text"][: state["at"]]
            )
        return out

    listener = chat_function(cp.Stepwise(join, step), batch=True, n_extra_outputs=0)
    assert isinstance(listener, cp.Stepwise)
    items = listener.call("join")(["ab", ""], [[], []])
    assert isinstance(items[1], ValueError)
    first = listener.call("step")([items[0]])
    assert first == [("a", [{"role": "user", "content": "ab"}, {"role": "assistant", "content": "a"}])]
    (done,) = listener.call("step")([items[0]])
    assert isinstance(done, Done) and done.value[0] == "ab"
    assert list(listener("xy", []))[-1][0] == "xy"  # runs alone outside an engine too
    with pytest.raises(ValueError, match="batch=True"):
        chat_function(cp.Stepwise(join, step), batch=False, n_extra_outputs=0)


def test_finished_and_failures_of_a_stepwise_pass_through() -> None:
    listener = chat_function(
        cp.Stepwise(lambda m, h: [1, 2], lambda states: [FINISHED, RuntimeError("bad")]),
        batch=True,
        n_extra_outputs=0,
    )
    finished, failed = listener.call("step")(listener.call("join")(["a", "b"], [[], []]))
    assert finished is FINISHED and isinstance(failed, RuntimeError)


def test_turns() -> None:
    assert user_turn("hi") == [{"role": "user", "content": "hi"}]
    assert user_turn({"text": "look", "files": ["/tmp/a.png"]}) == [
        {"role": "user", "content": [{"path": "/tmp/a.png"}, "look"]}
    ]
    assert user_turn({"text": "", "files": []}) == []
    assert assistant_turn(None) == []
    assert assistant_turn(["one", cp.ChatMessage("two", role="user")])[1].role == "assistant"
    assert assistant_turn({"role": "user", "content": "x"}) == [{"role": "assistant", "content": "x"}]
    with pytest.raises(TypeError, match="got int"):
        assistant_turn(3)
    assert seen_history([{"role": "user", "content": "s"}]) == [{"role": "user", "content": [text("s")]}]


# -- the page's prepare steps (wire values) ---------------------------------------------------------------


def user(value: str) -> dict[str, Any]:
    return {"role": "user", "metadata": None, "content": [text(value)], "options": None}


def bot(value: str) -> dict[str, Any]:
    return {"role": "assistant", "metadata": None, "content": [text(value)], "options": None}


def test_submit_shows_the_message_at_once_and_hands_the_turn_to_the_chat_listener() -> None:
    demo = cp.ChatInterface(echo)
    earlier = [user("a"), bot("b")]
    starts = demo._on_submit("c", earlier, 4)
    assert starts[demo.message_box] == "c" and starts[demo.history_box] == earlier
    assert starts[demo.chatbot] == [*earlier, user("c")]
    assert starts[demo.turn] == 5
    assert starts[demo.textbox] == {"__type__": "update", "value": "", "interactive": False}
    assert demo.stop_button is not None and starts[demo.stop_button] == {
        "__type__": "update",
        "visible": True,
    }
    with pytest.raises(InvalidInputError, match="must be a list of messages"):
        demo._on_submit("c", {"role": "user"}, 0)


def test_a_multimodal_submit_shows_files_then_text() -> None:
    demo = cp.ChatInterface(echo, multimodal=True)
    upload = {"file_id": "f" * 32, "url": "/file/" + "f" * 32, "orig_name": "a.png"}
    starts = demo._on_submit({"text": "see", "files": [upload]}, [], 0)
    (shown,) = starts[demo.chatbot]
    assert [p["type"] for p in shown["content"]] == ["file", "text"]


def test_retry_and_undo_take_back_the_last_user_turn() -> None:
    demo = cp.ChatInterface(echo)
    chat = [user("a"), bot("b"), user("c"), bot("d1"), bot("d2")]
    starts = demo._on_retry(chat, 0)
    assert starts[demo.message_box] == "c" and starts[demo.history_box] == chat[:2]
    assert starts[demo.chatbot] == [*chat[:2], user("c")]
    assert demo._on_undo(chat) == (chat[:2], "c")
    assert demo._on_undo([]) == ([], "")


# -- EventData ---------------------------------------------------------------------------------------------


def test_a_parameter_annotated_with_event_data_receives_it() -> None:
    def on_like(history: list[Any], data: cp.LikeData) -> None: ...

    def on_edit(data: cp.EditData) -> None: ...

    like_plan, edit_plan = call_plan(on_like), call_plan(on_edit)
    assert [p.slot for p in like_plan.params] == [Slot.INPUT, Slot.EVENT_DATA]
    assert like_plan.params[1].event_class is cp.LikeData
    assert edit_plan.params[0].event_class is cp.EditData and edit_plan.input_names == ()
    target = Chatbot(render=False)
    binder = Binder(like_plan, batch=False, input_keys=None, target_of={5: target}.get)
    context = {"trigger_id": 5, "event_data": {"index": 3, "value": "hi", "liked": False}}
    args, _ = binder.arguments([[]], [context])
    data = args[1]
    assert isinstance(data, cp.LikeData) and data.target is target
    assert (data.index, data.value, data.liked) == (3, "hi", False)


def test_event_data_attributes() -> None:
    edit = cp.EditData(None, {"index": [2, 0], "value": "new", "previous_value": "old"})
    assert (edit.index, edit.value, edit.previous_value) == ([2, 0], "new", "old")
    select = cp.SelectData(None, {"index": 1, "value": "x", "extra": 9})
    assert select.selected is True and select.extra == 9
    with pytest.raises(AttributeError):
        _ = select.missing
    assert cp.EventData(None, None)._data == {}


def test_inside_another_app_the_interface_is_built_into_that_app() -> None:
    with cp.Blocks() as demo:
        choice = cp.Radio(["Greeting", "Blank"])
        chat = cp.ChatInterface(echo)
        choice.change(lambda c: [{"role": "user", "content": c}], choice, chat.chatbot_value)
    assert chat.enclosing_app is demo and chat.chatbot_value is chat.chatbot
    assert demo.endpoint("chat") is chat.chat_dependency and chat.dependencies == []
    types = [c["type"] for c in demo.config()["components"]]
    assert "chatbot" in types and "radio" in types
    assert demo("hi", [], api_name="chat")[0] == "hi!"

"""Wire values <-> the Python values a dependency's function takes and returns (one sample).

Inputs: each wire value goes through its component's ``preprocess``; a bad one becomes an
``InvalidInputError`` naming the parameter, so an API caller learns *which* value was wrong. ``State``
inputs are read from the session, never from the wire.

Outputs: a single value, a tuple (one per output), or a dict ``{component: value}`` that may leave some
outputs out (they stay as they are: the wire carries an empty update). A value may be an update -- a
component instance (``cp.Textbox(visible=False)``) or ``cp.update(...)`` -- whose ``value`` is
postprocessed by the output it targets. ``State`` outputs are stored in the session and sent as null
(or, when the page listens to that State's ``change``, as ``STATE_CHANGED`` when the value changed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from carpool.app._session import SessionState
from carpool.components import Block, is_update
from carpool.exceptions import InvalidInputError

if TYPE_CHECKING:
    from carpool.app._dependency import Dependency

__all__ = ["SKIP", "STATE_CHANGED", "chat_inputs", "chat_reply", "postprocess_outputs", "preprocess_inputs"]

SKIP: dict[str, Any] = {"__type__": "update"}  # wire form of "leave this output unchanged"
STATE_CHANGED: dict[str, Any] = {"__type__": "update", "changed": True}  # a watched State's new value


def is_stateful(block: Any) -> bool:
    return bool(getattr(block, "stateful", False))


def _with_state_slots(dep: Dependency, data: Sequence[Any]) -> Sequence[Any]:
    """The data with one entry per input; callers may leave out State inputs (the server has them)."""
    expected = len(dep.inputs)
    if len(data) == expected:
        return data
    state_positions = [i for i, is_state in enumerate(dep.state_inputs) if is_state]
    if state_positions and len(data) == expected - len(state_positions):
        values = iter(data)
        return [None if i in state_positions else next(values) for i in range(expected)]
    names = dep.parameter_names
    if len(data) < expected:
        missing = [names[i] for i in range(expected) if i not in state_positions][len(data) :]
        raise InvalidInputError(
            f"{dep.name} takes {expected} input(s) but got {len(data)}: missing a value for {missing[0]!r}",
            parameter=missing[0],
        )
    raise InvalidInputError(
        f"{dep.name} takes {expected} input(s) but got {len(data)}: unexpected extra value at "
        f"position {expected}",
        parameter=f"param_{expected}",
    )


def preprocess_inputs(dep: Dependency, data: Any, session: SessionState) -> list[Any]:
    # One loop, no call per input beyond the component's own: this runs for every event, and for a
    # fast function the layers around ``block.preprocess`` cost more than the conversion itself.
    if not isinstance(data, list | tuple):
        raise InvalidInputError(
            f"data must be a list of {len(dep.inputs)} value(s), got {type(data).__name__}"
        )
    if dep.text_only and len(data) == len(dep.inputs) and _all_text(data):
        return list(data)  # what each Textbox's preprocess returns for a str or None
    values = _with_state_slots(dep, data)
    run = dep.run_preprocess
    states = dep.state_inputs
    prepared: list[Any] = []
    for index, block in enumerate(dep.inputs):
        if states[index]:
            prepared.append(session.get(block))
        elif run:
            prepared.append(_preprocessed(dep, index, block, values[index]))
        else:
            prepared.append(values[index])
    return prepared


def _all_text(values: Sequence[Any]) -> bool:
    # A loop, not all() over a generator: per event, the generator would cost more than the checks.
    for value in values:  # noqa: SIM110
        if value is not None and type(value) is not str:
            return False
    return True


def _preprocessed(dep: Dependency, index: int, block: Any, value: Any) -> Any:
    try:
        return block.preprocess(value)
    except InvalidInputError as error:
        raise InvalidInputError(error.message, parameter=dep.parameter_names[index]) from error
    except (TypeError, ValueError) as error:
        raise InvalidInputError(str(error), parameter=dep.parameter_names[index]) from error


def _preprocess_one(dep: Dependency, index: int, block: Any, value: Any, session: SessionState) -> Any:
    if dep.state_inputs[index]:
        return session.get(block)
    if not dep.run_preprocess:
        return value
    return _preprocessed(dep, index, block, value)


def chat_inputs(dep: Dependency, message: str, history: list[Any], session: SessionState) -> list[Any]:
    """A chat listener's arguments for a conversation sent from outside the page (the OpenAI API).

    The message and history are already Python values in the chat contract's form (a MultimodalTextbox
    message becomes ``{"text", "files": []}``); each additional input takes its current value, as if
    the user had left it untouched.
    """
    first = dep.inputs[0]
    text: Any = {"text": message, "files": []} if first.block_type == "multimodaltextbox" else message
    extras = [
        _preprocess_one(dep, index, block, _initial_wire_value(block), session)
        for index, block in enumerate(dep.inputs[2:], start=2)
    ]
    return [text, history, *extras]


def _initial_wire_value(block: Any) -> Any:
    config_value = getattr(block, "config_value", None)
    return config_value() if config_value is not None else getattr(block, "value", None)


def chat_reply(dep: Dependency, output: Any) -> Any:
    """The reply in one output (or partial output) of a chat listener: its first output's value."""
    if not dep.outputs:
        return None
    reply = _by_output(dep, output)[0]
    return None if reply is SKIP else reply


def _by_output(dep: Dependency, output: Any) -> list[Any]:
    """The return value split into one value per output (``SKIP`` for outputs a dict left out)."""
    count = len(dep.outputs)
    if isinstance(output, dict) and output and all(isinstance(key, Block) for key in output):
        unknown = [key for key in output if key not in dep.outputs]
        if unknown:
            raise ValueError(
                f"{dep.name} returned a value for {unknown[0]!r}, which is not one of its outputs"
            )
        return [output.get(block, SKIP) for block in dep.outputs]
    if count == 1:
        return [output]
    if not isinstance(output, tuple | list) or len(output) != count:
        got = f"{len(output)} values" if isinstance(output, tuple | list) else f"one {type(output).__name__}"
        raise ValueError(
            f"{dep.name} has {count} outputs, so it must return {count} values; it returned {got}"
        )
    return list(output)


def postprocess_outputs(dep: Dependency, output: Any, session: SessionState) -> list[Any]:
    outputs = dep.outputs
    if not outputs:
        return []
    if dep.text_only and dep.run_postprocess:
        # What each Textbox's postprocess returns for a str (anything else takes the general path).
        if len(outputs) == 1 and type(output) is str:
            return [output]
        if type(output) is tuple and len(output) == len(outputs) and _all_strings(output):
            return list(output)
    values = _by_output(dep, output)
    states = dep.state_outputs
    return [_postprocess_one(dep, block, values[i], session, states[i]) for i, block in enumerate(outputs)]


def _all_strings(values: Sequence[Any]) -> bool:
    for value in values:  # noqa: SIM110 (as in _all_text)
        if type(value) is not str:
            return False
    return True


def _postprocess_one(dep: Dependency, block: Any, value: Any, session: SessionState, is_state: bool) -> Any:
    if value is SKIP:
        return None if is_state else dict(SKIP)
    if is_update(value):
        props = value.update_props() if isinstance(value, Block) else dict(value)
        if is_state:
            return _store_state(dep, block, props["value"], session) if "value" in props else None
        return _converted(dep, block, lambda: block.postprocess_update(props), props)
    if is_state:
        return _store_state(dep, block, value, session)
    if not dep.run_postprocess:
        return value
    try:
        return block.postprocess(value)
    except (TypeError, ValueError) as error:
        raise _bad_output(dep, block, error) from error


def _store_state(dep: Dependency, block: Any, value: Any, session: SessionState) -> Any:
    """Keep a State output in the session. The page hears of it only when it listens to the State's
    ``change`` (``.change`` or a ``render`` over it): then a changed value goes out as ``STATE_CHANGED``."""
    watched = getattr(dep.registry, "watched_states", None)
    if watched is None or block.id not in watched():
        session.set(block, value)
        return None
    return dict(STATE_CHANGED) if session.set_watched(block, value) else None


def _converted(dep: Dependency, block: Any, convert: Any, raw: Any) -> Any:
    if not dep.run_postprocess:
        return raw
    try:
        return convert()
    except (TypeError, ValueError) as error:
        raise _bad_output(dep, block, error) from error


def _bad_output(dep: Dependency, block: Any, error: TypeError | ValueError) -> TypeError | ValueError:
    kind = TypeError if isinstance(error, TypeError) else ValueError
    return kind(f"{dep.name} returned a bad value for output {block!r}: {error}")

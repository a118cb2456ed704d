"""A chat listener as Gradio's clients know it: ``(message, *additional_inputs) -> reply``.

carpool's chat listener (``ChatInterface``, or any listener marked ``chat=True``) takes the conversation
as an argument: ``[message, history, *additional_inputs] -> [reply, chatbot, *additional_outputs]``, so
``POST /api/chat`` and the OpenAI endpoint can send any history. Gradio's ChatInterface keeps the
conversation on the server instead, in a ``State`` of the client's session: ``gradio_client`` calls
``predict("Hi", api_name="/chat")`` and gets the reply, and the next call of the same client continues
the conversation. Seen through Gradio's protocol, a chat listener here behaves the same way:

- ``/config`` (for Gradio's clients) shows its history input and its chatbot output as one ``state``
  component (which the clients fill with ``null`` and drop from the answer); carpool's own view of the
  dependency stays under ``carpool_inputs`` / ``carpool_outputs``;
- ``/gradio_api/info`` lists neither;
- a join that leaves the history slot empty gets the session's conversation, and the conversation the
  listener returns becomes the session's for the next call.

The event is the same listener's, so it queues and batches with everyone else's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["HISTORY_INPUT", "HISTORY_OUTPUT", "chat_config", "keep_history", "with_history"]

HISTORY_INPUT = 1  # [message, history, *additional_inputs]
HISTORY_OUTPUT = 1  # [reply, chatbot, *additional_outputs]


@dataclass(frozen=True)
class _HistorySlot:
    """The session key of one chat listener's conversation (session values are keyed by ``id``)."""

    id: int
    value: list[Any] = field(default_factory=list)


def _slot(dependency: Any) -> _HistorySlot:
    # negative ids never clash with a component's
    return _HistorySlot(id=-1_000_000 - int(dependency.index))


def is_chat(dependency: Any) -> bool:
    return bool(getattr(dependency, "chat", False)) and len(dependency.inputs) > HISTORY_INPUT


def with_history(dependency: Any, data: list[Any], session: Any) -> list[Any]:
    """``data`` of a Gradio client's join, with the session's conversation where the client sent none."""
    if not is_chat(dependency) or len(data) != len(dependency.inputs) or data[HISTORY_INPUT] is not None:
        return data
    filled = list(data)
    filled[HISTORY_INPUT] = session.get(_slot(dependency))
    return filled


def keep_history(dependency: Any, session: Any, output: list[Any]) -> None:
    """Remember the conversation a chat listener answered with (its chatbot output, wire form)."""
    if is_chat(dependency) and len(output) > HISTORY_OUTPUT and isinstance(output[HISTORY_OUTPUT], list):
        session.set(_slot(dependency), output[HISTORY_OUTPUT])


def chat_config(config: dict[str, Any], chat_indices: set[int]) -> dict[str, Any]:
    """``config`` with each chat dependency's history slots shown as one ``state`` component."""
    if not chat_indices:
        return config
    components = config.get("components", [])
    state_id = max((int(c["id"]) for c in components), default=0) + 1
    dependencies = []
    for dep in config.get("dependencies", []):
        if dep.get("id") in chat_indices and len(dep.get("inputs", [])) > HISTORY_INPUT:
            dep = {
                **dep,
                "inputs": _replaced(dep["inputs"], HISTORY_INPUT, state_id),
                "outputs": _replaced(dep.get("outputs", []), HISTORY_OUTPUT, state_id),
                "carpool_inputs": dep["inputs"],
                "carpool_outputs": dep.get("outputs", []),
            }
        dependencies.append(dep)
    state = {"id": state_id, "type": "state", "props": {"visible": False}, "skip_api": True}
    return {**config, "components": [*components, state], "dependencies": dependencies}


def _replaced(ids: list[Any], index: int, new: int) -> list[Any]:
    return [new if i == index else item for i, item in enumerate(ids)]

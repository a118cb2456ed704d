"""The ``GET /info`` body -- every API endpoint with typed parameters and returns -- and the
registration-time check that a function can take the inputs it was given.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from carpool.app._signature import Slot

if TYPE_CHECKING:
    from carpool.app._blocks import Blocks
    from carpool.app._dependency import Dependency

__all__ = ["api_info", "endpoint_info", "warn_on_arity_mismatch"]

_PYTHON_TYPES = {
    "string": "str",
    "number": "float",
    "integer": "int",
    "boolean": "bool",
    "array": "list",
    "object": "dict",
    "null": "None",
}


def python_type(schema: dict[str, Any]) -> str:
    """The Python type a client sends or receives for a JSON schema (``"Any"`` when unsaid)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(_PYTHON_TYPES.get(k, "Any") for k in kind)
    if isinstance(kind, str):
        return _PYTHON_TYPES.get(kind, "Any")
    if "anyOf" in schema:
        return " | ".join(python_type(option) for option in schema["anyOf"])
    return "Any"


def _component_info(block: Any) -> dict[str, Any]:
    schema = block.api_schema() if hasattr(block, "api_schema") else {}
    return {
        "label": getattr(block, "label", None),
        "component": getattr(block, "block_type", type(block).__name__.lower()),
        "python_type": python_type(schema),
        "schema": schema,
        "stateful": bool(getattr(block, "stateful", False)),
    }


def _input_default(dep: Dependency, index: int, block: Any) -> dict[str, Any]:
    """Whether a client may leave the input out, and what it sends then (Gradio's rule and names).

    An input whose component starts with a value is optional, defaulting to that value (in wire form);
    so is one whose function parameter defaults to None. Trailing optional inputs, such as an
    Interface's ``additional_inputs``, can then be left out of a call.
    """
    try:
        value = block.config_value() if hasattr(block, "config_value") else None
    except Exception:  # a default that cannot be served here (a file outside a request): required
        value = None
    if value is not None:
        return {"parameter_has_default": True, "parameter_default": value}
    inputs = [param for param in dep.plan.params if param.slot is Slot.INPUT]
    fn_default_none = not dep.inputs_as_dict and index < len(inputs) and inputs[index].default is None
    return {"parameter_has_default": fn_default_none, "parameter_default": None}


def endpoint_info(dep: Dependency) -> dict[str, Any]:
    parameters = []
    for index, (name, block) in enumerate(zip(dep.parameter_names, dep.inputs, strict=True)):
        example = block.example_payload() if hasattr(block, "example_payload") else None
        parameters.append(
            {
                "parameter_name": name,
                **_component_info(block),
                "example": example,
                **_input_default(dep, index, block),
            }
        )
    return {
        "api_name": dep.api_name,
        "fn_index": dep.index,
        "batch": dep.batch,
        "max_batch_size": dep.max_batch_size,
        "generator": dep.is_generator,
        "chat": dep.chat,
        "parameters": parameters,
        "returns": [_component_info(block) for block in dep.outputs],
    }


def api_info(blocks: Blocks) -> dict[str, Any]:
    listed = [d for d in blocks.dependencies if d.backend_fn and d.show_api and d.api_name is not None]
    endpoints = {dep.api_name: endpoint_info(dep) for dep in listed}
    for dep in listed:  # an alias is listed too (clients look names up here), marked as one
        for alias in dep.aliases:
            if alias not in endpoints:
                endpoints[alias] = {**endpoint_info(dep), "api_name": alias, "alias_of": dep.api_name}
    return {"endpoints": endpoints}


def warn_on_arity_mismatch(dep: Dependency) -> None:
    """Warn when the function cannot take the listener's inputs: the first call would fail."""
    if dep.fn is None:
        return
    given = 1 if dep.inputs_as_dict else len(dep.inputs)
    plan = dep.plan
    if given < plan.required_inputs:
        problem = f"requires {plan.required_inputs} input(s) ({', '.join(plan.input_names)})"
    elif plan.max_inputs is not None and given > plan.max_inputs:
        problem = f"takes at most {plan.max_inputs} input(s)"
    else:
        return
    warnings.warn(f"{dep.name} {problem} but the listener gives it {given}", UserWarning, stacklevel=5)

"""``bench chat --model``: the three serving modes over the real CPU model of ``examples/chat_model.py``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PROMPT = "Tell me about batching."


def model_app(batch_size: int) -> Any:
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    from chat_model import Decoder

    import carpool as cp
    from carpool.core import FINISHED

    alone = Decoder(slots=1)  # the unbatched baseline: one request at a time through the same model
    static_decoder = Decoder(slots=batch_size)
    continuous = Decoder(slots=batch_size)

    def unbatched(length: float) -> Iterator[str]:
        yield from alone(PROMPT, length)

    def static(lengths: list[float]) -> Iterator[list[Any]]:
        """Today's batched generator: prefill together, decode until the longest answer ends."""
        rows = static_decoder.join([PROMPT] * len(lengths), lengths)
        try:
            running = list(rows)
            while running:
                outputs = static_decoder.step(running)
                done = {id(r) for r, out in zip(running, outputs, strict=True) if not isinstance(out, str)}
                yield [[getattr(out, "value", out) for out in outputs]]
                if done:
                    yield [[FINISHED if id(r) in done else "".join(r.text) for r in running]]
                    running = [r for r in running if id(r) not in done]
        finally:
            static_decoder.leave(rows)

    with cp.Blocks() as demo:
        length, answer = cp.Number(), cp.Textbox()
        cp.Button().click(unbatched, length, answer, api_name="unbatched", concurrency_limit=1)
        cp.Button().click(static, length, answer, api_name="static", batch=True, max_batch_size=batch_size)
        stepwise = cp_stepwise(continuous)
        cp.Button().click(
            stepwise, length, answer, api_name="continuous", batch=True, max_batch_size=batch_size
        )
    return demo


def cp_stepwise(decoder: Any) -> Any:
    """The continuous decoder, asked with the benchmark's one input (the answer length)."""
    from carpool.core import Stepwise

    def join(lengths: list[float]) -> Any:
        return decoder.join([PROMPT] * len(lengths), lengths)

    return Stepwise(join, decoder.step, decoder.leave, name="continuous")

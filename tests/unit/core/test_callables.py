"""The one function classifier: what calling a function, a partial or a callable object gives."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator
from typing import Any
from unittest import mock

import pytest

from carpool.core.callables import FnKind, call_target


class AsyncCall:
    async def __call__(self, x: int, n: int) -> int:
        return x + n


class GeneratorCall:
    def __call__(self, x: int, n: int) -> Iterator[int]:
        yield from range(x, x + n)


class AsyncGeneratorCall:
    async def __call__(self, x: int) -> AsyncIterator[int]:
        yield x


def plain(x: int) -> int:
    return x


@pytest.mark.parametrize(
    ("fn", "kind"),
    [
        (plain, FnKind.SYNC),
        (functools.partial(plain), FnKind.SYNC),
        (AsyncCall(), FnKind.ASYNC),
        (functools.partial(AsyncCall(), n=1), FnKind.ASYNC),
        (functools.partial(functools.partial(AsyncCall(), 1), 2), FnKind.ASYNC),
        (functools.partial(GeneratorCall(), n=3), FnKind.SYNC_GENERATOR),
        (functools.partial(AsyncGeneratorCall()), FnKind.ASYNC_GENERATOR),
        (AsyncCall, FnKind.SYNC),  # calling the class builds an instance; it awaits nothing
        (mock.AsyncMock(), FnKind.ASYNC),  # marked a coroutine function as a whole
    ],
    ids=lambda value: getattr(value, "name", None) or type(value).__name__,
)
def test_fn_kind_sees_through_partials_and_call_methods(fn: Any, kind: FnKind) -> None:
    assert FnKind.of(fn) is kind


def test_call_target_is_the_code_that_runs() -> None:
    instance = AsyncCall()
    assert call_target(functools.partial(functools.partial(instance), 1)) == instance.__call__
    assert call_target(plain) is plain


def test_only_async_kinds_run_on_the_loop_and_only_generators_stream() -> None:
    assert [kind.runs_on_loop for kind in FnKind] == [False, True, False, True]
    assert [kind.is_generator for kind in FnKind] == [False, False, True, True]

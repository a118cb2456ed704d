"""Inert server settings: what ``create_app`` and ``launch`` were asked for, validated once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from carpool.server._headers import page_headers

__all__ = ["AuthSpec", "MiB", "ServerSettings", "parse_size"]

MiB = 1024 * 1024

# auth=("user", "pw"), [("u1", "p1"), ("u2", "p2")], or a callable(user, pw) -> bool
AuthSpec: TypeAlias = "tuple[str, str] | Sequence[tuple[str, str]] | Callable[[str, str], bool]"


@dataclass(frozen=True, kw_only=True)
class ServerSettings:
    auth: AuthSpec | None = None
    show_error: bool = False
    max_file_size: int = 100 * MiB
    max_total_upload_size: int = 2048 * MiB  # uploaded files held in all (507 past it)
    max_client_upload_size: int = 512 * MiB  # ... per client: the user, else the address (413 past it)
    allowed_paths: tuple[Path, ...] = ()
    root_path: str = ""
    heartbeat_interval: float = 15.0
    session_buffer: int = 1000  # messages buffered per session until its stream reads them
    session_idle_timeout: float = 60.0  # a session whose stream never opens is abandoned after this
    max_sessions: int = 10_000  # sessions whose State values are kept; idle ones evicted first
    max_sessions_per_client: int = 1_000  # per address (or user): a client churning sessions evicts its own
    close_grace: float = 10.0  # running batches get this long to finish at shutdown
    login_ttl: float = 7 * 24 * 3600.0  # seconds a login cookie stays valid
    login_attempts: int = 10  # failed logins per client per minute before 429
    login_attempts_per_account: int = 20  # an account's decaying failure score before 429 (_login_limits)
    max_json_body: int = 4 * MiB  # JSON bodies (API calls, joins) larger than this get 413
    allowed_hosts: tuple[str, ...] = ()  # host names besides loopback ones a local app answers to
    page_headers: Mapping[str, str] = field(default_factory=page_headers)  # CSP, framing, nosniff

    @staticmethod
    def names(names: Iterable[str] | str | None) -> tuple[str, ...]:
        """``"a.example"`` or ``["a.example", "*.b.example"]`` -> a tuple (one string is one name)."""
        if not names:
            return ()
        return (names,) if isinstance(names, str) else tuple(str(name) for name in names)

    @staticmethod
    def paths(paths: Iterable[str | Path]) -> tuple[Path, ...]:
        return tuple(Path(p).resolve() for p in paths)


_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": MiB, "gib": 1024**3}


def parse_size(value: int | float | str | None, default: int = 100 * MiB) -> int:
    """Bytes from ``100 * 1024``, ``"5mb"``, ``"1 GiB"`` (Gradio's spellings) or None (the default)."""
    if value is None:
        return default
    if isinstance(value, int | float):
        return int(value)
    text = value.strip().lower().replace(" ", "")
    number = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(number) :]
    if unit not in _UNITS or not number:
        raise ValueError(f"max_file_size: cannot read {value!r} (use bytes or e.g. '10mb')")
    return int(float(number) * _UNITS[unit])

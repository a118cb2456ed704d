"""How much uploaded data the file store holds: in all, and per uploader. Refused, never evicted.

An upload is charged to its *owner* (the server passes the logged-in user, else the client address)
while it streams in, so concurrent uploads cannot overshoot together. Past either quota the upload is
refused -- 413 for the owner's own quota, 507 (Insufficient Storage) for the store's -- and nothing of
another owner's is deleted to make room while it is *live*: used (uploaded, or read by a request)
within the last ``idle_ttl`` seconds. Idle uploads are given up only when their room is needed, the
least recently used first. Each file counts as at least ``min_charge`` bytes, so a flood of empty
files is bounded too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from carpool.exceptions import CarpoolError

__all__ = [
    "DEFAULT_MAX_CLIENT_UPLOAD_BYTES",
    "DEFAULT_MAX_TOTAL_UPLOAD_BYTES",
    "UploadLedger",
    "UploadQuota",
    "UploadQuotaError",
]

MiB: Final = 1024 * 1024
DEFAULT_MAX_TOTAL_UPLOAD_BYTES: Final = 2048 * MiB
DEFAULT_MAX_CLIENT_UPLOAD_BYTES: Final = 512 * MiB


@dataclass(frozen=True, kw_only=True)
class UploadQuota:
    """``None`` for a byte limit means none."""

    total_bytes: int | None = DEFAULT_MAX_TOTAL_UPLOAD_BYTES
    per_owner_bytes: int | None = DEFAULT_MAX_CLIENT_UPLOAD_BYTES
    idle_ttl: float = 3600.0  # seconds since last use after which an upload may make room
    min_charge: int = 64 * 1024  # bytes each file counts as, at the least

    def __post_init__(self) -> None:
        for name in ("total_bytes", "per_owner_bytes"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive or None, got {value}")


class UploadQuotaError(CarpoolError):
    """An upload would go past a quota: ``limit`` names the setting, ``limit_bytes`` its value."""

    def __init__(self, limit: str, limit_bytes: int, *, status: int) -> None:
        whose = "this client's uploads" if status == 413 else "the server's uploaded files"
        super().__init__(
            f"Upload refused: {whose} would exceed {limit}={limit_bytes} bytes. "
            "Files in use are never deleted to make room; try again later or with smaller files."
        )
        self.limit = limit
        self.limit_bytes = limit_bytes
        self.status = status


class UploadLedger:
    """Bytes charged per owner and in all (the caller holds the store's lock)."""

    TOTAL_NAME: Final = "max_total_upload_size"
    OWNER_NAME: Final = "max_client_upload_size"

    def __init__(self, quota: UploadQuota) -> None:
        self.quota = quota
        self.total = 0
        self._owners: dict[str, int] = {}

    def used_by(self, owner: str) -> int:
        return self._owners.get(owner, 0)

    def refusal(self, owner: str, amount: int) -> UploadQuotaError | None:
        """Why charging ``amount`` more to ``owner`` is refused, or None when it fits."""
        quota = self.quota
        if quota.per_owner_bytes is not None and self.used_by(owner) + amount > quota.per_owner_bytes:
            return UploadQuotaError(self.OWNER_NAME, quota.per_owner_bytes, status=413)
        if quota.total_bytes is not None and self.total + amount > quota.total_bytes:
            return UploadQuotaError(self.TOTAL_NAME, quota.total_bytes, status=507)
        return None

    def charge(self, owner: str, amount: int) -> None:
        self._owners[owner] = self.used_by(owner) + amount
        self.total += amount

    def refund(self, owner: str, amount: int) -> None:
        left = self.used_by(owner) - amount
        if left > 0:
            self._owners[owner] = left
        else:
            self._owners.pop(owner, None)
        self.total -= amount

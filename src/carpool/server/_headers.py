"""Security headers of the app's pages: a Content-Security-Policy, framing rules, no MIME sniffing.

The page runs only the scripts carpool serves itself (``script-src 'self'``, no inline script, no
``eval``), so markup that slips into the page -- through a sanitiser bug, or an ``HTML`` component's
``onclick=`` -- cannot run script. ``frame-ancestors`` (default ``'self'``) decides who may frame the
app, against clickjacking. Styles may be inline: ``HTML`` components and the login form use them, and
CSS cannot run script.

``content_security_policy=`` replaces the policy (a string is sent as written, with the
``frame-ancestors`` directive added when it has none) or, ``False``, drops everything but
``frame-ancestors``: that is the author's opt-out for ``HTML`` that relies on inline handlers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeAlias

__all__ = ["DEFAULT_CSP", "CSPSpec", "FrameAncestors", "page_headers"]

CSPSpec: TypeAlias = "str | bool | None"
FrameAncestors: TypeAlias = "str | Iterable[str] | None"

DEFAULT_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        # Markdown and HTML show images from anywhere (badges, hosted pictures); media and uploads
        # previews use blob: and data: URLs.
        "img-src 'self' data: blob: https:",
        "media-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
DEFAULT_FRAME_ANCESTORS = "'self'"
# Sent with every page: the browser must not guess a type, leak the app's URLs to other sites, or
# share a window with a page it opened.
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# X-Frame-Options is what browsers without CSP level 2 understand; it can say only these two.
LEGACY_FRAME_OPTIONS = {"'self'": "SAMEORIGIN", "'none'": "DENY"}


def _header_value(value: str, what: str) -> str:
    if any(char in value for char in "\r\n\0") or not value.isascii():
        raise ValueError(f"{what}: {value!r} cannot go into an HTTP header")
    return value.strip()


def _frame_ancestors(value: FrameAncestors) -> str:
    """``"'self'"``, ``"'none'"``, ``"*"``, ``"https://a.example"`` or a list of them -> one source list."""
    if value is None:
        return DEFAULT_FRAME_ANCESTORS
    sources = value.split() if isinstance(value, str) else [str(source) for source in value]
    if not sources:
        raise ValueError("frame_ancestors: give at least one source, e.g. \"'none'\" to forbid framing")
    for source in sources:
        if ";" in source or "," in source or not source.strip():
            raise ValueError(f"frame_ancestors: {source!r} is not a CSP source")
    return _header_value(" ".join(sources), "frame_ancestors")


def _policy(spec: CSPSpec, ancestors: str) -> str:
    if spec is True or spec is None:
        policy = DEFAULT_CSP
    elif spec is False:
        policy = ""
    elif isinstance(spec, str):
        policy = _header_value(spec, "content_security_policy").rstrip("; ")
    else:
        raise TypeError("content_security_policy: give True, False or a policy string")
    if "frame-ancestors" in policy.lower():
        return policy
    return f"{policy}; frame-ancestors {ancestors}" if policy else f"frame-ancestors {ancestors}"


def page_headers(spec: CSPSpec = True, frame_ancestors: FrameAncestors = None) -> Mapping[str, str]:
    """The headers of every HTML page the app serves (the app page, the login form, static HTML)."""
    ancestors = _frame_ancestors(frame_ancestors)
    headers = {**BASE_HEADERS, "Content-Security-Policy": _policy(spec, ancestors)}
    legacy = LEGACY_FRAME_OPTIONS.get(ancestors)
    if legacy is not None:
        headers["X-Frame-Options"] = legacy
    return headers

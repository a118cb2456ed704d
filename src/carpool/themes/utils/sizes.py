"""``Size``: a scale of seven steps (``xxs`` ... ``xxl``), and the radius, spacing and text scales.

A theme takes one scale of each kind (``radius_size=sizes.radius_lg`` or ``"lg"``); the page reads the
steps it needs (corners of blocks and inputs, gaps and paddings, the body text size).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = [
    "STEPS",
    "Size",
    "by_name",
    "radius_lg",
    "radius_md",
    "radius_none",
    "radius_sm",
    "radius_xxl",
    "spacing_lg",
    "spacing_md",
    "spacing_sm",
    "text_lg",
    "text_md",
    "text_sm",
]

STEPS = ("xxs", "xs", "sm", "md", "lg", "xl", "xxl")


@dataclass(frozen=True)
class Size:
    """Seven CSS lengths, smallest first."""

    xxs: str
    xs: str
    sm: str
    md: str
    lg: str
    xl: str
    xxl: str
    name: str | None = None

    def __post_init__(self) -> None:
        for step in STEPS:
            value = getattr(self, step)
            if not isinstance(value, str) or not value or any(ch in value for ch in ";{}<>"):
                raise ValueError(f"Size step {step} must be a CSS length, got {value!r}")

    def steps(self) -> dict[str, str]:
        return {step: getattr(self, step) for step in STEPS}

    def expand(self) -> list[str]:
        return [getattr(self, f.name) for f in fields(self) if f.name != "name"]


def _px(name: str, xxs: float, xs: float, sm: float, md: float, lg: float, xl: float, xxl: float) -> Size:
    px = [f"{value:g}px" for value in (xxs, xs, sm, md, lg, xl, xxl)]
    return Size(px[0], px[1], px[2], px[3], px[4], px[5], px[6], name=name)


radius_none = _px("radius_none", 0, 0, 0, 0, 0, 0, 0)
radius_sm = _px("radius_sm", 1, 2, 3, 4, 5, 7, 10)
radius_md = _px("radius_md", 2, 3, 4, 6, 9, 12, 18)
radius_lg = _px("radius_lg", 3, 5, 7, 9, 12, 16, 24)
radius_xxl = _px("radius_xxl", 6, 9, 12, 18, 24, 28, 32)
spacing_sm = _px("spacing_sm", 1, 2, 3, 5, 7, 9, 12)
spacing_md = _px("spacing_md", 1, 2, 4, 6, 10, 14, 16)
spacing_lg = _px("spacing_lg", 2, 3, 6, 9, 12, 18, 22)
text_sm = _px("text_sm", 8, 9, 11, 13, 15, 18, 22)
text_md = _px("text_md", 9, 10, 12, 15, 17, 21, 26)
text_lg = _px("text_lg", 10, 12, 14, 17, 19, 23, 28)

_BY_KIND = {
    "radius": {"none": radius_none, "sm": radius_sm, "md": radius_md, "lg": radius_lg, "xxl": radius_xxl},
    "spacing": {"sm": spacing_sm, "md": spacing_md, "lg": spacing_lg},
    "text": {"sm": text_sm, "md": text_md, "lg": text_lg},
}


def by_name(kind: str, name: str) -> Size:
    """The scale ``"lg"`` (or ``"radius_lg"``) of ``kind`` ("radius", "spacing", "text")."""
    scales = _BY_KIND[kind]
    key = name.removeprefix(f"{kind}_") if isinstance(name, str) else None
    if key not in scales:
        raise ValueError(f"unknown {kind} size {name!r}; choose one of {', '.join(scales)}")
    return scales[key]

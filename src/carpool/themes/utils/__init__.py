"""The building blocks of a theme: ``colors``, ``sizes`` and ``fonts`` (``from ... import colors``)."""

from __future__ import annotations

from carpool.themes.utils import colors, fonts, sizes
from carpool.themes.utils.colors import Color
from carpool.themes.utils.fonts import Font, GoogleFont, LocalFont
from carpool.themes.utils.sizes import Size

__all__ = ["Color", "Font", "GoogleFont", "LocalFont", "Size", "colors", "fonts", "sizes"]

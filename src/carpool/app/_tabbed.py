"""``TabbedInterface``: several apps (Interfaces, ChatInterfaces, Blocks), one tab each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from carpool.app._blocks import Blocks
from carpool.components import Markdown, Tab, Tabs

__all__ = ["TabbedInterface"]


class TabbedInterface(Blocks):
    """One app whose tabs are the given apps; their endpoints keep their names (made unique)."""

    def __init__(
        self,
        interface_list: Sequence[Blocks],
        tab_names: Sequence[str] | None = None,
        title: str | None = None,
        theme: Any = None,
        analytics_enabled: bool | None = None,
        css: str | None = None,
        js: str | None = None,
        head: str | None = None,
        **kwargs: Any,
    ) -> None:
        apps = list(interface_list)
        names = list(tab_names) if tab_names is not None else [f"Tab {i}" for i in range(len(apps))]
        if len(names) != len(apps):
            raise ValueError(f"TabbedInterface has {len(apps)} apps but {len(names)} tab names")
        for app in apps:
            if not isinstance(app, Blocks):
                raise TypeError(f"TabbedInterface takes apps (Interface, Blocks, ...), got {app!r}")
        super().__init__(
            title=title or "carpool",
            theme=theme,
            analytics_enabled=analytics_enabled,
            css=css,
            js=js,
            head=head,
            **kwargs,
        )
        self.interfaces = apps
        with self:
            if title:
                Markdown(f"# {title}")
            with Tabs():
                for app, name in zip(apps, names, strict=True):
                    with Tab(name):
                        app.render()

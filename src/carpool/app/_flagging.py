"""Flagging: saving a sample (an Interface's inputs and outputs) to a CSV log, as Gradio's flagging does.

``Interface(flagging_mode="manual")`` (Gradio's default, also read from ``GRADIO_FLAGGING_MODE``) puts
a Flag button (one per ``flagging_options`` entry) under the outputs; ``"auto"`` flags every successful
run; ``"never"`` does neither. Each flag goes to ``flagging_callback`` (a :class:`CSVLogger` by default)
as the components' wire values: a file is copied into ``flagging_dir/<label>/`` and its path written;
text stays text; anything else is written as JSON. Cells that a spreadsheet would run as a formula are
quoted (CSV injection).
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import re
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from carpool.components import Component
from carpool.components.media import resolve_file_input

__all__ = ["CSVLogger", "FlaggingCallback", "flag_options", "flagging_mode"]

MODES = ("never", "auto", "manual")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r"[^\w\-. ]+")


def flagging_mode(mode: str | None) -> str:
    """The mode in force: the argument, else ``GRADIO_FLAGGING_MODE``, else Gradio's default, manual."""
    chosen = mode if mode is not None else os.environ.get("GRADIO_FLAGGING_MODE", "manual")
    if chosen not in MODES:
        raise ValueError(f"flagging_mode must be one of {', '.join(MODES)}; got {chosen!r}")
    return chosen


def flag_options(options: Sequence[Any] | None) -> list[tuple[str, str | None]]:
    """``flagging_options`` as (button label, value written) pairs: ``"x"`` is ``("Flag as x", "x")``."""
    if options is None:
        return [("Flag", None)]
    if not isinstance(options, list | tuple) or not all(
        isinstance(o, str)
        or (isinstance(o, tuple | list) and len(o) == 2 and all(isinstance(p, str) for p in o))
        for o in options
    ):
        raise ValueError("flagging_options must be a list of strings or of (label, value) string pairs")
    return [(f"Flag as {o}", o) if isinstance(o, str) else (o[0], o[1]) for o in options]


class FlaggingCallback:
    """What a flag goes to: ``setup`` once with the components and folder, ``flag`` per sample."""

    def setup(self, components: Sequence[Component], flagging_dir: str | os.PathLike[str]) -> None:
        raise NotImplementedError

    def flag(self, flag_data: list[Any], flag_option: str | None = None, username: str | None = None) -> int:
        raise NotImplementedError


def _safe_cell(value: Any) -> Any:
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _is_file(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("file_id"), str)


class CSVLogger(FlaggingCallback):
    """Appends each flagged sample to ``flagging_dir/datasetN.csv`` (a new N when the headers change).

    Headers: each component's label (or ``component i``), then ``flag`` if an option was given, then
    ``username`` if the user was logged in, then ``timestamp``, as in Gradio. Safe under concurrency.
    """

    def __init__(
        self, simplify_file_data: bool = True, verbose: bool = True, dataset_file_name: str | None = None
    ) -> None:
        self.simplify_file_data = simplify_file_data
        self.verbose = verbose
        self.dataset_file_name = dataset_file_name
        self.lock = threading.Lock()
        self.components: Sequence[Component] = []
        self.flagging_dir = Path(".gradio/flagged")
        self.dataset_filepath: Path | None = None

    def setup(self, components: Sequence[Component], flagging_dir: str | os.PathLike[str]) -> None:
        self.components = list(components)
        self.flagging_dir = Path(flagging_dir)
        self.dataset_filepath = None

    def _label(self, index: int) -> str:
        return str(getattr(self.components[index], "label", None) or f"component {index}")

    def _dataset(self, extra_headers: list[str]) -> Path:
        """The CSV to append to: the newest ``datasetN.csv`` if its headers match, else a new one."""
        headers = [self._label(i) for i in range(len(self.components))] + extra_headers + ["timestamp"]
        headers = [str(_safe_cell(h)) for h in headers]
        self.flagging_dir.mkdir(parents=True, exist_ok=True)
        if self.dataset_file_name:
            path = self.flagging_dir / self.dataset_file_name
        else:
            numbered = sorted(
                (int(m.group(1)), p)
                for p in self.flagging_dir.glob("dataset*.csv")
                if (m := re.fullmatch(r"dataset(\d+)", p.stem))
            )
            path = self.flagging_dir / "dataset1.csv"
            if numbered:
                number, latest = numbered[-1]
                with latest.open(newline="", encoding="utf-8") as existing:
                    same = next(csv.reader(existing), None) == headers
                path = latest if same else self.flagging_dir / f"dataset{number + 1}.csv"
        if not path.exists():
            with path.open("w", newline="", encoding="utf-8") as created:
                csv.writer(created).writerow(headers)
            if self.verbose:
                print("Created dataset file at:", path)
        return path

    def _cell(self, index: int, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        folder = self.flagging_dir / (_UNSAFE_NAME.sub("", self._label(index)) or f"component {index}")
        copied = self._copy_files(value, folder)
        return copied if isinstance(copied, str) else json.dumps(copied)

    def _copy_files(self, value: Any, folder: Path) -> Any:
        """The value with each file copied into ``folder`` (its path kept, or the whole record)."""
        if _is_file(value):
            record = resolve_file_input(value)
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{record.file_id[:12]}-{Path(record.orig_name).name or 'file'}"
            shutil.copyfile(record.path, target)
            return str(target) if self.simplify_file_data else {**value, "path": str(target)}
        if isinstance(value, list):
            return [self._copy_files(item, folder) for item in value]
        if isinstance(value, dict):
            return {key: self._copy_files(item, folder) for key, item in value.items()}
        return value

    def flag(self, flag_data: list[Any], flag_option: str | None = None, username: str | None = None) -> int:
        """Append one sample; returns how many samples the dataset file now holds."""
        extra = (["flag"] if flag_option is not None else []) + (["username"] if username is not None else [])
        row = [self._cell(i, value) for i, value in enumerate(flag_data[: len(self.components)])]
        row += [v for v in (flag_option, username) if v is not None]
        row.append(str(datetime.datetime.now()))
        with self.lock:
            if self.dataset_filepath is None:
                self.dataset_filepath = self._dataset(extra)
            with self.dataset_filepath.open("a", newline="", encoding="utf-8") as log:
                csv.writer(log).writerow([_safe_cell(cell) for cell in row])
            with self.dataset_filepath.open(newline="", encoding="utf-8") as log:
                return sum(1 for _ in csv.reader(log)) - 1

"""The ``carpool`` command: ``carpool run app.py`` / ``carpool run module:demo``, ``carpool bench ...``.

``carpool run`` owns the launch, as Gradio's reload mode does: while it imports the app, a module-level
``demo.launch(...)`` serves nothing and only records its options; then the command launches the app
once, with those options and its own ``--host``/``--port``/``--show-error`` on top.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from carpool.app import Blocks, set_launcher
from carpool.server import launch

__all__ = ["find_blocks", "load_target", "main"]

DEFAULT_NAMES = ("demo", "app", "interface", "iface")


def _load_module(spec: str) -> ModuleType:
    path = Path(spec)
    if spec.endswith(".py") or path.is_file():
        if not path.is_file():
            raise SystemExit(f"carpool: no such file: {spec}")
        # Imported under its own name, not as __main__: an `if __name__ == "__main__": demo.launch()`
        # guard in the file must not start a second server.
        sys.path.insert(0, str(path.resolve().parent))
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        if module_spec is None or module_spec.loader is None:
            raise SystemExit(f"carpool: cannot import {spec}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[path.stem] = module
        module_spec.loader.exec_module(module)
        return module
    sys.path.insert(0, str(Path.cwd()))
    return importlib.import_module(spec)


def find_blocks(module: ModuleType, name: str | None = None) -> Blocks:
    """The app in ``module``: the attribute ``name``, else ``demo``/``app``/..., else the only Blocks."""
    if name is not None:
        found = getattr(module, name, None)
        if not isinstance(found, Blocks):
            raise SystemExit(f"carpool: {module.__name__}.{name} is not a carpool Blocks/Interface")
        return found
    for default in DEFAULT_NAMES:
        if isinstance(getattr(module, default, None), Blocks):
            return getattr(module, default)  # type: ignore[no-any-return]
    apps = [value for value in vars(module).values() if isinstance(value, Blocks)]
    if len(apps) != 1:
        raise SystemExit(
            f"carpool: found {len(apps)} apps in {module.__name__}; name one with {module.__name__}:<name>"
        )
    return apps[0]


def load_target(target: str) -> Blocks:
    """``app.py``, ``app.py:demo``, ``package.module`` or ``package.module:demo`` -> the app."""
    spec, _, name = target.partition(":") if not Path(target).is_file() else (target, "", "")
    return find_blocks(_load_module(spec), name or None)


@dataclass
class _DeferredLaunch:
    """What a module-level ``launch()`` asked for while ``carpool run`` imported the app."""

    blocks: Blocks | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def __call__(self, blocks: Any, **settings: Any) -> None:
        self.blocks, self.settings = blocks, settings  # the last launch wins, as it would have
        return None  # Blocks.launch keeps this as its server: there is none yet


@contextmanager
def _launch_deferred() -> Iterator[_DeferredLaunch]:
    deferred = _DeferredLaunch()
    previous = set_launcher(deferred)
    try:
        yield deferred
    finally:
        set_launcher(previous)


def _run(args: argparse.Namespace) -> int:
    if args.workers is not None:
        from carpool._fronts import run_workers

        return run_workers(args.target, args.workers, args.host, args.port, args.show_error, not args.no_ray)
    spec, _, name = args.target.partition(":") if not Path(args.target).is_file() else (args.target, "", "")
    with _launch_deferred() as deferred:
        module = _load_module(spec)
    # an app named on the command line, else the one the script launched, else the one found in it
    launched = deferred.blocks if not name else None
    blocks = launched if launched is not None else find_blocks(module, name or None)
    settings = dict(deferred.settings) if blocks is deferred.blocks else {}
    flags = {"server_name": args.host, "server_port": args.port, "show_error": args.show_error or None}
    settings.update({key: value for key, value in flags.items() if value is not None})
    settings["prevent_thread_lock"] = False  # the command serves until Ctrl+C
    launch(blocks, **settings)
    return 0


def _benchmarks_dir() -> Path | None:
    for candidate in (Path.cwd() / "benchmarks", Path(__file__).resolve().parents[2] / "benchmarks"):
        if candidate.is_dir():
            return candidate
    return None


def _bench(args: argparse.Namespace, extra: Sequence[str]) -> int:
    folder = _benchmarks_dir()
    if folder is None:
        print(
            "carpool bench: no benchmarks/ folder here; run it from a carpool source checkout.",
            file=sys.stderr,
        )
        return 2
    scripts = sorted(p.stem.removeprefix("bench_") for p in folder.glob("bench_*.py"))
    if args.name == "all":  # each in turn, same extra arguments; fails if any failed
        codes = [
            subprocess.call([sys.executable, str(folder / f"bench_{name}.py"), *extra]) for name in scripts
        ]
        return max(codes, default=0)
    if args.name is None or args.name not in scripts:
        if args.name is not None:
            print(f"carpool bench: no benchmark named {args.name!r}.", file=sys.stderr)
        print("available: all, " + (", ".join(scripts) or "none"), file=sys.stderr)
        return 0 if args.name is None else 2
    script = folder / f"bench_{args.name}.py"
    return subprocess.call([sys.executable, str(script), *extra])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carpool", description="Serve and benchmark carpool apps.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve an app: carpool run app.py or carpool run module:demo")
    run.add_argument("target", help="app.py, app.py:name, module or module:name")
    run.add_argument("--host", default=None, help="interface to listen on (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=None, help="port (default 7860 or the next free one)")
    run.add_argument("--show-error", action="store_true", help="show function errors to clients")
    run.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="run N front processes behind HAProxy with session affinity, their RayPools sharing "
        "replicas on one Ray cluster (docs/scaling.md); --host/--port are the balancer's",
    )
    run.add_argument(
        "--no-ray",
        action="store_true",
        help="with --workers: do not start a local Ray instance for the fronts' pools",
    )
    bench = commands.add_parser("bench", help="run a benchmark from benchmarks/ (extra args pass through)")
    bench.add_argument("name", nargs="?", help="e.g. http (benchmarks/bench_http.py), or all")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = _parser().parse_known_args(argv)
    if args.command == "bench":
        return _bench(args, extra)
    if extra:
        _parser().error(f"unrecognized arguments: {' '.join(extra)}")
    return _run(args)


if __name__ == "__main__":
    raise SystemExit(main())

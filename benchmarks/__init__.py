"""carpool's benchmark suite: ``python -m benchmarks.bench_queue`` or ``carpool bench queue``.

Each ``bench_<name>.py`` exposes ``main(argv: list[str] | None = None) -> int``; ``_common`` holds the
shared pieces (load generation over the real protocol, statistics, progress bar, table/JSON/plot output).
"""

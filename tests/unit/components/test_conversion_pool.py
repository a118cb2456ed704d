"""ConversionPool: media conversion in worker processes (carpool.components._conversion).

These tests start real worker processes (a few seconds each on a busy machine), so most share one pool;
the ones that kill or close workers get their own.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
import pytest

import carpool as cp
from carpool.components import FileStore, use_file_store
from carpool.components._conversion import (
    ConversionPool,
    conversion_pool,
    convert,
    default_worker_count,
)
from carpool.components._decode_limits import DecodeLimits
from carpool.components._imaging import decode_upload
from carpool.exceptions import ConversionError, InvalidInputError

WAIT = 60.0  # seconds: worker processes import numpy and Pillow first, slowly on a loaded machine


@pytest.fixture(scope="module")
def pool() -> Iterator[ConversionPool]:
    shared = ConversionPool(2)
    yield shared
    shared.close()


@pytest.fixture
def own_pool() -> Iterator[ConversionPool]:
    pool = ConversionPool(2)
    yield pool
    pool.close()


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def _wait_for_busy(pool: ConversionPool, count: int) -> list[int]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:  # bounded: the pool has no "task started" hook to wait on
        busy = pool.busy_worker_pids()
        if len(busy) >= count:
            return busy
        time.sleep(0.01)
    raise AssertionError(f"fewer than {count} workers became busy")


def _wait_until_dead(pid: int) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:  # bounded; a zombie (state Z) has exited, unreaped
        stat = Path(f"/proc/{pid}/stat")
        if not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not exit")


def _png(path: Path, size: tuple[int, int] = (6, 4), mode: str = "RGBA") -> Path:
    PIL.Image.new(mode, size, (10, 20, 30, 255) if mode == "RGBA" else 7).save(path)
    return path


# -- running work -----------------------------------------------------------------------------------


def test_work_runs_in_another_process(pool: ConversionPool) -> None:
    worker = pool.run(os.getpid)
    assert worker != os.getpid()


def test_two_workers_convert_at_once(own_pool: ConversionPool) -> None:
    sleeper, _ = _in_thread(lambda: own_pool.run(time.sleep, 60.0))
    (first,) = _wait_for_busy(own_pool, 1)
    # the other worker answers while the first one is still busy (closing the pool ends the sleep)
    assert own_pool.run(os.getpid) != first
    assert sleeper.is_alive()


def test_arrays_and_bytes_cross_the_boundary_intact(pool: ConversionPool) -> None:
    array = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    assert pool.run(np.flipud, array).tolist() == np.flipud(array).tolist()
    assert pool.run(bytes.upper, b"abc") == b"ABC"


def test_the_functions_exception_is_raised_in_the_caller_with_its_type(pool: ConversionPool) -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        pool.run(int, "not a number")


def test_an_invalid_upload_is_still_an_invalid_input_error(pool: ConversionPool, tmp_path: Path) -> None:
    (tmp_path / "fake.png").write_bytes(b"not an image")
    with pytest.raises(InvalidInputError, match="not a readable image"):
        pool.run(decode_upload, str(tmp_path / "fake.png"), DecodeLimits(), "RGB")


def test_an_argument_that_does_not_pickle_fails_in_the_caller_and_the_worker_lives_on(
    pool: ConversionPool,
) -> None:
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pool.run(len, [lambda: None])
    assert pool.run(len, [1, 2]) == 2


def test_a_result_that_does_not_pickle_is_a_clear_error(pool: ConversionPool) -> None:
    with pytest.raises(RuntimeError, match="pickle"):
        pool.run(threading.Lock)
    assert pool.run(len, "abc") == 3


# -- crashes ----------------------------------------------------------------------------------------


def test_a_worker_that_exits_mid_conversion_fails_only_that_call_and_is_replaced(
    own_pool: ConversionPool,
) -> None:
    dead = own_pool.run(os.getpid)
    with pytest.raises(ConversionError, match=r"died \(exit code 3\).*replaced"):
        own_pool.run(os._exit, 3)
    assert own_pool.crashes == 1
    assert own_pool.run(len, "ok") == 2
    assert dead not in own_pool.busy_worker_pids()


def test_a_killed_worker_fails_its_own_conversion_while_the_other_finishes(
    own_pool: ConversionPool,
) -> None:
    survivor, survivor_outcome = _in_thread(lambda: own_pool.run(time.sleep, 2.0))
    (survivor_pid,) = _wait_for_busy(own_pool, 1)
    victim, victim_outcome = _in_thread(lambda: own_pool.run(time.sleep, 60.0))
    busy = _wait_for_busy(own_pool, 2)
    (victim_pid,) = [pid for pid in busy if pid != survivor_pid]
    os.kill(victim_pid, signal.SIGKILL)
    victim.join(WAIT)
    survivor.join(WAIT)
    assert isinstance(victim_outcome.get("error"), ConversionError)
    assert "killed by SIGKILL" in str(victim_outcome["error"])
    assert survivor_outcome == {"value": None}
    assert own_pool.run(os.getpid) != victim_pid


def test_a_worker_that_died_while_idle_is_restarted_without_failing_anyone(
    own_pool: ConversionPool,
) -> None:
    first = own_pool.run(os.getpid)
    os.kill(first, signal.SIGKILL)  # between two conversions: nobody's work is lost
    _wait_until_dead(first)
    pids = {own_pool.run(os.getpid) for _ in range(3)}
    assert first not in pids
    assert own_pool.crashes == 0


def test_a_conversion_past_the_timeout_is_stopped_and_only_it_fails() -> None:
    pool = ConversionPool(2, timeout=5.0)
    try:
        pool.run(os.getpid)  # started and warm: the limit counts from the hand-off, not the start
        started = time.monotonic()
        stuck, stuck_outcome = _in_thread(lambda: pool.run(time.sleep, 60.0))  # a decoder stuck on a file
        (stuck_pid,) = _wait_for_busy(pool, 1)
        assert pool.run(time.sleep, 0.2) is None  # the other worker converts meanwhile
        stuck.join(WAIT)
        assert time.monotonic() - started < 30  # stopped at the limit, not after the minute
        error = stuck_outcome.get("error")
        assert isinstance(error, ConversionError), stuck_outcome
        assert "took longer than 5 s (conversion_timeout)" in str(error)
        assert pool.warm()  # while the replacement starts, conversions still wait for a worker
        _wait_until_dead(stuck_pid)
        assert (pool.timeouts, pool.crashes) == (1, 0)
        assert stuck_pid not in {pool.run(os.getpid) for _ in range(4)}  # replaced by a fresh worker
    finally:
        pool.close()


def test_without_a_timeout_a_conversion_may_run_as_long_as_it_takes() -> None:
    pool = ConversionPool(1, timeout=None)
    try:
        assert pool.run(time.sleep, 1.5) is None
        assert pool.timeouts == 0
    finally:
        pool.close()


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "5", True])
def test_a_bad_conversion_timeout_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="conversion_timeout must be a number of seconds > 0 or None"):
        ConversionPool(1, timeout=bad)
    with pytest.raises(ValueError, match="conversion_timeout"):
        conversion_pool(1, has_media=True, timeout=bad)


# -- lifetime ---------------------------------------------------------------------------------------


def test_close_fails_running_conversions_and_stops_every_worker(own_pool: ConversionPool) -> None:
    idle_pid = own_pool.run(os.getpid)
    running, outcome = _in_thread(lambda: own_pool.run(time.sleep, 60.0))
    (busy_pid,) = _wait_for_busy(own_pool, 1)
    own_pool.close()
    running.join(WAIT)
    assert isinstance(outcome.get("error"), ConversionError)
    assert "shutting down" in str(outcome["error"])
    for pid in {idle_pid, busy_pid}:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    # an app whose lifespan runs again uses the pool again: fresh workers start
    assert own_pool.run(os.getpid) not in (idle_pid, busy_pid)


def test_conversions_run_inline_until_a_worker_is_ready(own_pool: ConversionPool) -> None:
    store = FileStore(conversions=own_pool)
    try:
        with use_file_store(store):
            assert convert(os.getpid) == os.getpid()  # the workers were only just started
            deadline = time.monotonic() + WAIT
            while not own_pool.warm():  # bounded: they are importing numpy and Pillow
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert convert(os.getpid) != os.getpid()
    finally:
        store.close()
    assert own_pool.conversions == 1


def test_workers_start_only_on_the_first_conversion() -> None:
    pool = ConversionPool(1)
    assert pool.busy_worker_pids() == []
    assert pool._idle.get_nowait().pid is None  # nothing started yet
    pool.close()


# -- options ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cpus", "workers"), [(1, 0), (2, 0), (3, 1), (4, 2), (6, 4), (64, 4)])
def test_auto_leaves_two_cores_to_the_server_and_caps_at_four(cpus: int, workers: int) -> None:
    assert default_worker_count(True, cpus) == workers
    assert default_worker_count(False, cpus) == 0  # a text-only app never gets a pool


def test_auto_resolves_for_this_machine_and_an_explicit_count_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert conversion_pool("auto", has_media=False) is None
    assert conversion_pool(0, has_media=True) is None
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    media = conversion_pool("auto", has_media=True)
    assert media is not None and media.size == 4
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert conversion_pool("auto", has_media=True) is None
    explicit = conversion_pool(3, has_media=False)
    assert explicit is not None and explicit.size == 3


@pytest.mark.parametrize("bad", [-1, 1.5, "4", True, None])
def test_a_bad_worker_count_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="conversion_workers must be 'auto' or a number >= 0"):
        conversion_pool(bad, has_media=True)
    with pytest.raises(ValueError, match="at least 1 worker"):
        ConversionPool(0)


# -- decode limits ----------------------------------------------------------------------------------


def test_decode_limits_pickle_with_their_limits_and_fresh_slots() -> None:
    limits = DecodeLimits(max_pixels=10, max_concurrent=3)
    copy = pickle.loads(pickle.dumps(limits))
    assert (copy.max_pixels, copy.max_concurrent) == (10, 3)
    assert copy._slots is not limits._slots


def test_the_pixel_limit_holds_in_a_worker(pool: ConversionPool, tmp_path: Path) -> None:
    path = _png(tmp_path / "big.png", (20, 20))
    with pytest.raises(InvalidInputError, match="limit is 100 pixels"):
        pool.run(decode_upload, str(path), DecodeLimits(max_pixels=100), "RGB")


def test_concurrent_decodes_wait_for_the_apps_slots_even_with_free_workers(
    pool: ConversionPool, tmp_path: Path
) -> None:
    limits = DecodeLimits(max_concurrent=1)
    store = FileStore(decode_limits=limits, conversions=pool)
    path = str(_png(tmp_path / "a.png"))

    def decode() -> Any:
        with use_file_store(store):
            return convert(decode_upload, path, limits, "RGB", decode_slot=limits)

    try:
        with limits.decoding():  # the app's only slot, held elsewhere
            waiting, outcome = _in_thread(decode)
            waiting.join(0.5)
            assert waiting.is_alive() and not pool.busy_worker_pids()
        waiting.join(WAIT)
        image, converted = outcome["value"]
        assert (image.mode, converted.mode, converted.size) == ("RGBA", "RGB", (6, 4))
    finally:
        store.close()


# -- components through a pool ----------------------------------------------------------------------


def test_image_and_audio_convert_the_same_with_and_without_a_pool(pool: ConversionPool) -> None:
    image, audio = cp.Image(type="numpy", format="png"), cp.Audio(type="numpy")  # png: lossless
    rng = np.random.default_rng(0)
    picture = rng.integers(0, 255, (5, 7, 3), dtype=np.uint8)
    sound = (16_000, rng.integers(-3000, 3000, 800, dtype=np.int16))
    results = []
    for conversions in (None, pool):
        store = FileStore(conversions=conversions)
        try:
            with use_file_store(store):
                decoded = image.preprocess(image.postprocess(picture))
                rate, samples = audio.preprocess(audio.postprocess(sound))
            results.append((decoded.tolist(), rate, samples.tolist()))
        finally:
            store.close()
    assert results[0] == results[1]
    assert results[1][0] == picture.tolist() and results[1][1] == 16_000


def test_a_bad_output_array_is_still_the_functions_value_error(pool: ConversionPool) -> None:
    store = FileStore(conversions=pool)
    try:
        with use_file_store(store), pytest.raises(ValueError, match="image array must have shape"):
            cp.Image().postprocess(np.zeros((0, 3)))
    finally:
        store.close()


@pytest.mark.parametrize("image_type", ["numpy", "pil", "filepath"])
def test_every_image_input_type_decodes_the_same_through_a_pool(
    pool: ConversionPool, tmp_path: Path, image_type: str
) -> None:
    upload = _png(tmp_path / "rgba.png")  # RGBA: the default image_mode converts it to RGB
    component = cp.Image(type=image_type, format="png")  # type: ignore[arg-type]
    results = []
    for conversions in (None, pool):
        store = FileStore(conversions=conversions)
        try:
            with use_file_store(store):
                with upload.open("rb") as source, store.open_upload("rgba.png") as writer:
                    writer.write(source.read())
                    payload = writer.commit()
                value = component.preprocess(payload)
                if image_type == "filepath":
                    assert value != str(store.resolve(payload["file_id"]).path)  # a converted copy
                    value = PIL.Image.open(value)
                array = np.asarray(value)
                results.append((getattr(value, "mode", "RGB"), array.shape, array.tolist()))
        finally:
            store.close()
    assert results[0] == results[1]
    assert results[1][:2] == ("RGB", (4, 6, 3))


def test_without_posix_auto_means_none_and_a_count_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import carpool.components._conversion as conversion

    monkeypatch.setattr(conversion, "SUPPORTED", False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert conversion_pool("auto", has_media=True) is None
    with pytest.raises(ValueError, match="needs a POSIX system"):
        conversion_pool(2, has_media=True)

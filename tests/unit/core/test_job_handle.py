"""``Job`` is the caller's handle; the engine keeps its own ``JobRecord`` behind it."""

from __future__ import annotations

import pytest

from carpool.core import Engine, Job, JobState
from carpool.core.messages import Completed

from .helpers import Gate, batched, results


async def test_a_handle_shows_what_was_asked_and_handles_of_one_event_compare_equal(engine: Engine) -> None:
    gate = Gate()
    engine.add_listener(batched("f", gate, max_batch_size=2, timeout=30.0))
    job = engine.submit("f", ["x"], session_id="s", context={"user": "u"})
    assert (job.listener_id, job.inputs, job.session_id, dict(job.context)) == (
        "f",
        ("x",),
        "s",
        {"user": "u"},
    )
    assert job.deadline is not None and job.deadline - job.enqueued_at == pytest.approx(30.0)
    assert repr(job) == f"<Job {job.id} f waiting>"
    again = engine.get_job(job.id)
    assert again == job and hash(again) == hash(job) and job != engine.submit("f", ["y"])
    assert job != "not a job" and len({job, again}) == 1
    assert repr(job._record) == f"<JobRecord {job.id} f {job.state.value}>"
    gate.open()
    assert await results([job]) == ["out-x"]
    assert job.state is JobState.COMPLETED and job.history()[-1] == Completed(job.id, "out-x")
    assert isinstance(job, Job) and not hasattr(job, "fail")  # the engine's calls are not the caller's

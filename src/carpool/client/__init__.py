"""carpool's Python client: call a carpool app over HTTP, speaking only docs/protocol.md.

``Client(url)`` (blocking) and ``AsyncClient(url)`` offer ``predict``, ``predict_batch``, ``submit`` (a
``Job``), ``view_api`` and ``close``. Errors arrive as carpool's exceptions (``QueueFullError``,
``AppError``, ``InvalidInputError``, ...). ``handle_file(path)`` marks a local file as an input.
"""

from __future__ import annotations

from carpool.client._async_client import AsyncClient
from carpool.client._files import FileInput, handle_file
from carpool.client._job import AsyncJob, JobStatus
from carpool.client._sync_client import Client, Job

__all__ = ["AsyncClient", "AsyncJob", "Client", "FileInput", "Job", "JobStatus", "handle_file"]

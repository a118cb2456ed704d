"""``POST /gradio_api/upload`` and ``GET /gradio_api/file=<path>``: carpool's file store, Gradio's names.

An upload is stored exactly as ``POST /upload`` stores it (same limits, same streaming parser) and
answered with Gradio's list of server paths, minted from the new file ids (``_values``). A file is
served only when its path is one of those minted names of a file the store holds; any other path --
``/etc/passwd``, ``../x``, a URL -- is the same 404 as an unknown file id, and is never opened.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from carpool.exceptions import FileAccessError
from carpool.server._files import file_response, receive_uploads
from carpool.server.gradio._values import file_id_of_path, minted_path

__all__ = ["serve_file", "upload"]


async def upload(request: Request) -> Response:
    files = await receive_uploads(request)
    return JSONResponse([minted_path(file["file_id"], file.get("orig_name")) for file in files])


async def serve_file(request: Request) -> Response:
    file_id = file_id_of_path(request.path_params["path"])
    if file_id is None:
        raise FileAccessError("Unknown file.")
    return file_response(request, file_id)

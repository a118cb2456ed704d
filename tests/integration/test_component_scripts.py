"""GET /component/<id>/script.js serves a templated HTML's module, as JavaScript; others are 404."""

from __future__ import annotations

from collections.abc import Callable

import httpx

import carpool as cp
from carpool.server import RunningServer


def test_a_templated_html_module_is_served_and_plain_blocks_have_none(
    serve: Callable[..., RunningServer],
) -> None:
    with cp.Blocks() as demo:
        fancy = cp.HTML(1, html_template="<i>${value}</i>")
        plain = cp.HTML("<p>x</p>")
    url = serve(demo).local_url
    script = httpx.get(f"{url}component/{fancy.id}/script.js", timeout=30)
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "return `<i>${value}</i>`;" in script.text
    assert httpx.get(f"{url}component/{plain.id}/script.js", timeout=30).status_code == 404
    assert httpx.get(f"{url}component/99999/script.js", timeout=30).status_code == 404

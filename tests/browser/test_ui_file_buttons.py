"""UploadButton and DownloadButton in the page: upload through the button, download what came back."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_session import Web
from browser_support import component
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser


def test_a_file_uploaded_by_button_comes_back_as_a_download(web: Web, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("carpool notes")

    def uploaded(path: str) -> tuple[cp.UploadButton, cp.DownloadButton]:
        name = Path(path).name
        return cp.UploadButton(visible=False), cp.DownloadButton(
            label=f"Download {name}", value=path, visible=True
        )

    with cp.Blocks() as demo:
        up = cp.UploadButton("Upload a file")
        down = cp.DownloadButton("Download", visible=False)
        up.upload(uploaded, up, [up, down])
    page = web.page(web.launch(demo))

    expect(page.get_by_role("button", name="Upload a file")).to_be_visible()
    component(page, up.id).locator("input[type=file]").set_input_files(str(source))
    link = page.get_by_role("button", name="Download notes.txt")
    expect(link).to_be_visible()
    expect(component(page, up.id)).to_be_hidden()
    href = link.get_attribute("href")
    assert href is not None
    body = page.evaluate("async (url) => (await fetch(url)).text()", href)
    assert body == "carpool notes"

"""What a newcomer meets first: the README's own example, clicked without touching anything.

The example is read out of README.md (its first Python block, without the ``launch()`` line), so the test
breaks when the README drifts into something that fails on a first click.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_session import Web
from browser_support import button, component
from playwright.sync_api import expect

import carpool as cp

pytestmark = pytest.mark.browser

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_demo() -> cp.Blocks:
    block = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None, "README.md lost its first Python example"
    source = "\n".join(line for line in block.group(1).splitlines() if ".launch(" not in line)
    namespace: dict[str, object] = {}
    exec(compile(source, str(README), "exec"), namespace)  # our own README
    demo = namespace["demo"]
    assert isinstance(demo, cp.Blocks)
    return demo


def test_readme_example_answers_its_first_click_with_the_number_untouched(web: Web) -> None:
    demo = readme_demo()
    page = web.page(web.launch(demo.queue()))
    page.get_by_role("textbox").first.fill("hello")
    button(page, "Submit").click()
    expect(page.locator(".cp-type-textbox textarea, .cp-type-textbox input").last).to_have_value("hel")
    expect(page.locator(".cp-error, [role=alert]")).to_have_count(0)


def test_a_number_without_value_or_placeholder_starts_at_zero_as_in_gradio(web: Web) -> None:
    seen: list[object] = []

    def double(n: float) -> float:
        seen.append(n)
        return int(n) * 2

    with cp.Blocks() as demo:
        number = cp.Number(label="n", precision=0)
        cp.Number(label="hinted", placeholder="type a number")
        out = cp.Number(label="twice")
        cp.Button("Go").click(double, number, out)
    page = web.page(web.launch(demo))
    expect(page.get_by_label("n", exact=True)).to_have_value("0")
    expect(page.get_by_label("hinted", exact=True)).to_have_value("")
    expect(page.get_by_label("hinted", exact=True)).to_have_attribute("placeholder", "type a number")
    button(page, "Go").click()
    expect(component(page, out.id).locator("input")).to_have_value("0")
    assert seen == [0]

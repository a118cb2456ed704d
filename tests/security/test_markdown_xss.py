"""Markdown XSS (#12 item 1): the page's real renderer, run in Chromium, lets no script through.

``renderMarkdown`` (static/components/markdown.js, marked + DOMPurify) renders every Markdown component
and every chat message. A fuzz test feeds it thousands of random Markdown/HTML fragments built from
known XSS vectors and checks the DOM the browser builds from its output: no event-handler attribute, no
active element, and no URL that the browser's own URL parser resolves to anything but http(s), mailto
(or data: as an image source). The issue's payloads, shown by a live app, run nothing on load or hover.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from chromium_support import chromium_page

from carpool.app import Blocks
from carpool.components import Markdown
from carpool.server import RunningServer

FRAGMENTS = 2000
SEED = 12

# Every spelling of a script URL that a browser's URL parser (or an entity decoder) turns into one.
SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "\x01javascript:alert(1)",
    "\x00javascript:alert(1)",
    " javascript:alert(1)",
    "\x7fjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&#x3A;alert(1)",
    "javascript&colon;alert(1)",
    "&#0000106avascript:alert(1)",
    "javascript://%0aalert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "jav\u200bascript:alert(1)",
    "https://ok.example/",
    "/relative/path",
    "#anchor",
    "mailto:a@b.example",
]
HANDLERS = [
    "onerror=alert(1)",
    "onmouseover=alert(1)",
    '" onload="alert(1)',
    "' onfocus='alert(1)' autofocus x='",
    "onerror=location='javascript:alert%28document.domain%29'//",
    "\x0bonerror=alert(1)",
    "/onerror=alert(1)",
]
TEXTS = ["a", "word", "**b**", "_c_", "`code`", "x < y & z", "<b>bold</b>", "&lt;script&gt;", ")", "](", "["]
TEMPLATES = [
    "[{t}]({u})",
    "![{t}]({u})",
    '[{t}]({u} "{h}")',
    "<{u}>",
    "[{t}]: {u}\n\n[{t}]",
    "{u}",
    "http://x.example/{h}",
    "![a http://x/{h}](/nope)",
    "[l](a(http://q/{h}))",
    "**{t}** _{t}_ ~~{t}~~",
    "`{t}` ``{u}``",
    "```\n{t}\n```",
    "> {t}\n> > {u}",
    "- {t}\n- [ ] {u}\n1. {t}",
    "| a | b |\n|---|---|\n| {t} | [{t}]({u}) |",
    "# {t} {u}",
    '<a href="{u}">{t}</a>',
    "<a href={u}>{t}</a>",
    "<img src=x {h}>",
    '<img src="{u}" alt="{t}">',
    '<svg onload=alert(1)><a xlink:href="{u}">{t}</a></svg>',
    '<iframe src="{u}"></iframe>',
    "<div {h}>{t}</div>",
    '<math><mi xlink:href="{u}">x</mi></math>',
    '<form action="{u}"><button formaction="{u}">x</button></form>',
    '<object data="{u}"></object><embed src="{u}">',
    '<base href="{u}">',
    '<meta http-equiv="refresh" content="0;url={u}">',
    "<style>@import '{u}';</style>",
    "<script>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x {h}>">',
    "<details open ontoggle=alert(1)><summary>{t}</summary></details>",
    "<input autofocus onfocus=alert(1)>",
    '<a href="{u}"><img src=x {h}></a>',
    "<!--{t}--><{t} {h}>",
    '<p style="background:url({u})">{t}</p>',
    "<video><source onerror=alert(1)></video><audio src=x {h}>",
    '<table background="{u}"><tr><td>{t}</td></tr></table>',
    "<template><img src=x {h}></template>",
    '<img srcset="{u} 1x">',
    "{t}\n\n{t}  \n{t}",
]
SEPARATORS = ["", " ", "\n", "\n\n", "\t"]

# Runs in the page: render each fragment (both line-break modes) into a live element and report what
# a browser would treat as script. URLs are resolved by the browser's own parser (new URL).
CHECK_FRAGMENTS = """
async (fragments) => {
  const { renderMarkdown } = await import("./static/components/markdown.js");
  window.__fired = 0;
  window.alert = window.confirm = window.prompt = () => { window.__fired += 1; };
  const FORBIDDEN = new Set(["script", "iframe", "object", "embed", "svg", "math", "style", "form",
    "base", "meta", "link", "frame", "frameset", "template", "button", "textarea", "select", "video",
    "audio", "source", "noscript"]);
  const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "srcset",
    "background", "poster", "style"]);
  const SAFE = new Set(["http:", "https:", "mailto:"]);
  const host = document.createElement("div");
  document.body.append(host);
  const bad = [];
  fragments.forEach((source, index) => {
    for (const lineBreaks of [false, true]) {
      const html = renderMarkdown(source, { lineBreaks });
      host.innerHTML = html;
      for (const el of host.querySelectorAll("*")) {
        const tag = el.localName;
        if (FORBIDDEN.has(tag)) bad.push({ index, what: `<${tag}>`, html });
        for (const attr of el.attributes) {
          const name = attr.name.toLowerCase();
          if (name.startsWith("on")) bad.push({ index, what: `attribute ${name}`, html });
          if (!URL_ATTRS.has(name)) continue;
          if (name !== "href" && name !== "src") {
            bad.push({ index, what: `attribute ${name}`, html });
            continue;
          }
          let protocol;
          try { protocol = new URL(attr.value, location.href).protocol; } catch { continue; }
          const image = tag === "img" && name === "src" && protocol === "data:";
          if (!SAFE.has(protocol) && !image) bad.push({ index, what: `${name}=${attr.value}`, html });
        }
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 300));  // any onerror of the last ones fires
  host.remove();
  return { bad: bad.slice(0, 10), count: bad.length, fired: window.__fired };
}
"""

# Markdown that must still come out as Markdown (a sanitiser that drops everything would pass the fuzz).
RENDERS = """
async () => {
  const { renderMarkdown, escapeHtml } = await import("./static/components/markdown.js");
  const box = document.createElement("div");
  const render = (source, opts) => { box.innerHTML = renderMarkdown(source, opts); return box; };
  const out = {};
  out.heading = render("# Title").querySelector("h1")?.textContent;
  out.strong = render("**bold** and _em_").querySelector("strong")?.textContent;
  const link = render("[site](https://example.com/a?b=1&c=2)").querySelector("a");
  out.link = [link?.getAttribute("href"), link?.getAttribute("target"), link?.getAttribute("rel")];
  out.anchor = render("[top](#top)").querySelector("a")?.getAttribute("target");
  out.image = render("![dot](data:image/png;base64,iVBORw0KGgo=)").querySelector("img")?.getAttribute("src");
  out.table = render("| a | b |\\n|---|---|\\n| 1 | 2 |")
    .querySelector(".cp-table-wrap > table td")?.textContent;
  out.code = render("```js\\nlet x = 1 < 2;\\n```").querySelector("pre code")?.textContent;
  out.breaks = render("one\\ntwo", { lineBreaks: true }).querySelectorAll("br").length;
  out.noBreaks = render("one\\ntwo").querySelectorAll("br").length;
  out.html = render('<div align="center"><img src="/x.png" width="20"></div>').innerHTML;
  out.task = render("- [x] done").querySelector("input")?.outerHTML;
  out.escaped = escapeHtml(`<a href="x">'&'</a>`);
  return out;
}
"""

ISSUE_PAYLOADS = [
    "![a http://x/onerror=location='javascript:alert%28document.domain%29'//](/nope)",
    "[l](a(http://q/onmouseover=alert(document.domain)))",
    "[ctrl](\x01javascript:alert(document.domain))",
    "[tab](java\tscript:alert(1)) <http://x/onmouseover=alert(1)//>",
    "<img src=x onerror=alert(1)> <a href=javascript:alert(1)>click</a>",
]


def _fragment(rng: random.Random, depth: int = 0) -> str:
    def text() -> str:
        return _fragment(rng, depth + 1) if depth < 2 and rng.random() < 0.15 else rng.choice(TEXTS)

    parts = []
    for _ in range(rng.randint(1, 4)):
        template = rng.choice(TEMPLATES)
        parts.append(template.format(t=text(), u=rng.choice(SCRIPT_URLS), h=rng.choice(HANDLERS)))
    return "".join(part + rng.choice(SEPARATORS) for part in parts)


def fragments(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [_fragment(rng) for _ in range(count)]


def markdown_app(*values: str) -> Blocks:
    with Blocks() as demo:
        for value in values or ("ready",):
            Markdown(value)
    return demo


@pytest.fixture(scope="module")
def page_url(serve_per_module: Callable[..., RunningServer]) -> str:
    return serve_per_module(markdown_app()).local_url


async def test_no_script_survives_random_markdown_and_html_fragments(page_url: str) -> None:
    async with chromium_page() as page:
        await page.goto(page_url)
        result: dict[str, Any] = await page.evaluate(CHECK_FRAGMENTS, fragments(FRAGMENTS, SEED))
    assert result["count"] == 0, f"{result['count']} unsafe results, e.g. {result['bad']}"
    assert result["fired"] == 0


async def test_markdown_still_renders_markdown(page_url: str) -> None:
    async with chromium_page() as page:
        await page.goto(page_url)
        out: dict[str, Any] = await page.evaluate(RENDERS)
    assert out["heading"] == "Title" and out["strong"] == "bold"
    assert out["link"] == ["https://example.com/a?b=1&c=2", "_blank", "noopener noreferrer"]
    assert out["anchor"] is None  # in-page anchors stay in the page
    assert out["image"] == "data:image/png;base64,iVBORw0KGgo="
    assert out["table"] == "1"
    assert out["code"] == "let x = 1 < 2;\n"
    assert (out["breaks"], out["noBreaks"]) == (1, 0)
    assert out["html"] == '<div align="center"><img width="20" src="/x.png"></div>' or out["html"] == (
        '<div align="center"><img src="/x.png" width="20"></div>'
    )
    assert 'type="checkbox"' in out["task"] and "disabled" in out["task"]
    assert out["escaped"] == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"


async def test_issue_payloads_run_nothing_on_load_or_hover(
    serve_per_module: Callable[..., RunningServer],
) -> None:
    url = serve_per_module(markdown_app(*ISSUE_PAYLOADS)).local_url
    dialogs: list[str] = []
    async with chromium_page() as page:
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        await page.goto(url)
        await page.wait_for_selector(".cp-prose a")
        for element in await page.query_selector_all(".cp-prose a, .cp-prose img"):
            await element.hover()
        await page.wait_for_timeout(500)
        rendered = await page.evaluate(
            """() => [...document.querySelectorAll(".cp-prose *")].flatMap((el) =>
                 [...el.attributes].map((a) => `${a.name}=${a.value}`))"""
        )
        assert page.url == url, "the page navigated away"
    assert dialogs == []
    assert not [attr for attr in rendered if attr.lower().startswith("on")]
    urls = [attr for attr in rendered if attr.startswith(("href=", "src="))]
    assert urls and not [url for url in urls if "script:" in url.lower().replace("\t", "")]

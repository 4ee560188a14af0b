"""One fixture folder per bad input: ``ksite check`` prints exactly ``expected.txt``.

Each ``tests/fixtures/bad/<case>/`` holds the files that differ from the minimal valid project
and ``expected.txt``, the exact problem lines of ``ksite check`` (paths relative to the project).
An empty ``expected.txt`` means the input is hostile but valid: check passes and the test of
that case asserts what the site makes of it (escaped output, the value kept as text).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.build import render_pages
from generator.check import load_site
from generator.cli import main
from generator.config import load_config
from tests.conftest import BAD, MakeProject

CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())
REQUIRED = {
    "no-country",
    "duplicate-key",
    "alias",
    "tab",
    "non-utf8",
    "missing-required",
    "dangling-project",
    "duplicate-id",
    "malformed-front-matter",
    "script-in-title",
    "script-in-body",
    "javascript-link",
}
HOSTILE_BUT_VALID = ["script-in-title", "script-in-body", "javascript-link"]


def run_check(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["-f", str(config), "check"])
    captured = capsys.readouterr()
    *lines, summary = captured.err.splitlines()
    assert captured.out == ""
    return code, lines, summary


def test_the_required_cases_exist() -> None:
    assert set(CASES) >= REQUIRED
    for case in CASES:
        assert (BAD / case / "expected.txt").is_file(), case


@pytest.mark.parametrize("case", CASES)
def test_check_prints_exactly_the_expected_problems(
    case: str, temp_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = (BAD / case / "expected.txt").read_text("utf-8").splitlines()
    code, lines, summary = run_check(temp_project(case), capsys)
    assert lines == expected
    errors = sum(": error: " in line for line in expected)
    warnings = sum(": warning: " in line for line in expected)
    assert errors + warnings == len(expected)
    if errors:
        assert code == 1
        assert summary == f"check failed: {errors} error{'s' * (errors != 1)}, {warnings} warnings"
    else:
        assert code == 0
        assert summary == f"check passed: 0 errors, {warnings} warning{'s' * (warnings != 1)}"


def test_no_country_stays_the_text_no(temp_project: MakeProject) -> None:
    site, problems = load_site(load_config(temp_project("no-country")))
    assert problems == []
    assert site.library.projects["54037-001"].countries == ("no",)


def test_oversize_file(temp_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    config = temp_project()
    big = config.parent / "content" / "places" / "big.yaml"
    big.write_bytes(b"name: Big\nkind: city\ndescription: " + b"x" * (6 * 1024 * 1024) + b"\n")
    code, lines, _ = run_check(config, capsys)
    assert code == 1
    assert lines == [
        "content/places/big.yaml: error: file is 6.0 MB, over the 5 MB limit for content; "
        "split it, or put large data under content/media/ as an attachment"
    ]


def test_utf16_file(temp_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    config = temp_project()
    (config.parent / "content" / "places" / "harbin.yaml").write_bytes(
        "name: 哈尔滨\nkind: city\n".encode("utf-16")
    )
    code, lines, _ = run_check(config, capsys)
    assert (code, lines) == (1, ["content/places/harbin.yaml:1:1: error: file is UTF-16; save it as UTF-8"])


def test_bom_file_is_read(temp_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    config = temp_project()
    place = config.parent / "content" / "places" / "harbin.yaml"
    place.write_bytes(b"\xef\xbb\xbf" + "name: 哈尔滨\nkind: city\n".encode())
    assert run_check(config, capsys)[0] == 0
    site, _ = load_site(load_config(config))
    assert site.library.places["harbin"].name.original == "哈尔滨"


# --- hostile but valid: the output is escaped -------------------------------------------------

# A live injected script, a javascript: link, or an event handler attribute carrying the payload.
_UNSAFE = re.compile(
    r"<script\b[^>]*>[^<]*alert|href\s*=\s*[\"']?\s*javascript:|\son\w+\s*=\s*[\"']?alert", re.I
)
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
"""Structured data: a script the browser never runs. Its JSON may hold the hostile text as data,
but never a ``<`` (written ``\\u003c``), so it cannot close the element and start a live one."""


def _product_html(config: Path) -> tuple[str, str]:
    site, problems = load_site(load_config(config))
    assert problems == []
    pages = {(p.kind, p.key): p for p in render_pages(load_config(config), site, "en")}
    product = pages[("product", "sample-brief")]
    # Titles and descriptions are plain text (the shell escapes them; see the build test below).
    everything = "\n".join(p.html for p in pages.values())
    return product.html, everything


def test_script_in_title_is_escaped_in_rendered_pages(temp_project: MakeProject) -> None:
    product, everything = _product_html(temp_project("script-in-title"))
    assert '<h1 lang="en">Brief &lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;</h1>' in product
    assert "Summary &lt;script&gt;alert(&#34;summary&#34;)&lt;/script&gt;" in product
    assert not _UNSAFE.search(everything)


def test_script_in_body_is_escaped_in_rendered_pages(temp_project: MakeProject) -> None:
    product, everything = _product_html(temp_project("script-in-body"))
    assert "<p>Before &lt;script&gt;alert(&quot;body&quot;)&lt;/script&gt; after.</p>" in product
    assert "<p>&lt;script&gt;alert(&quot;block&quot;)&lt;/script&gt;</p>" in product
    assert not _UNSAFE.search(everything)


def test_javascript_links_are_not_links_in_rendered_pages(temp_project: MakeProject) -> None:
    product, everything = _product_html(temp_project("javascript-link"))
    assert "A [bad link](javascript:alert(1)) and an &lt;javascript:alert(2)&gt; autolink" in product
    assert "<p>[evil]: JAVASCRIPT:alert(3)</p>" in product
    assert not _UNSAFE.search(everything)


@pytest.mark.slow
@pytest.mark.parametrize("case", HOSTILE_BUT_VALID)
def test_built_site_has_no_live_script_or_javascript_link(
    case: str, temp_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    config = temp_project(case)
    assert main(["-f", str(config), "build"]) == 0
    pages = sorted((config.parent / "site").rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text("utf-8")
        for data in _JSON_LD.findall(text):
            assert "<" not in data, page
            json.loads(data)
        text = _JSON_LD.sub("", text)
        assert not _UNSAFE.search(text), (page, _UNSAFE.search(text))
    brief = (config.parent / "site" / "knowledge" / "sample-brief" / "index.html").read_text("utf-8")
    assert "&lt;script&gt;" in brief or case == "javascript-link"
    if case == "script-in-title":
        # Material writes the title into <title>, the header and the meta description unescaped
        # unless the adapter escapes it.
        assert (
            "<title>Brief &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; - ksite test</title>" in brief
        )
        assert '<meta name="description" content="Summary &lt;script&gt;' in brief


def test_a_file_that_fails_to_load_is_not_reported_again_as_unknown(
    temp_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    config = temp_project()
    record = config.parent / "content" / "projects" / "54037-001.yaml"
    record.write_text(record.read_text("utf-8").replace("title:", "title: &t x\nsubtitle: *t\nx:"), "utf-8")
    code, lines, _ = run_check(config, capsys)
    assert code == 1
    assert len(lines) == 1 and "alias" in lines[0], lines

"""The Markdown dialect (generator.markdown): safe HTML, extensions, anchors and references."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.markdown import (
    Reference,
    find_references,
    plain_text,
    render,
    render_inline,
    slugify,
)
from generator.references import reference_candidates


def html(source: str) -> str:
    return render(source, lambda scheme, target: f"resolved/{scheme}/{target}/").html


# --- raw HTML and unsafe links ------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a <script>alert(1)</script> b", "<p>a &lt;script&gt;alert(1)&lt;/script&gt; b</p>\n"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
        ('<div onclick="x">raw</div>', "<p>&lt;div onclick=&quot;x&quot;&gt;raw&lt;/div&gt;</p>\n"),
        ("<!-- comment -->", "<p>&lt;!-- comment --&gt;</p>\n"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"),
    ],
)
def test_raw_html_is_escaped(source: str, expected: str) -> None:
    assert html(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "![x](javascript:alert(1))",
    ],
)
def test_unsafe_link_schemes_never_become_links(source: str) -> None:
    out = html(source)
    assert "href=" not in out and "src=" not in out
    assert "<script" not in out


def test_external_links_get_noopener_and_mailto_stays() -> None:
    assert html("[a](https://www.adb.org) [m](mailto:a@b.org)") == (
        '<p><a href="https://www.adb.org" rel="noopener">a</a> <a href="mailto:a@b.org">m</a></p>\n'
    )


# --- extensions -----------------------------------------------------------------------------


def test_footnotes() -> None:
    out = html("Claim[^1].\n\n[^1]: Source.\n")
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in out
    assert '<li id="fn1" class="footnote-item"><p>Source. <a href="#fnref1" class="footnote-backref">' in out


def test_tables_stay_plain_for_material() -> None:
    out = html("| a | b |\n|---|--:|\n| 1 | 2 |\n")
    assert out.startswith("<table>\n<thead>\n<tr>\n<th>a</th>\n")
    assert '<td style="text-align:right">2</td>' in out


def test_admonition_with_escaped_title() -> None:
    assert html('!!! note "Example <b>content</b>"\n    Inside **bold**.\n') == (
        '<div class="admonition note">\n<p class="admonition-title">Example &lt;b&gt;content&lt;/b&gt;</p>\n'
        "<p>Inside <strong>bold</strong>.</p>\n</div>\n"
    )


def test_definition_lists_task_lists_and_strikethrough() -> None:
    out = html("Term\n: Definition\n\n- [x] done\n- [ ] open\n\n~~old~~\n")
    assert "<dl>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>" in out
    assert 'type="checkbox"' in out and 'checked="checked"' in out
    assert "<s>old</s>" in out


def test_line_break_between_chinese_characters_is_dropped() -> None:
    assert html("黑龙江\n省会是哈尔滨\n") == "<p>黑龙江省会是哈尔滨</p>\n"
    assert html("Heilongjiang\nprovince\n") == "<p>Heilongjiang\nprovince</p>\n"


# --- heading anchors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("项目背景", "项目背景"),
        ("2.1 绿色经济 Green Economy!", "21-绿色经济-green-economy"),
        ("资源枯竭型城市：转型与创新", "资源枯竭型城市转型与创新"),
        ("Über uns", "über-uns"),
        ("Ｆｕｌｌ　ｗｉｄｔｈ", "full-width"),
        ("!!!", "section"),
    ],
)
def test_slugify_is_readable_in_any_script(heading: str, slug: str) -> None:
    assert slugify(heading) == slug


def test_heading_ids_do_not_depend_on_position() -> None:
    alone = render("## 政策建议\n")
    after_others = render("## 背景\n\n### 方法\n\n## 政策建议\n")
    assert alone.headings[0].id == "政策建议"
    assert after_others.headings[-1].id == "政策建议"
    assert '<h2 id="政策建议">政策建议</h2>' in after_others.html
    assert "_1" not in after_others.html


def test_repeated_heading_gets_a_readable_suffix_and_the_outline() -> None:
    rendered = render("# Title\n\n## 结论\n\n### Detail `code`\n\n## 结论\n")
    assert [(h.level, h.id, h.text) for h in rendered.headings] == [
        (1, "title", "Title"),
        (2, "结论", "结论"),
        (3, "detail-code", "Detail code"),
        (2, "结论-1", "结论"),
    ]
    assert "<h1>Title</h1>" in rendered.html  # h1 is the page title; anchors start at h2


# --- references -----------------------------------------------------------------------------


def test_references_resolve_to_relative_urls() -> None:
    urls = {
        ("project", "54037-001"): "../../projects/54037-001/",
        ("project", "54037-001/outputs/2"): "../../projects/54037-001/outputs/2/",
        ("knowledge", "some-id"): "../some-id/",
    }
    out = render(
        "[p](project:54037-001) [o](project:54037-001/outputs/2) [k](knowledge:some-id#findings)",
        lambda scheme, target: urls.get((scheme, target)),
    ).html
    assert out == (
        '<p><a href="../../projects/54037-001/" class="ksite-ref">p</a> '
        '<a href="../../projects/54037-001/outputs/2/" class="ksite-ref">o</a> '
        '<a href="../some-id/#findings" class="ksite-ref">k</a></p>\n'
    )


def test_unresolved_reference_is_marked_and_goes_nowhere() -> None:
    assert render("[k](knowledge:nope)", lambda scheme, target: None).html == (
        '<p><a href="#" class="ksite-ref ksite-ref--missing">k</a></p>\n'
    )
    assert render_inline("[k](knowledge:nope)") == '<a href="#" class="ksite-ref ksite-ref--missing">k</a>'


def test_render_inline_has_no_paragraph() -> None:
    assert render_inline("a *b* <i>c</i>") == "a <em>b</em> &lt;i&gt;c&lt;/i&gt;"


def test_find_references_lines_and_columns() -> None:
    source = (
        "Intro [a](project:54037-001).\n\nSee `[b](project:1)` and\n"
        "[c](knowledge:x) then [d](place:harbin).\n"
    )
    assert list(find_references(source, first_line=10)) == [
        Reference("project", "54037-001", 10, 11),
        Reference("knowledge", "x", 13, 5),
        Reference("place", "harbin", 13, 27),
    ]


def test_find_references_with_indent_and_in_containers() -> None:
    source = "- item [a](topic:green)\n\n> quote [b](knowledge:y)\n\n| t |\n|---|\n| [c](project:9) |\n"
    assert list(find_references(source, first_line=1, indent=4)) == [
        Reference("topic", "green", 1, 16),
        Reference("knowledge", "y", 3, 17),
        Reference("project", "9", 7, 11),
    ]


def test_code_blocks_hold_no_references() -> None:
    assert list(find_references("```\n[a](project:1)\n```\n\n    [b](project:2)\n")) == []


def test_plain_text() -> None:
    assert (
        plain_text("# Title\n\nA **bold** `code` [link](https://x.org)\n\n<b>x</b>")
        == "Title A bold code link <b>x</b>"
    )


# Pieces that make links, code, escapes and near-misses when strung together.
_PIECES = st.sampled_from(
    [
        "[a](",
        "[b]",
        "](",
        "]: ",
        "]:\n  ",
        "<",
        ">",
        ")",
        "(",
        "project:",
        "knowledge:",
        "place:",
        "topic:",
        "<project:",
        "](knowledge:",
        "]: place:",
        "54037-001",
        "a-brief",
        "x",
        "#part",
        " ",
        "\n",
        "\n\n",
        "    ",
        "`",
        "```\n",
        "\\",
        "&colon;",
        "%41",
        '"t"',
        "!",
        "*",
        "- ",
        "> ",
        "!!! note\n    ",
        "[^1]",
        "[^1]: ",
        "|",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
@example("<project:x>")
@example("[a]( <knowledge:a-brief#x> )")
@example("[c][d]\n\n[d]:\n  topic:x\n")
def test_reference_candidates_are_a_superset_of_what_the_parser_finds(source: str) -> None:
    """Link checking skips the parse when every candidate is valid, so a reference that the
    parser finds must never be missing from the candidates."""
    candidates = reference_candidates(source)
    if candidates is None:
        return
    found = {(ref.scheme, ref.target) for ref in find_references(source)}
    assert found <= set(candidates)


def test_reference_candidates_cover_every_link_form() -> None:
    source = (
        "[a](project:54037-001) [b]( <knowledge:a-brief#x> ) <place:harbin>\n\n"
        "[c][d]\n\n[d]:\n  topic:green-growth\n`[e](project:in-code)`\n"
    )
    assert reference_candidates(source) == [
        ("project", "54037-001"),
        ("knowledge", "a-brief"),
        ("place", "harbin"),
        ("topic", "green-growth"),
        ("project", "in-code"),
    ]
    assert reference_candidates("no links here") == []
    assert reference_candidates("[a](project&#58;x) project:") is None


_TEXT_PIECES = st.sampled_from(
    [
        "word",
        "词语",
        " ",
        "  ",
        "\n",
        "\n\n",
        "    ",
        "- ",
        "1. ",
        "2)",
        "> ",
        "# ",
        "=",
        "---",
        ": ",
        "*",
        "_",
        "`",
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "&amp;",
        "\\",
        "|",
        "~",
        "!",
        "\t",
        "\u3000",
        "\xa0",
        ".",
        ",",
        "42",
        "a-b",
        "project:x",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_TEXT_PIECES, max_size=25).map("".join))
def test_plain_text_shortcut_equals_the_parse(source: str) -> None:
    """plain_text skips the parser for texts without markup; the answer must not change."""
    from generator.markdown import parsed_plain_text

    assert plain_text(source) == parsed_plain_text(source)

"""Whole-site tests: the bundled content built by the real pipeline (MkDocs + Material)."""

from __future__ import annotations

import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from generator.check import load_site
from generator.checklinks import check_site

from .builtsite import SEED, build_project, built_site, copy_project

pytestmark = pytest.mark.slow


def page_text(path: Path) -> str:
    """Visible text of a page's article, whitespace folded, entities decoded."""
    raw = path.read_text("utf-8")
    article = raw[raw.index("<article") : raw.index("</article>")]
    text = re.sub(r"<[^>]+>", " ", article)
    return " ".join(html.unescape(text).split())


def seed_rows() -> dict[str, str]:
    """The seed data sheet's ``Label<TAB>value`` rows (first occurrence of each label)."""
    rows: dict[str, str] = {}
    for line in SEED.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) >= 2 and cells[0] and cells[1]:
            rows.setdefault(cells[0], cells[1])
    return rows


def seed_date(text: str) -> str:
    """``14 Sep 2020`` as the English pages print it: ``14 September 2020``."""
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    full = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    day, month, year = text.split()
    return f"{int(day)} {full[months.index(month)]} {year}"


def test_every_seed_field_value_is_on_the_project_sheet() -> None:
    site = built_site()
    text = page_text(site / "projects" / "54037-001" / "index.html")
    rows = seed_rows()
    expected: list[str] = []
    for label in (
        "Project Name",
        "Project Number",
        "Country",
        "Project Status",
        "Project Type / Modality of Assistance",
        "Gender Equity and Mainstreaming",
        "Geographical Location",
        "Consulting Services",
        "Procurement",
        "Responsible ADB Officer",
        "Responsible ADB Department",
        "Responsible ADB Division",
        "Impact",
        "Outcome",
        "Project Page",
        "Request for Information",
    ):
        expected.append(rows[label])
    for label in ("Description", "Project Rationale and Linkage to Country/Regional Strategy"):
        for paragraph in re.findall(r"<p>(.*?)</p>", rows[label]):
            expected.append(" ".join(paragraph.split()))
    expected += ["Environmentally sustainable growth", "Inclusive economic growth"]
    expected += ["Governance and capacity development", "Knowledge solutions", "Private sector development"]
    sector, subsector = rows["Sector / Subsector"].split(" - ")
    expected += [sector, subsector]
    expected += [
        "Research on innovation-driven green economic diversification for resource-exhausted cities produced",
        "Innovation-driven green economic diversification strategy and policy framework for "
        "resource-exhausted cities proposed",
        "Knowledge on innovation-driven green economic diversification for resource-exhausted cities enhanced",
    ]
    expected.append("Technical Assistance Special Fund")
    expected.append("US$ 400,000")
    expected.append("Heilongjiang Provincial Finance Department")
    expected.append("No. 146 Jianshe Street, Nangang District Harbin, 150001 P.R. China")
    for label in ("Concept Clearance", "Last PDS Update"):
        expected.append(seed_date(rows[label]))
    start, end = rows["Fact Finding"].split(" to ")
    expected.append(f"{seed_date(start)} to {seed_date(end)}")
    expected.append(rows["Date Generated"])
    missing = [value for value in expected if " ".join(value.split()) not in text]
    assert missing == []
    # Fields the seed shows empty are shown as empty, not invented.
    for label in (
        "Management review meeting",
        "Approval",
        "Last review mission",
        "Environmental aspects",
        "Involuntary resettlement",
        "Indigenous peoples",
        "During project design",
    ):
        assert re.search(re.escape(label) + r" Not given in the data sheet", text), label


def test_every_internal_link_and_anchor_resolves() -> None:
    assert check_site(built_site(), "/ta-54037/")[0] == []


def test_no_page_loads_anything_from_another_host() -> None:
    """Scripts, styles, fonts, images and frames come from the site itself (links may leave)."""
    site = built_site()
    loads = re.compile(
        r"<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=\"((?:https?:)?//[^\"]+)\""
        r"|<link\b(?=[^>]*\brel=\"(?:stylesheet|icon|preload|modulepreload|prefetch|manifest)\")"
        r"[^>]*\bhref=\"((?:https?:)?//[^\"]+)\""
    )
    offenders = []
    for page in site.rglob("*.html"):
        for match in loads.finditer(page.read_text("utf-8")):
            offenders.append(f"{page.relative_to(site)}: {match.group(1) or match.group(2)}")
    for css in site.rglob("*.css"):
        text = css.read_text("utf-8", errors="replace")
        offenders += [
            f"{css.relative_to(site)}: {u}" for u in re.findall(r"url\(['\"]?((?:https?:)?//[^)'\"]+)", text)
        ]
        offenders += [
            f"{css.relative_to(site)}: @import {u}"
            for u in re.findall(r"@import\s+['\"]?(https?://\S+)", text)
        ]
    for script in site.rglob("*.js"):
        if "fonts.googleapis.com" in script.read_text("utf-8", errors="replace"):
            offenders.append(f"{script.relative_to(site)}: Google Fonts")
    assert offenders == []


def test_site_map_pages_exist_in_both_languages() -> None:
    site = built_site()
    english = {
        p.relative_to(site).as_posix()
        for p in site.rglob("index.html")
        if not p.relative_to(site).as_posix().startswith("zh/")
    }
    chinese = {p.relative_to(site / "zh").as_posix() for p in (site / "zh").rglob("index.html")}
    assert english == chinese
    for path in (
        "index.html",
        "projects/index.html",
        "projects/54037-001/index.html",
        "projects/54037-001/outputs/1/index.html",
        "projects/54037-001/outputs/3/index.html",
        "knowledge/index.html",
        "knowledge/resource-exhausted-cities-in-heilongjiang/index.html",
        "places/heilongjiang/index.html",
        "places/harbin/index.html",
        "topics/innovation/index.html",
    ):
        assert path in english


def test_alternates_point_at_the_same_page_in_the_other_language() -> None:
    site = built_site()
    for page in site.rglob("index.html"):
        raw = page.read_text("utf-8")
        links = re.findall(r'<link rel=" alternate" hreflang="(\w+)" href="([^"]+)"', raw)
        assert {lang for lang, _ in links} == {"en", "zh"}, page
        relative = page.relative_to(site).as_posix()
        path = relative[3:] if relative.startswith("zh/") else relative
        for lang, href in links:
            assert href == f"https://ksite.example.org/ta-54037/{'zh/' if lang == 'zh' else ''}{path[:-10]}"
        switch = re.findall(r'<a href="([^"]+)" hreflang="(\w+)"[^>]*class="md-select__link', raw)
        for href, lang in switch:
            assert href.endswith("index.html"), href  # links name the file: the site works from disk
            target = (page.parent / href).resolve()
            assert target == (site / ("zh/" if lang == "zh" else "") / path).resolve(), (page, href)


def test_sitemap_lists_hreflang_alternates() -> None:
    sitemap = (built_site() / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://ksite.example.org/ta-54037/projects/54037-001/</loc>" in sitemap
    assert (
        '<xhtml:link rel="alternate" hreflang="zh" '
        'href="https://ksite.example.org/ta-54037/zh/projects/54037-001/"/>'
    ) in sitemap


def test_html_lang_is_right_on_every_page() -> None:
    site = built_site()
    for page in site.rglob("index.html"):
        lang = "zh" if page.relative_to(site).as_posix().startswith("zh/") else "en"
        assert f'<html lang="{lang}"' in page.read_text("utf-8"), page


ENGLISH_CHROME = [
    "Skip to content",
    "Table of contents",
    "Back to top",
    "Type to start searching",
    "Search",
    "Initializing search",
    "Made with",
]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TextByLanguage(HTMLParser):
    """Visible text of a page that is in the page's language (not inside another ``lang``)."""

    def __init__(self, page_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = [("html", page_lang)]
        self.page_lang = page_lang
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        lang = dict(attrs).get("lang") or self.stack[-1][1]
        self.stack.append((tag, "skip" if tag in ("script", "style") else lang))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self.stack[-1][1] == self.page_lang:
            self.chunks.append(data)


def test_no_english_interface_string_on_chinese_pages() -> None:
    site = built_site()
    labels = yaml.safe_load((Path(__file__).parents[1] / "generator/i18n/en.yaml").read_text("utf-8"))[
        "labels"
    ]
    interface = set(ENGLISH_CHROME) | {v for v in labels.values() if len(v) > 3}
    for page in (site / "zh").rglob("index.html"):
        parser = _TextByLanguage("zh")
        parser.feed(page.read_text("utf-8"))
        visible = " ".join(" ".join(parser.chunks).split())
        visible = re.sub(r"\S+://\S+", " ", visible)
        leaked = sorted(
            s for s in interface if re.search(r"(?<![\w-])" + re.escape(s) + r"(?![\w-])", visible)
        )
        assert leaked == [], (page.relative_to(site), leaked)


def test_chinese_pages_carry_the_chinese_site_name() -> None:
    raw = (built_site() / "zh" / "index.html").read_text("utf-8")
    assert " - 技援54037-001：黑龙江资源枯竭型城市绿色经济多元化发展</title>" in raw
    assert "Green Economic Diversification" not in raw.split("<body", 1)[0]


def test_chinese_project_sheet_uses_chinese_labels_and_dates() -> None:
    text = page_text(built_site() / "zh" / "projects" / "54037-001" / "index.html")
    for expected in (
        "项目编号",
        "状态",
        "资金来源",
        "2020年9月14日",
        "黑龙江资源枯竭型城市创新驱动绿色经济多元化发展",
        "拟议",
        "技术援助",
    ):
        assert expected in text


def test_untranslated_text_is_marked_with_its_language() -> None:
    raw = (built_site() / "zh" / "projects" / "54037-001" / "index.html").read_text("utf-8")
    block = re.search(
        r'<div class="ksite-untranslated" lang="en"><p class="ksite-notice" lang="zh">([^<]+)</p>', raw
    )
    assert block is not None and "尚未翻译" in block.group(1)


def test_example_products_say_they_are_examples() -> None:
    site = built_site()
    for page in (site / "knowledge").glob("*/index.html"):
        assert "This is example content" in page_text(page), page


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    def digest(root: Path) -> dict[str, str]:
        return {
            p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    config = copy_project(tmp_path / "again", site_url="https://ksite.example.org/ta-54037/")
    build_project(config)
    assert digest(config.site_dir) == digest(built_site())


def test_content_loads_without_problems() -> None:
    config = copy_project(Path(__import__("tempfile").mkdtemp()) / "p")
    site, problems = load_site(config)
    assert problems == []
    assert set(site.library.products) >= {
        "resource-exhausted-cities-in-heilongjiang",
        "innovation-enabling-systems",
        "fact-finding-september-2020",
    }

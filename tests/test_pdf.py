"""PDF briefs: one per product and project sheet in each language, checked with poppler's tools
(pdfinfo, pdftotext, pdffonts), byte-identical across builds, cached, and looked at as PNGs."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import time
import zlib
from pathlib import Path

import pytest

from generator.build import brief_printer, renderer_for
from generator.check import load_site
from generator.errors import ContentError
from generator.printlinks import links_for_pdf, with_print_urls
from generator.render import RenderedPage
from generator.views import BriefMeta

from .builtsite import REPO, build_project, built_site, copy_project

ARTIFACTS = REPO / "test-artifacts" / "pdf"
PRODUCTS = sorted(p.stem for p in (REPO / "content" / "knowledge").glob("*.md") if "." not in p.stem)
PROJECTS = sorted(p.stem for p in (REPO / "content" / "projects").glob("*.yaml"))
BRIEFS = [
    (prefix, f"knowledge/{product}/", f"{product}.pdf") for prefix in ("", "zh/") for product in PRODUCTS
] + [(prefix, f"projects/{number}/", f"{number}.pdf") for prefix in ("", "zh/") for number in PROJECTS]
CHINESE_BRIEF = "zh/knowledge/resource-exhausted-cities-in-heilongjiang/"
SITE_URL = "https://ksite.example.org/ta-54037/"


def poppler(tool: str, *args: str | Path) -> str:
    return subprocess.run([tool, *map(str, args)], check=True, capture_output=True, text=True).stdout


def pdf_text(path: Path) -> str:
    """The PDF's text without whitespace and hyphens: lines break anywhere in Chinese and URLs,
    and pdftotext joins a word broken after a hyphen without it."""
    return re.sub(r"[\s-]+", "", poppler("pdftotext", path, "-"))


def info(path: Path) -> dict[str, str]:
    rows = (line.split(":", 1) for line in poppler("pdfinfo", "-isodates", path).splitlines())
    return {key.strip(): value.strip() for key, value in rows}


def article(page: Path) -> str:
    raw = page.read_text("utf-8")
    return raw[raw.index("<article") : raw.index("</article>")]


def squeeze(fragment: str) -> str:
    """Text of an HTML fragment, compared with :func:`pdf_text`'s."""
    return re.sub(r"[\s-]+", "", html.unescape(re.sub(r"<[^>]+>", "", fragment)))


def pdf_language(path: Path) -> str:
    """``/Lang`` of the document catalogue (inside a compressed object stream)."""
    data = path.read_bytes()
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            found = re.search(rb"/Lang \(([^)]*)\)", zlib.decompress(match[1]))
        except zlib.error:
            continue
        if found:
            return found[1].decode()
    return ""


# -- the built site -------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("prefix", "url", "name"), BRIEFS)
def test_every_brief_has_a_pdf_linked_with_its_size(prefix: str, url: str, name: str) -> None:
    site = built_site()
    pdf = site / prefix / url / name
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF-")
    page = (site / prefix / url / "index.html").read_text("utf-8")
    label = "下载 PDF" if prefix else "Download PDF"
    link = re.search(
        rf'<a href="{re.escape(name)}" type="application/pdf" download[^>]*>{label}</a> \((\d+) KB\)', page
    )
    assert link, f"no download link in {prefix}{url}"
    assert int(link[1]) == max(1, round(pdf.stat().st_size / 1000))


@pytest.mark.slow
@pytest.mark.parametrize(("prefix", "url", "name"), BRIEFS)
def test_pdf_metadata_comes_from_the_content(prefix: str, url: str, name: str) -> None:
    site = built_site()
    pdf = site / prefix / url / name
    meta = info(pdf)
    page = article(site / prefix / url / "index.html")
    title = squeeze(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL)[1])  # type: ignore[index]
    assert re.sub(r"[\s-]+", "", meta["Title"]) == title
    assert meta["Page size"].endswith("(A4)")
    assert meta["Creator"].startswith("ksite ")
    assert pdf_language(pdf) == (prefix.rstrip("/") or "en")
    if url.startswith("knowledge/"):
        date = re.search(r'<time datetime="([0-9-]+)"', page)[1]  # type: ignore[index]
        assert meta["CreationDate"].startswith(date)
        assert meta["Author"]
        summary = re.search(r'<p class="ksite-summary"[^>]*><strong>[^<]*</strong>(.*?)</p>', page, re.DOTALL)
        assert summary and re.sub(r"[\s-]+", "", meta["Subject"]) == squeeze(summary[1])
    else:
        assert meta["CreationDate"].startswith("2020-09-16")  # the record's last PDS update
        assert meta["Author"] == meta["Author"].strip() != ""


@pytest.mark.slow
@pytest.mark.parametrize(("prefix", "url", "name"), BRIEFS)
def test_pdf_text_has_title_every_heading_and_the_citation(prefix: str, url: str, name: str) -> None:
    site = built_site()
    text = pdf_text(site / prefix / url / name)
    page = article(site / prefix / url / "index.html")
    headings = [
        squeeze(m[3])
        for m in re.finditer(r'<h([1-4])(?: id="([^"]*)")?[^>]*>(.*?)</h\1>', page, re.DOTALL)
        if m[2] != "cite-this"
    ]
    assert len(headings) >= 2
    for heading in headings:
        assert heading.replace("¶", "") in text, f"heading {heading!r} missing from {prefix}{url}{name}"
    if url.startswith("knowledge/"):
        # The brief prints the first style the page shows (APA 7).
        citation = re.search(r'<div class="ksite-citation">.*?<blockquote><p>(.*?)</p>', page, re.DOTALL)
        assert citation and squeeze(citation[1]) in text
        assert SITE_URL + prefix + url in citation[1]
    else:
        assert squeeze(SITE_URL + prefix + url) in text


@pytest.mark.slow
@pytest.mark.parametrize(("prefix", "url", "name"), BRIEFS)
def test_pdf_embeds_every_font_and_cjk_for_chinese(prefix: str, url: str, name: str) -> None:
    rows = poppler("pdffonts", built_site() / prefix / url / name).splitlines()[2:]
    assert rows, "no fonts at all"
    for row in rows:
        assert " yes yes " in row, f"font not embedded and subset: {row}"
    if prefix == "zh/":
        assert any("CJK" in row for row in rows), rows


@pytest.mark.slow
def test_chinese_brief_says_page_n_of_m_in_chinese_and_shows_its_url() -> None:
    pdf = built_site() / CHINESE_BRIEF / "resource-exhausted-cities-in-heilongjiang.pdf"
    pages = int(info(pdf)["Pages"])
    text = pdf_text(pdf)
    assert f"第1页，共{pages}页" in text and "Pageof" not in text
    assert "截至" in text and "2020年9月16日" in text
    assert squeeze(f"{SITE_URL}{CHINESE_BRIEF}") in text
    # Internal links are followed by their absolute URL on paper.
    assert squeeze(f"({SITE_URL}zh/projects/54037-001/)") in text


@pytest.mark.slow
def test_english_project_sheet_has_running_header_and_page_numbers() -> None:
    pdf = built_site() / "projects" / "54037-001" / "54037-001.pdf"
    pages = int(info(pdf)["Pages"])
    assert pages >= 2
    per_page = [poppler("pdftotext", "-f", n, "-l", n, pdf, "-") for n in range(1, pages + 1)]
    for number, text in enumerate(per_page, start=1):
        assert f"Page {number} of {pages}" in text
    assert "As of 16 September 2020" in per_page[1]  # the running header, from page 2 on
    assert "Cite this:" in per_page[-1] and "As of:" in per_page[-1]


@pytest.mark.slow
def test_two_builds_give_byte_identical_pdfs(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "again", site_url=SITE_URL)
    build_project(config)
    for prefix, url, name in BRIEFS:
        first = (built_site() / prefix / url / name).read_bytes()
        assert (config.site_dir / prefix / url / name).read_bytes() == first, f"{prefix}{url}{name} differs"


@pytest.mark.slow
def test_pages_of_briefs_as_png_for_people_to_look_at() -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    site = built_site()
    for pdf, stem in (
        (site / CHINESE_BRIEF / "resource-exhausted-cities-in-heilongjiang.pdf", "brief-zh"),
        (site / "projects/54037-001/54037-001.pdf", "project-en"),
    ):
        shutil.copy(pdf, ARTIFACTS / f"{stem}.pdf")
        poppler("pdftoppm", "-r", "80", "-png", pdf, ARTIFACTS / stem)
    assert sorted(p.name for p in ARTIFACTS.glob("brief-zh-*.png"))[0] == "brief-zh-1.png"
    assert (ARTIFACTS / "project-en-1.png").stat().st_size > 10_000


# -- the printer ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = copy_project(tmp_path_factory.mktemp("pdf") / "project", site_url=SITE_URL)
    return config.config_file


def chinese_page(config_file: Path) -> RenderedPage:
    from generator.config import load_config

    config = load_config(config_file)
    site, _ = load_site(config)
    return renderer_for(config, site, "zh").page("product", "resource-exhausted-cities-in-heilongjiang")


def test_cache_hit_takes_the_same_file_without_rendering(project: Path, tmp_path: Path) -> None:
    from generator.config import load_config

    config = load_config(project)
    page = chinese_page(project)
    printer = brief_printer(config, tmp_path / "cache")
    first = printer.print(page)
    assert (printer.stats.made, printer.stats.cached) == (1, 0)
    started = time.perf_counter()
    again = brief_printer(config, tmp_path / "cache").print(page)
    assert time.perf_counter() - started < 0.5
    assert again == first and again.name == "resource-exhausted-cities-in-heilongjiang.pdf"
    assert list((tmp_path / "cache").iterdir()) == [first.path]


def test_a_brief_names_the_site_in_its_own_language(project: Path, tmp_path: Path) -> None:
    from generator.config import load_config
    from generator.pdf import css_string

    config = load_config(project)
    printer = brief_printer(config, tmp_path / "cache")
    site = load_site(config)[0]
    english = renderer_for(config, site, "en").page("product", "resource-exhausted-cities-in-heilongjiang")
    footers = {
        page.lang: re.search(r"@bottom-left \{ content: (.*?); \}", printer.document(page))
        for page in (chinese_page(project), english)
    }
    assert config.name_in("zh") != config.site_name
    assert {lang: m and m[1] for lang, m in footers.items()} == {
        "zh": css_string(config.name_in("zh")),
        "en": css_string(config.site_name),
    }


def test_a_changed_print_template_makes_a_new_brief(project: Path, tmp_path: Path) -> None:
    from generator.config import load_config

    config = load_config(project)
    page = chinese_page(project)
    before = brief_printer(config, tmp_path / "cache").print(page)
    override = config.templates_dir / "print"
    override.mkdir(parents=True, exist_ok=True)
    source = (REPO / "generator" / "templates" / "print" / "brief.html").read_text("utf-8")
    (override / "brief.html").write_text(source.replace("<main>", "<main><p>SITE OVERRIDE</p>"), "utf-8")
    try:
        after = brief_printer(config, tmp_path / "cache").print(page)
    finally:
        shutil.rmtree(override)
    assert after.path != before.path
    assert "SITEOVERRIDE" in pdf_text(after.path)


def test_missing_cjk_font_is_a_clear_error_at_the_page_source(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import pdf
    from generator.config import load_config

    monkeypatch.setattr(pdf, "cjk_font", lambda: None)
    config = load_config(project)
    with pytest.raises(ContentError) as caught:
        brief_printer(config, tmp_path / "cache").print(chinese_page(project))
    (problem,) = caught.value.problems
    assert str(problem).startswith(
        "content/knowledge/resource-exhausted-cities-in-heilongjiang.zh.md:1:1: error:"
    )
    assert "no CJK font" in str(problem) and "fonts-noto-cjk" in str(problem)
    assert not list((tmp_path / "cache").glob("*.pdf"))


def test_brief_without_chinese_needs_no_cjk_font(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import pdf
    from generator.config import load_config

    monkeypatch.setattr(pdf, "cjk_font", lambda: None)
    brief = BriefMeta(
        "Roads", ("A. Author",), "About roads.", "2021-03-04", "4 March 2021", "A. (2021). Roads.", ""
    )
    page = RenderedPage(
        url="knowledge/roads/", title="Roads", html="<h1>Roads</h1><p>Text.</p>", lang="en", kind="product",
        key="roads", brief=brief,
    )  # fmt: skip
    made = brief_printer(load_config(project), tmp_path / "cache").print(page)
    assert made.name == "roads.pdf" and made.size > 1000
    assert info(made.path)["CreationDate"].startswith("2021-03-04")


def test_installed_cjk_font_is_found() -> None:
    from generator.pdf import cjk_font

    assert cjk_font() is not None, "install fonts-noto-cjk"


def test_no_pdf_skips_briefs_and_their_links(temp_project: object, tmp_path: Path) -> None:
    from generator.cli import main

    config_file = temp_project()  # type: ignore[operator]
    site = config_file.parent / "site"
    assert main(["-f", str(config_file), "build", "--no-pdf"]) == 0
    assert not list(site.rglob("*.pdf"))
    assert "Download PDF" not in "".join(p.read_text("utf-8") for p in site.rglob("index.html"))
    assert main(["-f", str(config_file), "build"]) == 0
    pdfs = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.pdf"))
    assert pdfs and all(re.fullmatch(r"(knowledge|projects)/([^/]+)/\2\.pdf", p) for p in pdfs)


# -- links on paper -------------------------------------------------------------------------------


def test_links_get_the_url_to_print() -> None:
    page = "https://example.org/site/knowledge/a/"
    source = (
        '<a href="../b/">B</a> <a href="#x">here</a> <a href="https://adb.org/p" rel="noopener">ADB</a> '
        '<a href="https://adb.org/p">https://adb.org/p</a> <a class="t" href="../../places/x/">X &amp; Y</a>'
    )
    assert with_print_urls(source, page) == (
        '<a href="../b/" data-print-url="https://example.org/site/knowledge/b/">B</a> <a href="#x">here</a> '
        '<a href="https://adb.org/p" rel="noopener" data-print-url="https://adb.org/p">ADB</a> '
        '<a href="https://adb.org/p">https://adb.org/p</a> '
        '<a class="t" href="../../places/x/" data-print-url="https://example.org/site/places/x/">X &amp; Y</a>'
    )
    # Without site_url only external links can be printed.
    assert 'data-print-url="https://adb.org/p"' in with_print_urls(source, "")
    assert "example.org" not in with_print_urls(source, "")


def test_pdf_links_go_to_the_site_or_nowhere() -> None:
    source = (
        '<a href="../b/" data-print-url="https://example.org/b/">B</a> <a href="#fn1" id="r">1</a> '
        '<a class="x" href="../c/">C</a> <a href="https://adb.org/">ADB</a>'
    )
    assert links_for_pdf(source) == (
        '<a href="https://example.org/b/" data-print-url="https://example.org/b/">B</a> <a href="#fn1" id="r">1</a> '
        '<a class="x">C</a> <a href="https://adb.org/">ADB</a>'
    )


def test_brief_meta_of_a_project_is_as_of_its_last_pds_update(project: Path) -> None:
    from generator.config import load_config

    config = load_config(project)
    site, _ = load_site(config)
    page = renderer_for(config, site, "en").page("project", "54037-001")
    assert isinstance(page.brief, BriefMeta)
    assert page.brief.date == "2020-09-16"
    assert page.brief.url == SITE_URL + "projects/54037-001/"
    assert page.brief.citation.endswith(page.brief.url)

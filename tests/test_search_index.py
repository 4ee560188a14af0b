"""What search indexes: one document per page from the model, weighted fields, no page chrome."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from generator.build import render_pages
from generator.check import load_site
from generator.i18n import load_catalogue
from generator.render import RenderedPage
from generator.search import (
    FALLBACK_VERSION,
    WEIGHTS,
    SearchDocument,
    SearchEntry,
    document_html,
    fallback_row,
    fallback_script,
    search_documents,
)

from .builtsite import built_site, copy_project

CHROME = (
    "Related knowledge products",
    "Knowledge products for this output",
    "Not given in the data sheet",
    "相关知识产品",
    "引用本文",
    "Cite this",
    "Table of contents",
    "Skip to content",
    "Source of this record",
)


@cache
def documents(lang: str) -> dict[str, SearchDocument]:
    import tempfile

    config = copy_project(Path(tempfile.mkdtemp(prefix="ksite-search-")) / "project")
    site, problems = load_site(config)
    assert problems == []
    pages = list(render_pages(config, site, lang))
    docs = search_documents(site, load_catalogue(lang, fallback="en"), pages)
    assert len(docs) == len(pages)
    return {doc.url: doc for doc in docs}


def test_every_page_kind_has_a_document() -> None:
    kinds = {doc.kind for doc in documents("en").values()}
    assert {"home", "project", "output", "product", "place", "topic", "knowledge", "projects"} <= kinds
    assert set(documents("en")) == set(documents("zh"))


def test_a_record_is_indexed_by_its_meaningful_fields() -> None:
    doc = documents("en")["projects/54037-001/"]
    assert doc.title.startswith("Innovation-Driven Green Economic Diversification")
    assert doc.text_of("number") == "54037-001"
    assert "Heilongjiang Province" in doc.text_of("tags") and "Innovation" in doc.text_of("tags")
    assert "knowledge and support technical assistance" in doc.text_of("summary")
    assert "Output 2: Innovation-driven green economic diversification strategy" in doc.text_of("outputs")
    assert doc.result_line == "Project · 54037-001 · Proposed"
    everything = " ".join(f.text for f in doc.fields)
    assert "Bai, Jie" not in everything  # the officer is not what a reader searches the sheet by


def test_titles_and_numbers_outweigh_tags_summary_and_body() -> None:
    assert WEIGHTS["title"] == WEIGHTS["number"] == max(WEIGHTS.values())
    assert WEIGHTS["title"] > WEIGHTS["tags"] > WEIGHTS["summary"] > WEIGHTS["body"] == 1.0
    html = document_html(documents("en")["projects/54037-001/"])
    assert re.search(r'<h1 data-pagefind-weight="10.0">Innovation-Driven', html)
    assert '<p data-pagefind-weight="10.0">54037-001</p>' in html
    assert re.search(
        r'<p data-pagefind-weight="1.0">', document_html(documents("en")["knowledge/planning-beyond-2020/"])
    )


def test_products_show_type_and_date_and_are_found_by_them() -> None:
    doc = documents("en")["knowledge/smes-and-green-industries/"]
    assert doc.result_line == "Policy note · 1 June 2021"
    assert doc.text_of("facts") == "Policy note 1 June 2021"
    assert "Output 2:" in doc.text_of("outputs")
    assert "financial instruments" in doc.text_of("body")
    zh = documents("zh")["knowledge/smes-and-green-industries/"]
    assert zh.title == "中小企业、融资与高附加值绿色产业"
    assert zh.result_line == "政策简报 · 2021年6月1日"
    assert "金融工具" in zh.text_of("body")


def test_page_chrome_is_not_indexed() -> None:
    for lang in ("en", "zh"):
        for doc in documents(lang).values():
            html = document_html(doc)
            for phrase in CHROME:
                assert phrase not in html, (doc.url, phrase)


def test_result_metadata_is_shown_but_not_matched() -> None:
    html = document_html(documents("en")["places/harbin/"])
    assert '<p data-pagefind-ignore data-pagefind-meta="line">City · Heilongjiang Province</p>' in html
    assert "<main data-pagefind-body>" in html and html.endswith("</main></body></html>")


def test_fallback_index_is_compact() -> None:
    rows = [fallback_row(doc) for doc in documents("zh").values()]
    brief = next(r for r in rows if r[0] == "knowledge/resource-exhausted-cities-in-heilongjiang/")
    assert brief[1] == "黑龙江资源枯竭型城市概况" and brief[2] == "研究简报 · 2020年9月16日"
    assert all(len(r[3]) <= 161 and len(r[4]) <= 401 for r in rows)


def test_built_site_has_a_pagefind_bundle_and_a_fallback_per_language() -> None:
    site = built_site()
    for root, lang in ((site, "en"), (site / "zh", "zh")):
        entry = json.loads((root / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
        assert list(entry["languages"]) == [lang]
        assert entry["languages"][lang]["page_count"] == len(documents(lang))
        assert (root / "pagefind" / "pagefind.js").is_file()
        assert not (root / "pagefind" / "pagefind-ui.js").exists()
        fallback = (root / "search" / "ksite-fallback.js").read_text("utf-8")
        assert fallback.startswith("window.ksiteSearchFallback={")
        # Material's own index (one file of everything) stays empty: no browser downloads it.
        material = json.loads((root / "search" / "search_index.json").read_text("utf-8"))
        assert material["docs"] == []


def test_material_search_does_not_bind_the_box() -> None:
    page = (built_site() / "index.html").read_text("utf-8")
    assert "data-ksite-search" in page and 'name="ksite-search"' in page
    assert 'data-md-component="search"' not in page and 'name="search"' not in page
    assert "assets/ksite/ksite-search.js" in page


def test_pagefind_documents_go_to_memory_only_with_room(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import shutil
    from collections import namedtuple

    from generator import search_pagefind

    usage = namedtuple("usage", "total used free")
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(os.path, "isdir", lambda path: True)
    monkeypatch.setattr(os, "access", lambda path, mode: True)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(2**34, 0, 2**33))
    assert search_pagefind._scratch_dir(10_000_000) == "/dev/shm"
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(2**26, 0, 2**26))  # Docker's 64 MB
    assert search_pagefind._scratch_dir(10_000_000) is None
    monkeypatch.setenv("TMPDIR", "/somewhere")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(2**34, 0, 2**33))
    assert search_pagefind._scratch_dir(10_000_000) is None  # an explicit choice wins


def test_the_extended_binary_is_found_and_an_explicit_one_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The binary comes from the extended build's package without pagefind.service's lookup
    (which imports asyncio), unless PAGEFIND_BINARY_PATH names another, as that lookup does."""
    import sys

    from generator.search_pagefind import pagefind_binary

    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    monkeypatch.delitem(sys.modules, "pagefind.service", raising=False)
    found = pagefind_binary()
    assert found.name == "pagefind_extended" and found.is_file()
    assert "pagefind.service" not in sys.modules
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "my-pagefind"))
    assert pagefind_binary() == tmp_path / "my-pagefind"


def test_a_cancelled_pagefind_run_leaves_nothing_behind(tmp_path: Path) -> None:
    """A build that fails while Pagefind indexes in the background stops it and removes its
    documents (which may sit in /dev/shm)."""
    from generator.search_pagefind import start_pagefind

    docs = [SearchDocument(f"page-{i}/", "en", f"Page {i}", "page", "", "", ()) for i in range(50)]
    run = start_pagefind([SearchEntry.of(d) for d in docs], "en", tmp_path / "site" / "pagefind")
    run.cancel()  # while its documents are still being written, or Pagefind is running
    assert run.process.returncode != 0  # killed, not finished
    assert not run.tmp.exists()


def test_a_failing_pagefind_run_is_reported_with_its_messages(tmp_path: Path) -> None:
    from generator.search_pagefind import SearchIndexError, start_pagefind

    docs = [SearchDocument("a/", "en", "A", "page", "", "", ())]
    site = tmp_path / "site"
    site.write_text("a file where the site's folder should be", "utf-8")  # no bundle can be written
    run = start_pagefind([SearchEntry.of(d) for d in docs], "en", site / "pagefind")
    with pytest.raises(SearchIndexError, match=r"Pagefind failed \(\d+\): \S"):
        run.finish()
    assert not run.tmp.exists()


def test_entries_of_unchanged_pages_come_from_the_page_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reused page's search entry is read back, equal to a fresh one; only pages rendered
    again get a new document (making a product's parses its whole body)."""
    from generator import search
    from generator.cache import BuildCache

    config = copy_project(tmp_path / "project")
    made: list[str] = []
    document = search._Builder.document

    def counted(builder: search._Builder, page: RenderedPage) -> SearchDocument:
        made.append(page.url)
        return document(builder, page)

    monkeypatch.setattr(search._Builder, "document", counted)

    def run() -> tuple[list[SearchEntry], list[str], list[str]]:
        made.clear()
        site, _ = load_site(config)
        store = BuildCache(config).page_store(site, "en")
        try:
            entries = [p.search for p in render_pages(config, site, "en", memo=store) if p.search]
        finally:
            store.close(prune=True)
        return entries, list(made), store.rendered

    first, made_first, _ = run()
    assert len(made_first) == len(first) > 20
    again, made_again, _ = run()
    assert made_again == [] and again == first
    brief = config.content_dir / "knowledge" / "innovation-enabling-systems.md"
    brief.write_text(brief.read_text("utf-8").replace("title: Putting", "title: Now putting"), "utf-8")
    changed, made_changed, rendered = run()
    assert sorted(made_changed) == sorted(r.removeprefix("en:") for r in rendered) and made_changed
    entry = next(e for e in changed if e.url == "knowledge/innovation-enabling-systems/")
    assert "<title>Now putting" in entry.html and '"Now putting' in entry.row
    monkeypatch.undo()
    site, _ = load_site(config)
    catalogue = load_catalogue("en", fallback="en")
    fresh = [
        SearchEntry.of(d) for d in search_documents(site, catalogue, list(render_pages(config, site, "en")))
    ]
    assert changed == fresh


def test_the_fallback_script_joins_the_rows_into_the_index() -> None:
    docs = list(documents("en").values())
    script = fallback_script([SearchEntry.of(d) for d in docs])
    assert script.startswith("window.ksiteSearchFallback=") and script.endswith(";\n")
    index = {"version": FALLBACK_VERSION, "docs": [fallback_row(doc) for doc in docs]}
    assert json.loads(script.removeprefix("window.ksiteSearchFallback=")[:-2]) == index


def test_documents_are_written_flat_and_carry_their_page_url(tmp_path: Path) -> None:
    """One folder, names hashed from the URL; the URL rides along as metadata, which the
    search script shows (the browser tests follow results to their pages)."""
    from generator.search_pagefind import document_name, start_pagefind

    entries = [SearchEntry.of(d) for d in documents("en").values()]
    run = start_pagefind(entries, "en", tmp_path / "site" / "pagefind")
    assert run.process.wait() == 0  # the documents stay until finish()
    written = sorted(p.name for p in (run.tmp / "documents").iterdir())
    assert written == sorted(document_name(e.url) for e in entries) and len(set(written)) == len(entries)
    home = (run.tmp / "documents" / document_name("")).read_text("utf-8")
    assert '<p data-pagefind-ignore data-pagefind-meta="path">./</p>' in home
    brief = (run.tmp / "documents" / document_name("knowledge/planning-beyond-2020/")).read_text("utf-8")
    assert 'data-pagefind-meta="path">knowledge/planning-beyond-2020/</p>' in brief
    run.finish()
    assert not run.tmp.exists() and (tmp_path / "site" / "pagefind" / "pagefind.js").is_file()


def test_the_document_writer_writes_plain_names_only(tmp_path: Path) -> None:
    """Pagefind's documents are written as files of one folder; a name that would leave the
    folder is refused."""
    from generator.search_pagefind import write_documents

    folder = tmp_path / "documents"
    folder.mkdir()
    documents = [("a.html", b"<p>a</p>"), ("b.html", "<p>\u54c8\u5c14\u6ee8</p>".encode() * 10_000)]
    assert write_documents(documents, folder) == 2
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == dict(documents)
    with pytest.raises(ValueError, match="not a plain file name"):
        write_documents([("../escape.html", b"x")], folder)
    assert not (tmp_path / "escape.html").exists()


def test_a_large_language_is_split_into_bundles_and_an_edit_touches_one() -> None:
    """Each document is in exactly one bundle, chosen by its URL; changing a document changes
    its bundle's key only; a different number of bundles changes every key."""
    import tempfile
    from dataclasses import replace

    from generator.search_pagefind import BUNDLE_DIR, plan_bundles

    config = copy_project(Path(tempfile.mkdtemp(prefix="ksite-bundles-")) / "project")
    site, _ = load_site(config)
    entries = [page.search for page in render_pages(config, site, "en") if page.search is not None]
    assert len(plan_bundles(entries, "en")) == 1  # the real site: one bundle
    bundles = plan_bundles(entries, "en", size=8)
    count = -(-len(entries) // 8)
    assert [b.folder for b in bundles] == [BUNDLE_DIR] + [f"{BUNDLE_DIR}-{n}" for n in range(2, count + 1)]
    assert bundles[0].shards == tuple(f"{b.folder}/" for b in bundles[1:])
    assert sorted(e.url for b in bundles for e in b.entries) == sorted(e.url for e in entries)
    edited = [replace(e, html=e.html + "<p>edited</p>") if e is entries[3] else e for e in entries]
    after = plan_bundles(edited, "en", size=8)
    changed = [b.folder for b, a in zip(bundles, after, strict=True) if b.key != a.key]
    assert changed == [next(b.folder for b in bundles if entries[3] in b.entries)]
    assert not {b.key for b in bundles} & {b.key for b in plan_bundles(entries, "en", size=9)}

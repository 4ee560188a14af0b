"""The post-build link check: every internal link and anchor of the written site exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.checklinks import LastCheck, PageScan, check_site

A = '<html><body><a href="b.html#part">b</a> <img src="pic.png"> <a href="https://example.org/">x</a></body></html>'
B = '<html><body><h2 id="part">Part</h2><a href="c.html">c</a></body></html>'
C = '<html><body><p id="top">C</p><a href="a.html">a</a></body></html>'


def write_site(root: Path, **pages: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (root / f"{name}.html").write_text(text, "utf-8")
    (root / "pic.png").write_bytes(b"\x89PNG")
    return root


def messages(problems: list[object]) -> list[str]:
    return [str(p) for p in problems]


def test_a_good_site_has_no_problems_and_every_page_is_checked(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", a=A, b=B, c=C)
    problems, links = check_site(site)
    assert problems == [] and sorted(links.external) == ["a.html", "b.html", "c.html"]
    assert list(links.external_links()) == [("a.html", "https://example.org/")]
    assert "pic.png" in links.files


def test_broken_links_and_anchors_are_reported_at_their_page_and_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", a=A.replace("b.html#part", "b.html#missing"), b=B, c=C)
    (site / "c.html").write_text('<p id="top">C</p>\n<a href="nowhere.html">n</a>', "utf-8")
    problems, _ = check_site(site)
    assert messages(problems) == [
        "site/a.html:1:1: error: broken anchor 'b.html#missing': no id 'missing' in b.html",
        "site/c.html:2:1: error: broken link 'nowhere.html': nowhere.html does not exist",
    ]


def test_the_same_link_in_pages_of_one_folder_is_judged_for_each_page(tmp_path: Path) -> None:
    """Links are worked out once per folder; an in-page anchor once per page, since its
    target is the page itself."""
    site = write_site(tmp_path / "site", a='<p id="x"></p><a href="#x">x</a>', b='<a href="#x">x</a>')
    (site / "sub").mkdir()
    (site / "sub" / "c.html").write_text('<a href="a.html">a</a>', "utf-8")
    (site / "d.html").write_text('<a href="a.html">a</a>', "utf-8")
    problems, links = check_site(site)
    assert len(links.external) == 4
    assert messages(problems) == [
        "site/b.html:1:1: error: broken anchor '#x': no id 'x' in b.html",
        "site/sub/c.html:1:1: error: broken link 'a.html': sub/a.html does not exist",
    ]


def test_root_absolute_links_must_stay_under_the_base_path(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", a='<a href="/ta/b.html">b</a> <a href="/other/">o</a>', b=B, c=C)
    problems, _ = check_site(site, "/ta/")
    assert messages(problems) == ["site/a.html:1:1: error: link '/other/' points outside the site"]


def test_listing_links_checks_nothing_but_finds_what_the_check_finds(tmp_path: Path) -> None:
    """For builds run with --no-link-check: the same files and external links, no verdict."""
    from generator.checklinks import list_links

    site = write_site(tmp_path / "site", a=A, b=B, c=C)
    checked = check_site(site)[1]
    listed = list_links(site)
    assert listed.files == checked.files
    assert (
        list(listed.external_links())
        == list(checked.external_links())
        == [("a.html", "https://example.org/")]
    )
    (site / "c.html").write_text('<a href="nowhere.html">x</a> <a href="http://example.net/">y</a>', "utf-8")
    assert check_site(site)[0] and ("c.html", "http://example.net/") in list(
        list_links(site).external_links()
    )


class Scans:
    """A scan memo in a dict (the cache keeps it in SQLite)."""

    def __init__(self) -> None:
        self.scans: dict[bytes, PageScan] = {}

    def recall(self, digest: bytes) -> PageScan | None:
        return self.scans.get(digest)

    def remember(self, digest: bytes, scan: PageScan) -> None:
        self.scans[digest] = scan


def test_after_a_passed_check_only_what_can_have_broken_is_worked_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the last passed check, links of unchanged pages keep their verdicts while the site
    has the same files and the changed pages the same ids; otherwise every link is checked."""
    from generator import checklinks

    site = write_site(tmp_path / "site", a=A, b=B, c=C)
    memo = Scans()
    problems, links = check_site(site, "/", memo)
    assert problems == []
    judged: list[str] = []
    real = checklinks._check_link
    monkeypatch.setattr(
        checklinks, "_check_link", lambda page, *rest: judged.append(page) or real(page, *rest)
    )

    def again() -> list[str]:
        nonlocal links
        judged.clear()
        assert links.linked is not None
        last = LastCheck(links.files, links.linked, links.base_path, links.digests)
        problems, links = check_site(site, "/", memo, last=last)
        return messages(problems)

    (site / "c.html").write_text(C.replace("C</p>", "C, edited</p>"), "utf-8")  # same ids
    assert again() == [] and set(judged) == {"c.html"}
    (site / "b.html").write_text(B.replace('id="part"', 'id="other"'), "utf-8")  # ids changed
    assert again() == ["site/a.html:1:1: error: broken anchor 'b.html#part': no id 'part' in b.html"]
    assert {"a.html", "b.html", "c.html"} <= set(judged)
    (site / "b.html").write_text(B, "utf-8")
    assert again() == []
    (site / "extra.js").write_text("// a file added", "utf-8")  # breaks no link
    assert again() == [] and judged == []
    (site / "extra.js").unlink()  # a file gone that no link points at
    assert again() == [] and judged == []
    (site / "pic.png").unlink()  # a file gone that a link points at
    assert again() == ["site/a.html:1:1: error: broken link 'pic.png': pic.png does not exist"]
    (site / "pic.png").write_bytes(b"\x89PNG")
    assert again() == []
    assert links.linked is not None
    last = LastCheck(links.files, links.linked, "/", links.digests)
    judged.clear()
    assert messages(check_site(site, "/elsewhere/", memo, last=last)[0]) == []  # another base path
    assert set(judged) == {"a.html", "b.html", "c.html"}
    judged.clear()
    assert messages(check_site(site, "/", memo, last=last)[0]) == [] and judged == []

"""The post-build link check, and its memo: a rebuild looks again only at what changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.checklinks import check_site, page_digest

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


def test_without_a_memo_every_page_is_checked(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", a=A, b=B, c=C)
    problems, _, checked = check_site(site)
    assert problems == [] and checked == 3


def test_an_unchanged_site_is_not_checked_again(tmp_path: Path) -> None:
    site, memo = write_site(tmp_path / "site", a=A, b=B, c=C), tmp_path / "links.sqlite3"
    assert check_site(site, memo=memo)[2] == 3
    assert memo.is_file()
    problems, _, checked = check_site(site, memo=memo)
    assert problems == [] and checked == 0


def test_a_changed_page_and_the_pages_anchored_to_it_are_checked_again(tmp_path: Path) -> None:
    site, memo = write_site(tmp_path / "site", a=A, b=B, c=C), tmp_path / "links.sqlite3"
    check_site(site, memo=memo)
    (site / "c.html").write_text(C.replace("C</p>", "C, changed</p>"), "utf-8")
    assert check_site(site, memo=memo)[2] == 1  # c itself; nobody links to an anchor in c
    (site / "b.html").write_text(B.replace('id="part"', 'id="renamed"'), "utf-8")
    problems, _, checked = check_site(site, memo=memo)
    assert checked == 2  # b, and a, whose link names an anchor of b
    assert messages(problems) == [
        "site/a.html:1:1: error: broken anchor 'b.html#part': no id 'part' in b.html"
    ]


def test_a_removed_target_is_found_from_the_memo(tmp_path: Path) -> None:
    site, memo = write_site(tmp_path / "site", a=A, b=B, c=C), tmp_path / "links.sqlite3"
    check_site(site, memo=memo)
    (site / "pic.png").unlink()
    problems, _, checked = check_site(site, memo=memo)
    assert checked == 1
    assert messages(problems) == ["site/a.html:1:1: error: broken link 'pic.png': pic.png does not exist"]
    # A failed check leaves the memo as it was, so the page stays due until it is fixed.
    assert check_site(site, memo=memo)[2] == 1
    (site / "pic.png").write_bytes(b"\x89PNG")
    assert check_site(site, memo=memo)[0] == []
    assert check_site(site, memo=memo)[2] == 0


def test_a_memo_of_another_base_path_or_unreadable_is_ignored(tmp_path: Path) -> None:
    site, memo = write_site(tmp_path / "site", a=A, b=B, c=C), tmp_path / "links.sqlite3"
    check_site(site, memo=memo)
    assert check_site(site, "/elsewhere/", memo=memo)[2] == 3
    memo.write_text("{not a database}" * 100, "utf-8")
    assert check_site(site, memo=memo)[2] == 3


def test_a_memo_updated_in_place_equals_one_written_afresh(tmp_path: Path) -> None:
    """A rebuild rewrites only the memo's rows of the pages it checked: after pages change,
    appear and go, and a file goes, what it holds is what a first check would write."""
    from generator.checklinks import LinkMemo

    site, memo = write_site(tmp_path / "site", a=A, b=B, c=C), tmp_path / "links.sqlite3"
    check_site(site, memo=memo)
    steps = [
        lambda: (site / "c.html").write_text(C.replace("C</p>", "C, changed</p>"), "utf-8"),
        lambda: (site / "d.html").write_text(
            '<a href="c.html#top">c</a> <a href="https://example.net/">n</a>'
        ),
        lambda: (site / "a.html").write_text(A.replace('<img src="pic.png">', ""), "utf-8"),
        lambda: (site / "pic.png").unlink(),
        lambda: (site / "d.html").unlink(),
    ]
    for number, step in enumerate(steps):
        step()
        assert check_site(site, memo=memo)[0] == []
        fresh = tmp_path / f"fresh-{number}.sqlite3"
        check_site(site, memo=fresh)
        assert LinkMemo.load(memo, "/") == LinkMemo.load(fresh, "/") is not None


def test_a_changed_page_anchored_to_an_unchanged_one_is_checked_against_its_ids(tmp_path: Path) -> None:
    site, memo = write_site(tmp_path / "site", a=A, b=B, c=C), tmp_path / "links.sqlite3"
    check_site(site, memo=memo)
    (site / "a.html").write_text(A.replace("b.html#part", "b.html#missing"), "utf-8")
    problems, _, checked = check_site(site, memo=memo)
    assert checked == 1  # b is read for its ids, not checked
    assert messages(problems) == [
        "site/a.html:1:1: error: broken anchor 'b.html#missing': no id 'missing' in b.html"
    ]


def test_external_links_of_unchanged_pages_come_from_the_memo(tmp_path: Path) -> None:
    site, memo = write_site(tmp_path / "site", a=A, b=B, c=C), tmp_path / "links.sqlite3"
    first = check_site(site, memo=memo)[1]
    _, again, checked = check_site(site, memo=memo)
    assert checked == 0
    assert (
        list(again.external_links()) == list(first.external_links()) == [("a.html", "https://example.org/")]
    )
    assert again.files == first.files and "pic.png" in again.files


def test_digests_from_the_writer_spare_reading_pages(tmp_path: Path) -> None:
    """The MkDocs adapter hashes each page as it writes it; the check takes those hashes."""
    site, memo = write_site(tmp_path / "site", a=A, b=B, c=C), tmp_path / "links.sqlite3"
    written = {name: page_digest((site / name).read_bytes()) for name in ("a.html", "b.html", "c.html")}
    assert check_site(site, memo=memo, digests=written)[2] == 3
    changed = C.replace("C</p>", "C, changed</p>")
    (site / "c.html").write_text(changed, "utf-8")
    assert check_site(site, memo=memo, digests=written)[2] == 0  # the writer said: unchanged
    written["c.html"] = page_digest(changed.encode())
    assert check_site(site, memo=memo, digests=written)[2] == 1


def test_the_page_hasher_hashes_each_file_in_a_helper_process(tmp_path: Path) -> None:
    from generator.checklinks import PageHasher

    site = write_site(tmp_path / "site", a=A, b=B, c=C, name=A)
    hasher = PageHasher(site)
    hasher.add(["a.html"])
    hasher.add(["b.html", "c.html", "gone.html", "odd\nname.html"])  # in batches, as the adapter
    # gone.html was never written; a newline cannot travel: both left out
    # (sent as it is, "odd\nname.html" would come back as a digest of name.html)
    digests, scans = hasher.finish()
    assert digests == {n: page_digest((site / n).read_bytes()) for n in ("a.html", "b.html", "c.html")}
    assert scans == {}  # no memo: nothing is scanned


def test_the_page_hasher_scans_the_pages_that_differ_from_the_memo(tmp_path: Path) -> None:
    """The link check looks at those pages; the helper has scanned them as they were written,
    and the check takes its scans: a broken link in one is still found."""
    from generator.checklinks import PageHasher, scan_html

    site, memo = write_site(tmp_path / "site", a=A, b=B, c=C), tmp_path / "links.sqlite3"
    check_site(site, memo=memo)
    (site / "c.html").write_text(C.replace("a.html", "nowhere.html"), "utf-8")
    (site / "d.html").write_text(B, "utf-8")  # new
    hasher = PageHasher(site, memo)
    hasher.add(["a.html", "b.html", "c.html", "d.html"])
    digests, scans = hasher.finish()
    assert sorted(scans) == ["c.html", "d.html"]
    assert scans["c.html"] == scan_html((site / "c.html").read_text("utf-8"))
    assert scans["c.html"].links == [("a", "nowhere.html", 1)]
    problems, _, checked = check_site(site, memo=memo, digests=digests, scans=scans)
    assert checked == 2
    assert messages(problems) == [
        "site/c.html:1:1: error: broken link 'nowhere.html': nowhere.html does not exist"
    ]
    # Under a language's folder, the memo's names carry its prefix.
    (site / "zh").mkdir()
    for name in ("a.html", "b.html"):
        (site / "zh" / name).write_bytes((site / name).read_bytes())
    prefixed = PageHasher(site / "zh", memo, "zh/")
    prefixed.add(["a.html", "b.html"])
    assert sorted(prefixed.finish()[1]) == ["a.html", "b.html"]  # not in the memo as zh/...
    unprefixed = PageHasher(site / "zh", memo, "")
    unprefixed.add(["a.html", "b.html"])
    assert unprefixed.finish()[1] == {}  # the same bytes as a.html and b.html in the memo


def test_a_failed_or_cancelled_page_hasher_gives_no_digests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without digests the link check reads every page itself, so a broken helper costs time,
    never a missed link."""
    import sys

    from generator import offload
    from generator.checklinks import PageHasher

    site = write_site(tmp_path / "site", a=A)
    monkeypatch.setattr(offload, "command", lambda *a: [sys.executable, "-c", "import sys; sys.exit(3)"])
    failing = PageHasher(site)
    failing.add(["a.html"])
    assert failing.finish() == ({}, {})
    monkeypatch.undo()
    cancelled = PageHasher(site)
    cancelled.add(["a.html"])
    cancelled.cancel()
    assert cancelled._process.returncode != 0  # killed: closing its input would end it with 0


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

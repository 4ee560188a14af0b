"""The parse cache: unchanged content files are read back as the documents they parsed to, a
changed file is parsed again, and files with problems are never kept; and the fingerprints that
let the page cache skip hashing model values: equal fingerprints, equal values."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from pathlib import Path

import pytest

from generator import validate
from generator.cache import _canonical
from generator.check import load_site
from generator.config import ProjectConfig
from generator.errors import Problem
from generator.link import LinkedSite
from generator.load import content_files
from generator.model import Library
from generator.parsecache import FORMAT, ParseCache

from .builtsite import copy_project

BRIEF = "content/knowledge/innovation-enabling-systems.md"


@pytest.fixture()
def project(tmp_path: Path) -> ProjectConfig:
    return copy_project(tmp_path / "project")


def cached_load(config: ProjectConfig, store: Path) -> tuple[ParseCache, LinkedSite, list[Problem]]:
    """What ``ksite build`` does: load through the cache, then save it."""
    cache = ParseCache.read(store)
    site, problems = load_site(config, cache)
    cache.save(store)
    return cache, site, problems


def test_unchanged_files_are_read_back_as_they_parsed(
    project: ProjectConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "parsed.sqlite3"
    fresh, fresh_problems = load_site(project)
    first, site, problems = cached_load(project, store)
    assert store.is_file() and all(entry is None for _, entry, _ in first.loaded.values())
    assert site.library == fresh.library and problems == fresh_problems == []
    # Read back: nothing parsed, no schema checked again, nothing to write, the same model.
    coerced: list[str] = []
    coerce = validate.coerce_by_schema
    monkeypatch.setattr(
        validate, "coerce_by_schema", lambda doc, schema: (coerced.append(doc.path), coerce(doc, schema))
    )
    again = ParseCache.read(store)
    site, problems = load_site(project, again)
    assert again.loaded and all(entry is not None for _, entry, _ in again.loaded.values())
    assert len(again.loaded) == len(list(content_files(project.content_dir)))
    assert coerced == [] and again.save(store) is False
    assert site.library == fresh.library and problems == []
    assert all(d.digest for d, _, _ in again.loaded.values())


def test_a_changed_file_is_parsed_again(project: ProjectConfig, tmp_path: Path) -> None:
    store = tmp_path / "parsed.sqlite3"
    cached_load(project, store)
    brief = project.root / BRIEF
    brief.write_text(brief.read_text("utf-8").replace("title: Putting", "title: Now putting"), "utf-8")
    cache, site, _ = cached_load(project, store)
    assert [shown for shown, (_, entry, _) in cache.loaded.items() if entry is None] == [BRIEF]
    assert site.library.products["innovation-enabling-systems"].title.startswith("Now putting")
    assert site.library == load_site(project)[0].library
    again, _, _ = cached_load(project, store)
    assert all(entry is not None for _, entry, _ in again.loaded.values())
    # Only the changed rows are written: what the store holds is what a first build writes.
    (project.root / "content" / "places" / "harbin.yaml").unlink()
    cached_load(project, store)
    fresh = tmp_path / "fresh.sqlite3"
    cached_load(project, fresh)
    assert ParseCache.read(store).entries == ParseCache.read(fresh).entries
    assert BRIEF in ParseCache.read(store).entries
    assert "content/places/harbin.yaml" not in ParseCache.read(store).entries


def test_files_with_problems_are_parsed_every_time(project: ProjectConfig, tmp_path: Path) -> None:
    store = tmp_path / "parsed.sqlite3"
    place = project.content_dir / "places" / "harbin.yaml"
    place.write_text(place.read_text("utf-8") + "kind: city\n", "utf-8")  # a duplicate key
    province = project.content_dir / "places" / "heilongjiang.yaml"
    province.write_text(province.read_text("utf-8").replace("kind: province", "kind: town"), "utf-8")
    for _ in range(2):
        cache, _, problems = cached_load(project, store)
        assert sorted({p.pos.path for p in problems}) == [
            "content/places/harbin.yaml",
            "content/places/heilongjiang.yaml",
        ]
        assert any("duplicate key" in p.message for p in problems)
        assert not {"content/places/harbin.yaml", "content/places/heilongjiang.yaml"} & set(cache.entries)


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a database", b"\xff" * 4096, None],
    ids=["empty", "text", "garbage", "other-version"],
)
def test_a_damaged_or_foreign_cache_counts_as_empty(
    project: ProjectConfig, tmp_path: Path, damage: bytes | None
) -> None:
    import sqlite3

    store = tmp_path / "parsed.sqlite3"
    cached_load(project, store)
    if damage is None:
        with contextlib.closing(sqlite3.connect(store)) as db, db:
            db.execute(
                "UPDATE meta SET value = ? WHERE name = 'format'", (FORMAT.replace("parsed", "parsed-old"),)
            )
    else:
        store.write_bytes(damage)
    assert ParseCache.read(store).entries == {}
    _, site, _ = cached_load(project, store)
    assert site.library == load_site(project)[0].library
    assert ParseCache.read(store).entries  # written afresh


def test_a_damaged_entry_is_parsed_again(project: ProjectConfig, tmp_path: Path) -> None:
    store = tmp_path / "parsed.sqlite3"
    cached_load(project, store)
    cache = ParseCache.read(store)
    digest, _ = cache.entries[BRIEF]
    cache.entries[BRIEF] = (digest, b"\x00broken")
    site, _ = load_site(project, cache)
    assert cache.loaded[BRIEF][1] is None  # parsed
    assert site.library == load_site(project)[0].library


def test_positions_of_a_cached_file_still_place_messages(project: ProjectConfig, tmp_path: Path) -> None:
    """Positions are decoded only when a message needs them, and are then the parsed ones."""
    store = tmp_path / "parsed.sqlite3"
    cached_load(project, store)
    (project.content_dir / "places" / "harbin.yaml").unlink()  # still named by unchanged files
    cache, _, cached = cached_load(project, store)
    fresh = load_site(project)[1]
    assert cached and [str(p) for p in cached] == [str(p) for p in fresh]
    assert all(p.pos.line > 1 for p in cached)
    named = {p.pos.path for p in cached}
    assert all(cache.loaded[path][1] is not None for path in named)  # read from the cache


# -- fingerprints ------------------------------------------------------------------------------

_EDITABLE = re.compile(r"^(\s*(?:title|name|summary|statement|text|en|zh): )([^{\[|>\s].*)$", re.MULTILINE)


def _edit(text: str) -> str | None:
    """The text with one visible value changed (quoted or plain), or None when it has none."""
    match = _EDITABLE.search(text)
    if match is None:
        return None
    value = match[2]
    changed = value[0] + "Edited " + value[1:] if value[0] in "'\"" else "Edited " + value
    return text[: match.start(2)] + changed + text[match.end(2) :]


def _values(library: Library) -> dict[str, object]:
    values: dict[str, object] = {}
    for kind in ("projects", "products", "places", "topics", "pages"):
        for key, value in getattr(library, kind).items():
            values[f"{kind}:{key}"] = value
    return values


def test_equal_fingerprints_mean_equal_values(project: ProjectConfig) -> None:
    """The page cache takes a value's fingerprint for the value. Edit each content file in turn:
    every value whose fingerprint stayed the same must be unchanged, and each edited file must
    change the fingerprint of what it made. A value that read a second file (say a product that
    copied its project's title) would fail here."""
    before = _values(load_site(project)[0].library)
    assert all(getattr(v, "fingerprint", "") for v in before.values())
    edited = 0
    for _, path in content_files(project.content_dir):
        original = path.read_text("utf-8")
        text = _edit(original)
        if text is None:
            continue
        path.write_text(text, "utf-8")
        try:
            site, problems = load_site(project)
        finally:
            path.write_text(original, "utf-8")
        assert problems == [], f"editing {path.name}: {problems}"
        after = _values(site.library)
        changed = {name for name, value in after.items() if _canonical(value) != _canonical(before[name])}
        assert changed, f"editing {path.name} changed no value"
        for name, value in after.items():
            same_print = value.fingerprint == before[name].fingerprint  # type: ignore[attr-defined]
            assert same_print == (name not in changed), f"{name} after editing {path.name}"
        edited += 1
    assert edited >= 10


def test_fingerprints_follow_file_names_and_settings(project: ProjectConfig) -> None:
    """The page shows where a record comes from, and the site's default language shapes every
    text: both are part of the fingerprint."""
    library = load_site(project)[0].library
    record = project.content_dir / "projects" / "54037-001.yaml"
    moved = record.with_name("54037-001-copy.yaml")
    record.rename(moved)
    try:
        renamed, _ = load_site(project)
    finally:
        moved.rename(record)
    before, after = library.projects["54037-001"], renamed.library.projects["54037-001"]
    assert before.origin.path != after.origin.path and before.fingerprint != after.fingerprint
    other = load_site(replace(project, languages=("zh", "en")))[0].library
    assert other.topics and all(
        other.topics[s].fingerprint != library.topics[s].fingerprint for s in library.topics
    )


def test_ksite_check_reads_what_a_build_kept_and_writes_nothing(
    project: ProjectConfig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """After `ksite build`, `ksite check` parses only files changed since; an error in such a
    file is still reported at its line, and the check leaves every file as it was."""
    import functools
    import hashlib

    from generator import load
    from generator.build import build
    from generator.cli import PARSE_CACHE, main
    from generator.mkdocs_plugin import build_into

    build(project, functools.partial(build_into, pdf=False), parse_cache=project.root / PARSE_CACHE)
    assert (project.root / PARSE_CACHE).is_file()
    place = project.content_dir / "places" / "heilongjiang.yaml"
    place.write_text(place.read_text("utf-8").replace("kind: province", "kind: town"), "utf-8")
    parsed: list[str] = []
    parse = load.parse_yaml_file
    monkeypatch.setattr(
        load, "parse_yaml_file", lambda text, shown, kind: (parsed.append(shown), parse(text, shown, kind))[1]
    )

    def tree() -> dict[str, str]:
        files = sorted(p for p in project.root.rglob("*") if p.is_file())
        return {p.as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

    before = tree()
    assert main(["-f", str(project.config_file), "check"]) == 1
    assert parsed == ["content/places/heilongjiang.yaml"]
    assert "content/places/heilongjiang.yaml:5:7: error:" in capsys.readouterr().err
    assert tree() == before
    parsed.clear()
    assert main(["-f", str(project.config_file), "check", "--no-cache"]) == 1
    yaml_files = [
        f"content/{p.relative_to(project.content_dir).as_posix()}"
        for _, p in content_files(project.content_dir)
        if p.suffix == ".yaml"
    ]
    assert sorted(parsed) == sorted(yaml_files) and len(parsed) > 1  # every YAML file again

"""What a build reads, as ``cache/inputs.py`` hashes it: a change anywhere MkDocs or ksite would
read must change the digest, or a build would wrongly say the site is up to date.
``test_incremental.py`` goes through the kinds of change with real builds; these are the ways
of naming folders that a digest of the obvious folders would miss."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.cache.inputs import inputs_digest
from generator.config import load_config

from .builtsite import copy_project


def test_a_theme_folder_set_in_the_inherited_file_is_read(tmp_path: Path) -> None:
    """MkDocs merges ``INHERIT``ed settings key by key: the child's ``theme:`` keeps the
    parent's ``custom_dir``."""
    config = copy_project(tmp_path / "p")
    (config.root / "base.yml").write_text("theme:\n  name: material\n  custom_dir: overrides\n", "utf-8")
    (config.root / "overrides").mkdir()
    (config.root / "overrides" / "main.html").write_text("one", "utf-8")
    text = config.config_file.read_text("utf-8")
    config.config_file.write_text("INHERIT: base.yml\n" + text, "utf-8")
    assert "theme:\n  name: material" in text  # the child has a theme of its own
    before = inputs_digest(config, "")
    (config.root / "overrides" / "main.html").write_text("two", "utf-8")
    assert inputs_digest(config, "") != before


def test_a_linked_folder_in_the_content_is_read(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "p")
    shared = tmp_path / "shared-media"
    shared.mkdir()
    (shared / "note.txt").write_text("one", "utf-8")
    os.symlink(shared, config.content_dir / "media", target_is_directory=True)
    before = inputs_digest(config, "")
    (shared / "note.txt").write_text("two", "utf-8")
    assert inputs_digest(config, "") != before


def test_a_folder_named_by_an_environment_variable_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = copy_project(tmp_path / "p")
    (config.root / "theme-a").mkdir()
    (config.root / "theme-a" / "main.html").write_text("one", "utf-8")
    text = config.config_file.read_text("utf-8").replace(
        "theme:\n  name: material",
        "theme:\n  custom_dir: !ENV [KSITE_TEST_THEME, nowhere]\n  name: material",
        1,
    )
    config.config_file.write_text(text, "utf-8")
    monkeypatch.setenv("KSITE_TEST_THEME", "theme-a")
    config = load_config(config.config_file)
    before = inputs_digest(config, "")
    (config.root / "theme-a" / "main.html").write_text("two", "utf-8")
    assert inputs_digest(config, "") != before


def test_plugins_given_as_a_mapping_are_known_or_not(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "p")
    text = config.config_file.read_text("utf-8")
    start = text.index("plugins:")
    end = text.index("\n\n", start)
    mapping = "plugins:\n  search: {}\n  ksite: {languages: [en, zh]}\n"
    config.config_file.write_text(text[:start] + mapping + text[end:], "utf-8")
    assert inputs_digest(config, "") is not None
    config.config_file.write_text(text[:start] + mapping + "  offline: {}\n" + text[end:], "utf-8")
    assert inputs_digest(config, "") is None

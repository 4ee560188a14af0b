"""What a page reads is recorded where it is read, and the same reads can be asked again of
another build's site (the page store's test of whether a kept page is still right)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from generator.check import load_site
from generator.link import link_library
from generator.reads import RecordingSite, answer

from .builtsite import copy_project


def test_lookups_are_recorded_and_answered_again(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "project")
    site, _ = load_site(config)
    view = RecordingSite(site)
    product = view.library.products["smes-and-green-industries"]
    count = len(view.library.projects)
    listed = view.products_by_topic.get("innovation", ())
    assert "nowhere" not in view.library.places
    related = view.related(product)
    newest = view.products_newest_first[:3]
    resolved = view.resolve("place", "harbin")
    assert view.reads == {
        ("item", "products", "smes-and-green-industries"),
        ("keys", "projects"),
        ("item", "products_by_topic", "innovation"),
        ("item", "places", "nowhere"),
        ("related", "smes-and-green-industries", 5),
        ("newest",),
        ("resolve", "place", "harbin"),
    }
    answers = {read: answer(site, read) for read in view.reads}
    assert answers[("item", "products", "smes-and-green-industries")] is product
    assert answers[("keys", "projects")] == tuple(site.library.projects) and count == 1
    assert answers[("item", "products_by_topic", "innovation")] == listed
    assert answers[("item", "places", "nowhere")] is None
    assert answers[("related", "smes-and-green-industries", 5)] == tuple(related)
    assert answers[("newest",)][:3] == newest
    assert answers[("resolve", "place", "harbin")] == resolved


def test_iterating_a_collection_reads_its_keys_and_each_item(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "project")
    site, _ = load_site(config)
    view = RecordingSite(site)
    titles = [p.title for p in view.library.products.values()]
    assert len(titles) == len(site.library.products)
    assert ("keys", "products") in view.reads
    assert {r for r in view.reads if r[0] == "item"} == {
        ("item", "products", i) for i in site.library.products
    }


def test_an_answer_changes_exactly_when_what_was_read_changes(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "project")
    site, _ = load_site(config)
    products = dict(site.library.products)
    gone = products.pop("ta-overview-presentation")
    smaller, _ = link_library(replace(site.library, products=products))
    assert answer(smaller, ("keys", "products")) != answer(site, ("keys", "products"))
    assert answer(smaller, ("item", "products", gone.id)) is None
    assert answer(smaller, ("item", "places", "harbin")) == answer(site, ("item", "places", "harbin"))

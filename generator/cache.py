"""Incremental builds: a rendered page is reused when nothing it is made from has changed.

A page's key is a hash of what it reads: the documents it shows (as their frozen model values),
the templates it is rendered with (and those they import), the language's interface catalogue,
the site settings and ksite's version. So a one-brief change re-renders that brief and the
pages that list it, a template change re-renders every page using that template, and deleting
the cache gives the same site byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment

from . import __version__
from .link import LinkedSite
from .markdown import Heading
from .render import RenderedPage

_REFERENCES = re.compile(r"""{%-?\s*(?:import|include|extends|from)\s+["']([^"']+)["']""")


def template_digest(env: Environment, name: str) -> str:
    """Hash of a template's source and of every template it imports, includes or extends."""
    seen: set[str] = set()
    digest = hashlib.sha256()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen or env.loader is None:
            continue
        seen.add(current)
        source, _, _ = env.loader.get_source(env, current)
        digest.update(current.encode() + b"\0" + source.encode())
        pending.extend(_REFERENCES.findall(source))
    return digest.hexdigest()


def dependencies(site: LinkedSite, kind: str, key: str) -> Iterator[object]:
    """The model values a page of ``kind`` shows; their ``repr`` is stable and complete."""
    lib = site.library
    if kind == "home":
        yield from (lib.projects[n] for n in sorted(lib.projects))
        yield from (lib.products[i] for i in site.products_newest_first[:6])
        yield lib.pages.get("index")
    elif kind == "projects":
        yield from (lib.projects[n] for n in sorted(lib.projects))
    elif kind == "project":
        project = lib.projects[key]
        yield project
        yield from (lib.products[i] for i in site.products_by_project.get(key, ()))
        yield from (lib.places[s] for s in project.places)
        yield from (lib.topics[s] for s in project.topics)
    elif kind == "output":
        number, output = key.split("/")
        yield lib.projects[number]
        yield from (lib.products[i] for i in site.products_by_output.get((number, int(output)), ()))
    elif kind == "knowledge":
        yield from (lib.products[i] for i in site.products_newest_first)
        yield from (lib.projects[n] for n in sorted(lib.projects))
        yield from (lib.places[s] for s in sorted(lib.places))
        yield from (lib.topics[s] for s in sorted(lib.topics))
    elif kind == "product":
        product = lib.products[key]
        yield product
        if product.project:
            yield lib.projects.get(product.project)
        yield from (lib.places[s] for s in product.places)
        yield from (lib.topics[s] for s in product.topics)
        yield from (lib.products[i] for i in site.related(product))
    elif kind in ("places", "topics"):
        yield from sorted((lib.places if kind == "places" else lib.topics).items())
    elif kind == "place":
        place = lib.places[key]
        yield place
        if place.parent:
            yield lib.places.get(place.parent)
        yield from (lib.projects[n] for n in site.projects_by_place.get(key, ()))
        yield from (lib.products[i] for i in site.products_by_place.get(key, ()))
    elif kind == "topic":
        yield lib.topics[key]
        yield from (lib.projects[n] for n in site.projects_by_topic.get(key, ()))
        yield from (lib.products[i] for i in site.products_by_topic.get(key, ()))
    elif kind == "page":
        yield lib.pages[key]
    else:  # a page kind this module does not know: never reuse it
        yield object()


@dataclass
class PageCache:
    """Rendered pages on disk under ``directory``, keyed by the hash of their inputs."""

    directory: Path | None
    salt: str
    """Hash of what every page of a language depends on (catalogue, settings, ksite version)."""
    rendered: list[str] = field(default_factory=list)
    """``lang:url`` of pages rendered in this run (cache misses), for the build report."""
    reused: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def key(self, kind: str, page_key: str, template: str, parts: Iterable[object], extra: str = "") -> str:
        digest = hashlib.sha256(
            f"{__version__}\0{self.salt}\0{kind}\0{page_key}\0{template}\0{extra}".encode()
        )
        for part in parts:
            digest.update(repr(part).encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, key: str) -> RenderedPage | None:
        if self.directory is None:
            return None
        path = self.directory / key[:2] / f"{key}.json"
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        self.used.add(key)
        return _page_from_json(data)

    def put(self, key: str, page: RenderedPage) -> None:
        if self.directory is None:
            return
        path = self.directory / key[:2] / f"{key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(page), ensure_ascii=False), "utf-8")
        tmp.replace(path)
        self.used.add(key)


def _page_from_json(data: dict[str, Any]) -> RenderedPage:
    data["toc"] = tuple(Heading(**h) for h in data["toc"])
    data["alternates"] = tuple(tuple(a) for a in data["alternates"])
    return RenderedPage(**data)


def prune(directory: Path, used: set[str]) -> int:
    """Remove cache entries no page of the last build used; returns how many."""
    removed = 0
    if not directory.is_dir():
        return 0
    for path in directory.glob("*/*.json"):
        if path.stem not in used:
            path.unlink()
            removed += 1
    return removed

"""What a page reads of the site, recorded where it is read.

A page's view builders see the linked site through a :class:`RecordingSite`, which notes each
lookup as a :data:`Read`: an item of the library or of an index, the keys of a collection, the
products newest first, a related list, a resolved reference. :func:`answer` gives the answer to
a read from any :class:`~generator.link.LinkedSite`, and the recorder answers with it too, so a
cache can ask the same questions of the next build's site and know, without rendering, whether
the page would come out the same (Sphinx records a document's dependencies the same way, as
they are read). Nothing here knows about caches: it costs a set insertion per lookup.
"""

from __future__ import annotations

from collections.abc import Iterator, KeysView, Mapping, Sequence
from typing import Any, Protocol

from .link import LinkedSite
from .model import KnowledgeProduct, Page, Place, ProjectRecord, Topic

Read = tuple[Any, ...]
"""One lookup: ``("item", collection, key)``, ``("keys", collection)``, ``("newest",)``,
``("related", product_id, limit)`` or ``("resolve", scheme, target)``."""

LIBRARY = ("projects", "products", "places", "topics", "pages")
"""The library's collections, by attribute name."""
INDEXES = (
    "products_by_project",
    "products_by_output",
    "products_by_place",
    "products_by_topic",
    "projects_by_place",
    "projects_by_topic",
)
"""The linked site's indexes, by attribute name."""
_MISSING = object()


def _collection(site: LinkedSite, name: str) -> Mapping[Any, Any]:
    owner: Any = site.library if name in LIBRARY else site
    collection: Mapping[Any, Any] = getattr(owner, name)
    return collection


def answer(site: LinkedSite, read: Read) -> object:
    """What ``read`` finds in ``site``: the same call answers the page being rendered and,
    later, a cache checking the page against another build's site."""
    what = read[0]
    if what == "item":
        return _collection(site, read[1]).get(read[2])
    if what == "keys":
        return tuple(_collection(site, read[1]))
    if what == "newest":
        return site.products_newest_first
    if what == "related":
        product = site.library.products.get(read[1])
        return None if product is None else tuple(site.related(product, read[2]))
    if what == "resolve":
        return site.resolve(read[1], read[2])
    raise ValueError(f"unknown read {read!r}")


class SiteView(Protocol):
    """What view builders may read of the site: a :class:`LinkedSite` or a recording of one."""

    @property
    def library(self) -> LibraryView: ...
    @property
    def products_by_project(self) -> Mapping[str, tuple[str, ...]]: ...
    @property
    def products_by_output(self) -> Mapping[tuple[str, int], tuple[str, ...]]: ...
    @property
    def products_by_place(self) -> Mapping[str, tuple[str, ...]]: ...
    @property
    def products_by_topic(self) -> Mapping[str, tuple[str, ...]]: ...
    @property
    def projects_by_place(self) -> Mapping[str, tuple[str, ...]]: ...
    @property
    def projects_by_topic(self) -> Mapping[str, tuple[str, ...]]: ...
    @property
    def products_newest_first(self) -> Sequence[str]: ...
    def related(self, product: KnowledgeProduct, limit: int = 5) -> list[str]: ...
    def resolve(self, scheme: str, target: str) -> str | None: ...


class LibraryView(Protocol):
    @property
    def projects(self) -> Mapping[str, ProjectRecord]: ...
    @property
    def products(self) -> Mapping[str, KnowledgeProduct]: ...
    @property
    def places(self) -> Mapping[str, Place]: ...
    @property
    def topics(self) -> Mapping[str, Topic]: ...
    @property
    def pages(self) -> Mapping[str, Page]: ...


class _RecordingMapping(Mapping[Any, Any]):
    """A collection of the site that notes each key looked up, and the key set when iterated."""

    def __init__(self, site: LinkedSite, name: str, reads: set[Read]) -> None:
        self._site, self._name, self._reads = site, name, reads
        self._inner = _collection(site, name)

    def __getitem__(self, key: Any) -> Any:
        self._reads.add(("item", self._name, key))
        value = self._inner.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        self._reads.add(("item", self._name, key))
        return self._inner.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._reads.add(("item", self._name, key))
        return key in self._inner

    def __iter__(self) -> Iterator[Any]:
        self._reads.add(("keys", self._name))
        return iter(self._inner)

    def __len__(self) -> int:
        self._reads.add(("keys", self._name))
        return len(self._inner)

    def keys(self) -> KeysView[Any]:
        self._reads.add(("keys", self._name))
        return self._inner.keys()


class _RecordingLibrary:
    def __init__(self, site: LinkedSite, reads: set[Read]) -> None:
        self.projects: Mapping[str, ProjectRecord] = _RecordingMapping(site, "projects", reads)
        self.products: Mapping[str, KnowledgeProduct] = _RecordingMapping(site, "products", reads)
        self.places: Mapping[str, Place] = _RecordingMapping(site, "places", reads)
        self.topics: Mapping[str, Topic] = _RecordingMapping(site, "topics", reads)
        self.pages: Mapping[str, Page] = _RecordingMapping(site, "pages", reads)


class RecordingSite:
    """The site as one page's builders see it; every lookup is added to ``reads``.

    Iterating a collection's values reads its keys and each item, so a page that counts the
    products depends on which products exist, and one that lists them on each of them.
    """

    def __init__(self, site: LinkedSite, reads: set[Read] | None = None) -> None:
        self.site = site
        self.reads: set[Read] = set() if reads is None else reads
        self.library: _RecordingLibrary = _RecordingLibrary(site, self.reads)
        self.products_by_project: Mapping[str, tuple[str, ...]] = _RecordingMapping(
            site, "products_by_project", self.reads
        )
        self.products_by_output: Mapping[tuple[str, int], tuple[str, ...]] = _RecordingMapping(
            site, "products_by_output", self.reads
        )
        self.products_by_place: Mapping[str, tuple[str, ...]] = _RecordingMapping(
            site, "products_by_place", self.reads
        )
        self.products_by_topic: Mapping[str, tuple[str, ...]] = _RecordingMapping(
            site, "products_by_topic", self.reads
        )
        self.projects_by_place: Mapping[str, tuple[str, ...]] = _RecordingMapping(
            site, "projects_by_place", self.reads
        )
        self.projects_by_topic: Mapping[str, tuple[str, ...]] = _RecordingMapping(
            site, "projects_by_topic", self.reads
        )

    @property
    def products_newest_first(self) -> Sequence[str]:
        self.reads.add(("newest",))
        return self.site.products_newest_first

    def related(self, product: KnowledgeProduct, limit: int = 5) -> list[str]:
        self.reads.add(("related", product.id, limit))
        return self.site.related(product, limit)

    def resolve(self, scheme: str, target: str) -> str | None:
        self.reads.add(("resolve", scheme, target))
        return self.site.resolve(scheme, target)


def read_whole_library(view: SiteView) -> LinkedSite:
    """Note every project, product, place and topic as read by the page being rendered (the
    data page, whose file sizes depend on all of them), and give the site behind ``view`` to
    read them from without noting each lookup again."""
    library = view.library
    for collection in (library.projects, library.products, library.places, library.topics):
        for key in collection:
            collection[key]
    if isinstance(view, RecordingSite):
        return view.site
    assert isinstance(view, LinkedSite)
    return view

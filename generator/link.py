"""Link stage: cross-references, URLs and taxonomies over the validated library.

Every reference (a product's project, outputs, places and topics; a record's places and
topics; a place's parent; ``project:``/``knowledge:`` links inside Markdown) must name
something that exists, or it is an error at its line. The result, :class:`LinkedSite`,
answers the render stage's questions (what lists this product, what is related) from
indexes built once.
"""

from __future__ import annotations

import heapq
import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .errors import Problem, error
from .model import KnowledgeProduct, Library, Markdown, Origin, ProjectRecord, Text, Where
from .pagekinds import page_url
from .references import reference_candidates

PRODUCT_ORDER = "newest first"


def relative_url(target: str, current: str, index_file: str = "") -> str:
    """A relative link from one directory-style page URL to another.

    With ``index_file`` (``index.html``) a link to a page names the file, so it also works
    when the site is opened from disk, where a browser shows a folder listing for ``x/``.
    """
    target_dir, _, fragment = target.partition("#")
    rel = posixpath.relpath("/" + target_dir, "/" + current)
    if rel == ".":
        rel = "./"
    elif target_dir.endswith("/") or target_dir == "":
        rel += "/"
    if target_dir.endswith("/") and rel != "./":
        rel = rel.rstrip("/") + "/"
    if index_file and rel.endswith("/"):
        rel = index_file if rel == "./" else rel + index_file
    return rel + (f"#{fragment}" if fragment else "")


@dataclass(frozen=True)
class LinkedSite:
    """The library plus the indexes that pages need."""

    library: Library
    products_by_project: Mapping[str, tuple[str, ...]]
    products_by_output: Mapping[tuple[str, int], tuple[str, ...]]
    products_by_place: Mapping[str, tuple[str, ...]]
    products_by_topic: Mapping[str, tuple[str, ...]]
    projects_by_place: Mapping[str, tuple[str, ...]]
    projects_by_topic: Mapping[str, tuple[str, ...]]
    products_newest_first: tuple[str, ...]
    _related: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    """Memo of :meth:`related` (several pages of a build ask for the same product's list)."""
    _rank: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def resolve(self, scheme: str, target: str) -> str | None:
        """Site-relative URL of a Markdown reference, or None if it names nothing."""
        lib = self.library
        if scheme == "project":
            number, _, rest = target.partition("/")
            project = lib.projects.get(number)
            if project is None:
                return None
            if not rest:
                return page_url("project", number)
            parts = rest.split("/")
            is_output = len(parts) == 2 and parts[0] == "outputs" and parts[1].isdigit()
            if is_output and project.output(int(parts[1])) is not None:
                return page_url("output", f"{number}/{parts[1]}")
            return None
        if scheme == "knowledge":
            return page_url("product", target) if target in lib.products else None
        if scheme == "place":
            return page_url("place", target) if target in lib.places else None
        if scheme == "topic":
            return page_url("topic", target) if target in lib.topics else None
        return None

    def related(self, product: KnowledgeProduct, limit: int = 5) -> list[str]:
        """Products sharing an output, place or topic, the closest first, then newest."""
        memo_key = (product.id, limit)
        if memo_key in self._related:
            return list(self._related[memo_key])
        if not self._rank:
            self._rank.update((pid, i) for i, pid in enumerate(self.products_newest_first))
        # Counter.update counts a whole index in C; weights are repeated updates.
        scores: Counter[str] = Counter()
        if product.project:
            for number in product.outputs:
                group = self.products_by_output.get((product.project, number), ())
                for _ in range(3):
                    scores.update(group)
        for slug in product.places:
            group = self.products_by_place.get(slug, ())
            scores.update(group)
            scores.update(group)
        for slug in product.topics:
            scores.update(self.products_by_topic.get(slug, ()))
        scores.pop(product.id, None)
        # The highest scores first, each score's products newest first; products share topics
        # widely, so only the few levels needed are sorted, never all candidates.
        best: list[str] = []
        for score in range(max(scores.values(), default=0), 0, -1):
            level = [other for other, value in scores.items() if value == score]
            best += heapq.nsmallest(limit - len(best), level, key=self._rank.__getitem__)
            if len(best) >= limit:
                break
        self._related[memo_key] = tuple(best)
        return best


def _newest_key(product: KnowledgeProduct) -> tuple[str, str]:
    # Sort keys for "newest first": invert the date so ties fall back to the id, ascending.
    inverted = "".join(chr(0x7F - ord(c)) if c.isdigit() else c for c in product.date)
    return inverted, product.id


def link_library(library: Library) -> tuple[LinkedSite, list[Problem]]:
    """Check every reference and build the indexes."""
    problems: list[Problem] = []
    by_project: dict[str, list[str]] = defaultdict(list)
    by_output: dict[tuple[str, int], list[str]] = defaultdict(list)
    by_place: dict[str, list[str]] = defaultdict(list)
    by_topic: dict[str, list[str]] = defaultdict(list)
    projects_by_place: dict[str, list[str]] = defaultdict(list)
    projects_by_topic: dict[str, list[str]] = defaultdict(list)

    products = sorted(library.products.values(), key=_newest_key)
    for product in products:
        problems.extend(_check_product(product, library))
        if product.project:
            by_project[product.project].append(product.id)
            for number in product.outputs:
                by_output[(product.project, number)].append(product.id)
        for slug in product.places:
            by_place[slug].append(product.id)
        for slug in product.topics:
            by_topic[slug].append(product.id)
    for project in sorted(library.projects.values(), key=lambda p: p.number):
        problems.extend(_check_tags(project.origin, "places", project.places, library.places, library))
        problems.extend(_check_tags(project.origin, "topics", project.topics, library.topics, library))
        _check_outputs(project, problems)
        for slug in project.places:
            projects_by_place[slug].append(project.number)
        for slug in project.topics:
            projects_by_topic[slug].append(project.number)
    for place in library.places.values():
        if (
            place.parent
            and place.parent not in library.places
            and place.parent not in library.failed.get("place", ())
        ):
            problems.append(
                _unknown(place.origin, ("parent",), "place", place.parent, "content/places/<slug>.yaml")
            )

    site = LinkedSite(
        library=library,
        products_by_project=_freeze(by_project),
        products_by_output=_freeze(by_output),
        products_by_place=_freeze(by_place),
        products_by_topic=_freeze(by_topic),
        projects_by_place=_freeze(projects_by_place),
        projects_by_topic=_freeze(projects_by_topic),
        products_newest_first=tuple(p.id for p in products),
    )

    def fine(scheme: str, target: str) -> bool:
        return site.resolve(scheme, target) is not None or _names_failed(library, scheme, target)

    for text in _all_markdown(library):
        candidates = reference_candidates(text.source)
        if candidates is not None and all(fine(scheme, target) for scheme, target in candidates):
            continue  # every reference is valid: no need to parse for positions
        from .markdown import find_references  # the parser, only for texts that need it

        markdown = text if isinstance(text, Markdown) else text.markdown()
        for ref in find_references(markdown.source, markdown.first_line, markdown.indent):
            if not fine(ref.scheme, ref.target):
                problems.append(
                    error(
                        markdown.path,
                        ref.line,
                        ref.column,
                        _dangling_message(ref.scheme, ref.target, library),
                    )
                )
    return site, problems


def _dangling_message(scheme: str, target: str, library: Library) -> str:
    number, _, rest = target.partition("/")
    project = library.projects.get(number) if scheme == "project" else None
    if project is not None and rest:
        # The project exists, so the part after it is what is wrong; say which outputs there are.
        known = ", ".join(str(o.number) for o in project.outputs) or "none"
        output = rest.removeprefix("outputs/")
        if rest.startswith("outputs/") and output.isdigit():
            return (
                f"link to {scheme}:{target}, which does not exist; project {number} has no output "
                f"{output} (its outputs: {known})"
            )
        return (
            f"link to {scheme}:{target}, which does not exist; after the project number only "
            f"/outputs/<number> may follow (its outputs: {known})"
        )
    what = {"project": "project number", "knowledge": "knowledge product id"}.get(scheme, f"{scheme} slug")
    return f"link to {scheme}:{target}, which does not exist; check the {what}"


def _names_failed(library: Library, scheme: str, target: str) -> bool:
    """True when a reference names a document that failed to load or validate (its own errors
    say why; the reference is not reported again)."""
    kind = {"project": "project", "knowledge": "knowledge", "place": "place"}.get(scheme)
    if kind is None:
        return "topics" in library.failed
    return target.split("/", 1)[0] in library.failed.get(kind, frozenset())


def _freeze(index: Mapping[str, list[str]] | Mapping[tuple[str, int], list[str]]) -> dict:  # type: ignore[type-arg]
    return {key: tuple(values) for key, values in index.items()}


def _unknown(origin: Origin, where: tuple[str | int, ...], what: str, value: str, hint: str) -> Problem:
    pos = origin.at(*where)
    return Problem(pos, f"unknown {what} '{value}'; it must exist as {hint}")


def _check_tags(
    origin: Origin, field: str, values: tuple[str, ...], known: Mapping[str, object], library: Library
) -> Iterator[Problem]:
    hint = "content/places/<slug>.yaml" if field == "places" else "an entry of content/topics.yaml"
    failed = library.failed.get("place", frozenset()) if field == "places" else frozenset()
    if field == "topics" and "topics" in library.failed:
        return  # topics.yaml itself is invalid; its errors say why
    for i, value in enumerate(values):
        if value not in known and value not in failed:
            yield _unknown(origin, (field, i), field[:-1], value, hint)


def check_attachments(library: Library, media_dir: Path) -> Iterator[Problem]:
    """Every attachment a product names must exist under ``content/media/``."""
    for product in library.products.values():
        for i, attachment in enumerate(product.attachments):
            if not (media_dir / attachment.file).is_file():
                yield Problem(
                    product.origin.at("attachments", i, "file"),
                    f"attachment '{attachment.file}' is not in {media_dir.name}/; add the file there "
                    "or fix the name",
                )


def _check_product(product: KnowledgeProduct, library: Library) -> Iterator[Problem]:
    yield from _check_tags(product.origin, "places", product.places, library.places, library)
    yield from _check_tags(product.origin, "topics", product.topics, library.topics, library)
    project = library.projects.get(product.project) if product.project else None
    if product.project and project is None and product.project not in library.failed.get("project", ()):
        yield _unknown(
            product.origin, ("project",), "project", product.project, "content/projects/<number>.yaml"
        )
    if product.outputs and not product.project:
        yield Problem(
            product.origin.at("outputs"), "outputs are given but no project; add the project they belong to"
        )
    if project is not None:
        for i, number in enumerate(product.outputs):
            if project.output(number) is None:
                known = ", ".join(str(o.number) for o in project.outputs) or "none"
                yield Problem(
                    product.origin.at("outputs", i),
                    f"project {project.number} has no output {number} (its outputs: {known})",
                )


def _check_outputs(project: ProjectRecord, problems: list[Problem]) -> None:
    """A repeated output number is an error at every place it is used."""
    places: dict[int, list[int]] = defaultdict(list)
    for i, output in enumerate(project.outputs):
        places[output.number].append(i)
    for number, indexes in places.items():
        if len(indexes) < 2:
            continue
        positions = [project.origin.at("outputs", i, "number") for i in indexes]
        for pos in positions:
            others = ", ".join(str(p.line) for p in positions if p != pos)
            problems.append(
                Problem(
                    pos,
                    f"output number {number} is used more than once in this project (also at line {others}); "
                    "number outputs 1, 2, 3...",
                )
            )


class _FieldText(NamedTuple):
    """A Markdown text of a record field, located only when a problem must be shown (finding
    the position reads the record's table of positions). A named tuple: one is made for each
    of the 18,000 texts of a 1,000-record site, and almost none is ever located."""

    source: str
    origin: Origin
    where: Where

    def markdown(self) -> Markdown:
        pos = self.origin.at(*self.where)
        # Exact for block scalars (every line is indented alike) and one-line values.
        return Markdown(self.source, self.origin.path, pos.line, pos.column - 1)


def _all_markdown(library: Library) -> Iterator[Markdown | _FieldText]:
    for product in library.products.values():
        yield product.body
        for translation in product.translations.values():
            yield translation.body
    for page in library.pages.values():
        yield page.body
    records: list[tuple[Origin, Iterator[tuple[Where, Text]]]] = [
        (project.origin, _project_texts(project)) for project in library.projects.values()
    ]
    records += [(place.origin, _described(place.description)) for place in library.places.values()]
    records += [(topic.origin, _described(topic.description)) for topic in library.topics.values()]
    for origin, texts in records:
        for where, text in texts:
            for lang, source in text.by_lang.items():
                yield _FieldText(source, origin, (*where, lang))


def _described(description: Text | None) -> Iterator[tuple[Where, Text]]:
    if description is not None:
        yield ("description",), description


def _project_texts(project: ProjectRecord) -> Iterator[tuple[Where, Text]]:
    """Every Markdown text of a record (the ones the pages render) with its field path."""
    for name in ("description", "rationale", "location"):
        value = getattr(project, name)
        if isinstance(value, Text):
            yield (name,), value
    for name in ("impact", "outcome"):
        for i, value in enumerate(getattr(project, name)):
            yield (name, i), value
    for i, output in enumerate(project.outputs):
        yield ("outputs", i, "statement"), output.statement
        for j, indicator in enumerate(output.indicators):
            for key in ("text", "baseline", "target", "status"):
                value = getattr(indicator, key)
                if value is not None:
                    yield ("outputs", i, "indicators", j, key), value
    for section_name in ("safeguards", "consultation", "business_opportunities"):
        section: Mapping[str, Text | None] = getattr(project, section_name)
        for key, value in section.items():
            if value is not None:
                yield (section_name, key), value

"""The validated content model: immutable values that every later stage reads.

Built once by :mod:`generator.validate`; never mutated afterwards, so the link and render
stages can share it freely. It holds content only: what is kept between builds is the cache's
business (:mod:`generator.cache`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import SourcePos

Where = tuple[str | int, ...]


@dataclass(frozen=True)
class Origin:
    """Where a document came from, with the position of each of its fields."""

    path: str
    positions: Mapping[Where, tuple[int, int]] = field(default_factory=dict, compare=False)

    def at(self, *where: str | int) -> SourcePos:
        """Position of a field (or its nearest known parent)."""
        probe: Where = tuple(where)
        while probe:
            if probe in self.positions:
                line, col = self.positions[probe]
                return SourcePos(self.path, line, col)
            probe = probe[:-1]
        line, col = self.positions.get((), (1, 1))
        return SourcePos(self.path, line, col)


@dataclass(frozen=True)
class Text:
    """A text field in one or more languages; ``default`` is the language of a plain string."""

    by_lang: Mapping[str, str]
    default: str

    def pick(self, lang: str) -> tuple[str, str]:
        """The text for ``lang`` and the language it is really in (the original when untranslated)."""
        if lang in self.by_lang:
            return self.by_lang[lang], lang
        if self.default in self.by_lang:
            return self.by_lang[self.default], self.default
        first = next(iter(self.by_lang))
        return self.by_lang[first], first

    def has(self, lang: str) -> bool:
        return lang in self.by_lang

    @property
    def original(self) -> str:
        return self.pick(self.default)[0]


@dataclass(frozen=True)
class Indicator:
    text: Text
    baseline: Text | None = None
    target: Text | None = None
    status: Text | None = None


@dataclass(frozen=True)
class Output:
    """One output of a project: the numbered statement of what the project delivers."""

    number: int
    statement: Text
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class FundingSource:
    name: str
    amount: float | None = None
    """Whole units of ``currency``."""
    currency: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Funding:
    """One instrument (a TA, loan or grant) and the sources that fund it."""

    instrument: str | None = None
    approval_number: str | None = None
    title: str | None = None
    status: str | None = None
    sources: tuple[FundingSource, ...] = ()


@dataclass(frozen=True)
class Sector:
    sector: str
    subsectors: tuple[str, ...] = ()
    share: float | None = None
    """Per cent of the project in this sector, set by editors; None where not given."""


@dataclass(frozen=True)
class Agency:
    name: str
    address: str | None = None


@dataclass(frozen=True)
class DateRange:
    start: str
    end: str | None = None


@dataclass(frozen=True)
class ProjectRecord:
    """A project data sheet. ``None`` means the sheet shows the field empty; whether a field
    was present at all is in ``present`` (dotted paths), so pages can tell the two apart."""

    number: str
    title: Text
    language: str
    origin: Origin
    countries: tuple[str, ...] = ()
    status: str | None = None
    modalities: tuple[str, ...] = ()
    funding: tuple[Funding, ...] = ()
    strategic_agendas: tuple[str, ...] = ()
    drivers_of_change: tuple[str, ...] = ()
    operational_priorities: tuple[str, ...] = ()
    sectors: tuple[Sector, ...] = ()
    gender: str | None = None
    description: Text | None = None
    rationale: Text | None = None
    impact: tuple[Text, ...] = ()
    outcome: tuple[Text, ...] = ()
    outputs: tuple[Output, ...] = ()
    location: Text | None = None
    places: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    safeguard_categories: Mapping[str, str | None] = field(default_factory=dict)
    safeguards: Mapping[str, Text | None] = field(default_factory=dict)
    """summary, environmental_aspects, involuntary_resettlement, indigenous_peoples."""
    consultation: Mapping[str, Text | None] = field(default_factory=dict)
    business_opportunities: Mapping[str, Text | None] = field(default_factory=dict)
    officer: Mapping[str, str | None] = field(default_factory=dict)
    executing_agencies: tuple[Agency, ...] = ()
    timetable: Mapping[str, str | DateRange | None] = field(default_factory=dict)
    links: Mapping[str, str] = field(default_factory=dict)
    source: Mapping[str, object] = field(default_factory=dict)
    extra: Mapping[str, str | None] = field(default_factory=dict)
    present: frozenset[str] = frozenset()

    def output(self, number: int) -> Output | None:
        return next((o for o in self.outputs if o.number == number), None)


@dataclass(frozen=True)
class Markdown:
    """Markdown source with the file line its first line sits on (for error positions)."""

    source: str
    path: str
    first_line: int
    indent: int = 0
    """Columns before the text on each line (a YAML block scalar's indentation)."""


@dataclass(frozen=True)
class Author:
    """A product's author. Only a name the record splits into ``family`` and ``given`` is a
    person to citations ("Family, Given", initials); any other name is cited whole, as written,
    which keeps organisations and Chinese names (李世民) from being cut into initials."""

    name: str
    """As shown on the page."""
    family: str | None = None
    given: str | None = None

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Translation:
    """A knowledge product in another language: ``<id>.<lang>.md`` beside the original."""

    lang: str
    title: str
    summary: str | None
    authors: tuple[Author, ...]
    body: Markdown
    origin: Origin
    translated_from: str | None = None
    machine_translated: bool = False


@dataclass(frozen=True)
class Attachment:
    title: str
    file: str


@dataclass(frozen=True)
class KnowledgeProduct:
    """A research brief, policy note, report, event, dataset or presentation."""

    id: str
    type: str
    title: str
    date: str
    language: str
    body: Markdown
    origin: Origin
    summary: str | None = None
    authors: tuple[Author, ...] = ()
    number: str | None = None
    """The publisher's report or series number, if any."""
    project: str | None = None
    outputs: tuple[int, ...] = ()
    places: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    example: bool = False
    machine_translated: bool = False
    attachments: tuple[Attachment, ...] = ()
    translations: Mapping[str, Translation] = field(default_factory=dict)
    updated: str = ""
    """Date of the last substantive revision (the publication date when never revised)."""

    @property
    def year(self) -> str:
        return self.date[:4]


@dataclass(frozen=True)
class Place:
    slug: str
    name: Text
    kind: str
    origin: Origin
    parent: str | None = None
    description: Text | None = None


@dataclass(frozen=True)
class Topic:
    slug: str
    name: Text
    origin: Origin
    description: Text | None = None


@dataclass(frozen=True)
class Page:
    """A free Markdown page from ``content/pages/`` (the home page's text, "about")."""

    slug: str
    title: str
    body: Markdown
    origin: Origin
    translations: Mapping[str, tuple[str, Markdown]] = field(default_factory=dict)


@dataclass(frozen=True)
class Library:
    """Everything the content holds, validated; the input of the link stage."""

    projects: Mapping[str, ProjectRecord]
    products: Mapping[str, KnowledgeProduct]
    places: Mapping[str, Place]
    topics: Mapping[str, Topic]
    pages: Mapping[str, Page] = field(default_factory=dict)
    failed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Kind -> names (file stems) of documents that failed validation: references to them are
    not reported again as unknown, so one mistake gives one error."""

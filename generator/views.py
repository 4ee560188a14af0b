"""View models: what a template sees of a record, product, place or topic on one page.

Templates never touch the model or raw dicts. A view holds text already in the page's
language (with a flag where it fell back to the original), HTML already rendered from
Markdown, dates and amounts already formatted, and URLs already relative to the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from .i18n import Catalogue
from .link import relative_url
from .markdown import plain_text, render, render_inline
from .model import DateRange, KnowledgeProduct, ProjectRecord, Text
from .pagekinds import page_url
from .reads import SiteView

CURRENCY_SYMBOLS = {"USD": "US$", "CNY": "CN¥", "EUR": "€", "JPY": "¥", "GBP": "£"}


@dataclass(frozen=True)
class Localized:
    """Text in the page's language, or in its original language with ``fallback`` set."""

    html: Markup
    lang: str
    fallback: bool
    plain: str = ""


@dataclass(frozen=True)
class LinkView:
    title: str
    url: str
    lang: str = ""


@dataclass(frozen=True)
class Row:
    """A labelled value of the data sheet; ``value`` None shows as empty in the source."""

    label: str
    value: Markup | Localized | None
    key: str = ""


@dataclass(frozen=True)
class FundingRowView:
    instrument: str
    approval_number: str
    title: str
    status: str
    source: str
    amount: str
    kind: str


@dataclass(frozen=True)
class ProductCard:
    id: str
    url: str
    title: str
    title_lang: str
    type: str
    type_label: str
    date: str
    date_text: str
    summary: str
    example: bool


@dataclass(frozen=True)
class OutputView:
    number: int
    url: str
    statement: Localized
    indicators: tuple[tuple[Localized, Localized | None, Localized | None, Localized | None], ...]
    products: tuple[ProductCard, ...] = ()


@dataclass(frozen=True)
class BriefMeta:
    """What a page's printed brief shows around the page's own HTML: the PDF's metadata, its
    running header and the closing block with the citation (products and project sheets)."""

    short_title: str
    """For the running header of every page."""
    authors: tuple[str, ...]
    subject: str
    """The summary; the PDF's Subject."""
    date: str
    """ISO date the brief is "as of": the product's date, the record's last data sheet update."""
    date_text: str
    citation: str
    url: str
    """The page's absolute URL, or "" when ``site_url`` is not set."""


def size_text(size: int) -> str:
    """A file's size as readers say it: ``1.2 MB``, ``35 KB`` (at least 1 KB)."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} KB"


@dataclass(frozen=True)
class DataFileView:
    """A file of the open data, as the data page lists it."""

    name: str
    url: str
    description: str
    size: str
    bytes: int
    date: str


@dataclass(frozen=True)
class PdfFile:
    """A page's PDF brief, made before the page is rendered the second time with its link."""

    name: str
    """File name beside the page's ``index.html``, e.g. ``54037-001.pdf``."""
    size: int
    path: Path
    """Where the bytes are (the PDF cache)."""

    @property
    def size_text(self) -> str:
        return size_text(self.size)


@dataclass
class Pager:
    """Page-level helpers shared by every view builder: language, catalogue and URL base."""

    site: SiteView
    catalogue: Catalogue
    current: str
    lang_prefix: str
    languages: Sequence[str] = field(default_factory=tuple)
    index_file: str = ""

    @property
    def lang(self) -> str:
        return self.catalogue.lang

    def url(self, kind: str, key: str = "") -> str:
        return relative_url(page_url(kind, key, self.lang_prefix), self.current, self.index_file)

    def resolver(self) -> Callable[[str, str], str | None]:
        def resolve(scheme: str, target: str) -> str | None:
            found = self.site.resolve(scheme, target)
            return (
                None
                if found is None
                else relative_url(self.lang_prefix + found, self.current, self.index_file)
            )

        return resolve

    def text(self, value: Text | None, *, block: bool = True) -> Localized | None:
        if value is None:
            return None
        source, lang = value.pick(self.lang)
        html = render(source, self.resolver()).html if block else render_inline(source, self.resolver())
        return Localized(Markup(html), lang, lang != self.lang, plain_text(source))

    def inline(self, value: Text) -> Localized:
        localized = self.text(value, block=False)
        assert localized is not None
        return localized

    def plain(self, value: Text) -> tuple[str, str]:
        return value.pick(self.lang)

    def date(self, iso: str | None) -> str:
        return self.catalogue.date(iso)

    def amount(self, value: float | None, currency: str | None) -> str:
        if value is None:
            return ""
        number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
        symbol = CURRENCY_SYMBOLS.get(currency or "", currency or "")
        return f"{symbol} {number}".strip()

    def card(self, product: KnowledgeProduct) -> ProductCard:
        translation = product.translations.get(self.lang)
        title = translation.title if translation else product.title
        summary = (translation.summary if translation else product.summary) or ""
        return ProductCard(
            id=product.id,
            url=self.url("product", product.id),
            title=title,
            title_lang=self.lang if translation else product.language,
            type=product.type,
            type_label=self.catalogue.term("type", product.type),
            date=product.date,
            date_text=self.date(product.date),
            summary=summary,
            example=product.example,
        )

    def cards(self, ids: Sequence[str]) -> tuple[ProductCard, ...]:
        return tuple(self.card(self.site.library.products[i]) for i in ids)

    def place_link(self, slug: str) -> LinkView:
        place = self.site.library.places[slug]
        title, lang = place.name.pick(self.lang)
        return LinkView(title, self.url("place", slug), lang)

    def topic_link(self, slug: str) -> LinkView:
        topic = self.site.library.topics[slug]
        title, lang = topic.name.pick(self.lang)
        return LinkView(title, self.url("topic", slug), lang)

    def project_link(self, number: str) -> LinkView:
        project = self.site.library.projects[number]
        title, lang = project.title.pick(self.lang)
        return LinkView(f"{number}: {title}", self.url("project", number), lang)

    def output_view(self, project: ProjectRecord, number: int, with_products: bool = False) -> OutputView:
        output = project.output(number)
        assert output is not None
        products = self.site.products_by_output.get((project.number, number), ()) if with_products else ()
        return OutputView(
            number=number,
            url=self.url("output", f"{project.number}/{number}"),
            statement=self.inline(output.statement),
            indicators=tuple(
                (
                    self.inline(i.text),
                    self.text(i.baseline, block=False),
                    self.text(i.target, block=False),
                    self.text(i.status, block=False),
                )
                for i in output.indicators
            ),
            products=self.cards(products),
        )


def funding_rows(pager: Pager, project: ProjectRecord) -> tuple[list[FundingRowView], str]:
    """The funding table, one row per source, and the total when all share one currency."""
    rows: list[FundingRowView] = []
    totals: dict[str, float] = {}
    for funding in project.funding:
        sources = funding.sources or ()
        if not sources:
            rows.append(
                FundingRowView(
                    funding.instrument or "",
                    funding.approval_number or "",
                    funding.title or "",
                    funding.status or "",
                    "",
                    "",
                    "",
                )
            )
        for source in sources:
            rows.append(
                FundingRowView(
                    instrument=funding.instrument or "",
                    approval_number=funding.approval_number or "",
                    title=funding.title or "",
                    status=funding.status or "",
                    source=source.name,
                    amount=pager.amount(source.amount, source.currency),
                    kind=source.kind or "",
                )
            )
            if source.amount is not None and source.kind not in ("counterpart",):
                totals[source.currency or ""] = totals.get(source.currency or "", 0) + source.amount
    total = (
        pager.amount(next(iter(totals.values())), next(iter(totals)))
        if len(totals) == 1 and len(rows) > 1
        else ""
    )
    return rows, total


def timetable_rows(pager: Pager, project: ProjectRecord) -> list[Row]:
    rows = []
    for key, value in project.timetable.items():
        if isinstance(value, DateRange):
            text = pager.date(value.start)
            if value.end:
                text += f" {pager.catalogue.label('to')} {pager.date(value.end)}"
        else:
            text = pager.date(value) if value else ""
        rows.append(Row(pager.catalogue.label(key), Markup.escape(text) if text else None, key))
    return rows


def project_citation(number: str, title: str, site_name: str, year: str, url: str) -> str:
    """The project sheet's citation, in the same author-date form as a product's."""
    parts = [f"{site_name} ({year}). {number}: {title}."]
    if url:
        parts.append(url)
    return " ".join(parts)


def short_title(title: str, limit: int = 60) -> str:
    """A title cut at a word (or, in Chinese, a character) for a running header."""
    if len(title) <= limit:
        return title
    cut = title[:limit]
    if " " in cut and not any("\u4e00" <= ch <= "\u9fff" for ch in cut):
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:–-") + "…"

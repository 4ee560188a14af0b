"""Render stage: every page of the site map as HTML for the content area, per language.

Templates are Jinja2 with autoescape and StrictUndefined. The packaged defaults in
``generator/templates/`` are overridden file by file by the site's ``templates/``. MkDocs and
Material supply the shell around what this stage produces; this module never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from jinja2 import Environment
from markupsafe import Markup

from .citation import CITATION_FILES, STYLES, citation_record, formatted
from .config import ExportSettings
from .export.datafiles import data_files
from .export.opendata import newest_date
from .facets import knowledge_list, projects_list
from .headmeta import HeadView, product_head, project_head
from .i18n import Catalogue
from .link import LinkedSite, relative_url
from .markdown import Heading, render
from .pagekinds import KIND, PAGE_KINDS, absolute_url, page_url
from .printlinks import with_print_urls
from .reads import Read, RecordingSite, SiteView, read_whole_library
from .search import SearchEntry, search_entry
from .views import (
    BriefMeta,
    DataFileView,
    LinkView,
    Localized,
    Pager,
    PdfFile,
    Row,
    funding_rows,
    project_citation,
    short_title,
    size_text,
    timetable_rows,
)


@dataclass(frozen=True)
class SiteInfo:
    """Site-wide settings the templates show (from ``mkdocs.yml``)."""

    name: str
    url: str = ""
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"
    index_file: str = ""
    """``index.html`` when links must name the file (``use_directory_urls: false``)."""
    publisher: str = ""
    """Who publishes the products in this language's citations (``ProjectConfig.publisher_in``);
    the site's name when empty."""
    exports: ExportSettings = field(default_factory=ExportSettings)
    """How the data files describe themselves (licence) and who publishes them to IATI."""

    def prefix(self, lang: str) -> str:
        """The folder of a language's pages (``zh/``; ``""`` for the default language)."""
        return "" if lang == self.default_language else f"{lang}/"


@dataclass(frozen=True)
class RenderedPage:
    """One page's content area, ready for the site shell."""

    url: str
    """Site-relative directory URL, e.g. ``projects/54037-001/`` (``""`` for home)."""
    title: str
    html: str
    lang: str
    kind: str
    key: str = ""
    toc: tuple[Heading, ...] = ()
    description: str = ""
    source: str | None = None
    """Content file the page comes from, relative to the project root."""
    alternates: tuple[tuple[str, str, str], ...] = ()
    """(language, URL relative to this page, absolute URL or "") of this page in every language."""
    prefix: str = ""
    """The language's folder (``zh/``); each language is its own MkDocs build rooted there."""
    brief: BriefMeta | None = None
    """Set on pages that are printed as PDF briefs (products, project sheets)."""
    pdf: PdfFile | None = None
    """The page's PDF brief, when it was made before the page was rendered."""
    search: SearchEntry | None = None
    """What the page gives the search indexes (made with the page, from what it read)."""
    head: str = ""
    """HTML for the page's ``<head>`` (citation tags, JSON-LD), from ``head.html``; "" for none."""

    @property
    def src_uri(self) -> str:
        """Path of the page inside its language's build."""
        return f"{self.url[len(self.prefix) :]}index.md"


@dataclass
class PageViews:
    """The view builders of one language: each makes one page from its key, reading the site
    only through ``site`` (a :class:`generator.reads.RecordingSite` when the page's reads are
    recorded)."""

    site: SiteView
    info: SiteInfo
    catalogue: Catalogue
    env: Environment
    pdfs: Mapping[str, PdfFile] = field(default_factory=dict)
    """PDF briefs already made, by page URL: their pages link to them ("Download PDF")."""

    @property
    def lang(self) -> str:
        return self.catalogue.lang

    @property
    def prefix(self) -> str:
        return self.info.prefix(self.lang)

    def pager(self, url: str) -> Pager:
        return Pager(self.site, self.catalogue, url, self.prefix, self.info.languages, self.info.index_file)

    def _page(
        self,
        kind: str,
        key: str,
        title: str,
        pager: Pager,
        *,
        source: str | None = None,
        meta_description: str = "",
        toc: Sequence[Heading] = (),
        brief: BriefMeta | None = None,
        head: HeadView | None = None,
        **context: Any,
    ) -> RenderedPage:
        pdf = self.pdfs.get(pager.current) if brief else None
        html = self.env.get_template(KIND[kind].template).render(
            t=self.catalogue.label,
            term=self.catalogue.term,
            tr=self._term_markup,
            lang=self.lang,
            site=self.info,
            root=relative_url(self.prefix, pager.current),
            url_for=pager.url,
            title=title,
            pdf=pdf,
            **context,
        )
        html = with_print_urls(html, self._absolute(pager.current))
        return RenderedPage(
            alternates=self._alternates(pager.current),
            url=pager.current,
            title=title,
            html=html,
            lang=self.lang,
            kind=kind,
            key=key,
            toc=tuple(toc),
            description=meta_description,
            source=source,
            prefix=self.prefix,
            brief=brief,
            pdf=pdf,
            head=self.env.get_template("head.html").render(head=head).strip() if head else "",
        )

    # -- pages -----------------------------------------------------------------------------

    def home(self, key: str = "") -> RenderedPage:
        pager = self.pager(page_url("home", lang_prefix=self.prefix))
        lib = self.site.library
        intro = self._free_text("index", pager)
        latest = pager.cards(self.site.products_newest_first[:6])
        projects = [self._project_summary(pager, lib.projects[n]) for n in sorted(lib.projects)]
        return self._page(
            "home",
            "",
            self.info.name,
            pager,
            intro=intro,
            latest=latest,
            projects=projects,
            figures=self._key_figures(pager),
            toc=(),
        )

    def projects_index(self, key: str = "") -> RenderedPage:
        pager = self.pager(page_url("projects", lang_prefix=self.prefix))
        lib = self.site.library
        projects = [self._project_summary(pager, lib.projects[n]) for n in sorted(lib.projects)]
        return self._page(
            "projects",
            "",
            self.catalogue.label("projects"),
            pager,
            projects=projects,
            catalogue=projects_list(pager, self.site, projects),
        )

    def project(self, number: str) -> RenderedPage:
        pager = self.pager(page_url("project", number, self.prefix))
        project = self.site.library.projects[number]
        title, title_lang = pager.plain(project.title)
        rows, total = funding_rows(pager, project)
        label = self.catalogue.label
        present = project.present

        def section(name: str, values: Mapping[str, Any], keys: Sequence[str]) -> list[Row]:
            return [Row(label(k), pager.text(values.get(k)), k) for k in keys if f"{name}.{k}" in present]

        context = dict(
            project=project,
            title_lang=title_lang,
            status=self.catalogue.term("status", project.status),
            countries=[self.catalogue.term("countries", c) for c in project.countries],
            modalities=[self.catalogue.term("modality", m) for m in project.modalities],
            funding=rows,
            funding_total=total,
            description=pager.text(project.description),
            rationale=pager.text(project.rationale),
            impact=[pager.inline(t) for t in project.impact],
            outcome=[pager.inline(t) for t in project.outcome],
            outputs=[pager.output_view(project, o.number) for o in project.outputs],
            location=pager.text(project.location, block=False),
            places=[pager.place_link(s) for s in project.places],
            topics=[pager.topic_link(s) for s in project.topics],
            safeguard_categories=[
                Row(label(k), Markup.escape(v) if v else None, k)
                for k, v in project.safeguard_categories.items()
            ],
            safeguards=section(
                "safeguards",
                project.safeguards,
                ("summary", "environmental_aspects", "involuntary_resettlement", "indigenous_peoples"),
            ),
            consultation=section(
                "consultation", project.consultation, ("during_design", "during_implementation")
            ),
            business=section(
                "business_opportunities",
                project.business_opportunities,
                ("consulting_services", "procurement"),
            ),
            timetable=timetable_rows(pager, project),
            related=pager.cards(self.site.products_by_project.get(number, ())),
            present=present,
            date_generated=pager.date(str(project.source.get("date_generated") or "")),
        )
        description = pager.text(project.description)
        as_of = _project_as_of(project.timetable, project.source)
        absolute = self._absolute(pager.current)
        brief = BriefMeta(
            short_title=short_title(f"{number}: {title}"),
            authors=(self.info.name,),
            subject=description.plain[:300] if description else "",
            date=as_of,
            date_text=pager.date(as_of),
            citation=project_citation(number, title, self.info.name, as_of[:4], absolute),
            url=absolute,
        )
        return self._page(
            "project",
            number,
            title,
            pager,
            source=project.origin.path,
            meta_description=(description.plain[:300] if description else ""),
            toc=self._project_toc(context),
            brief=brief,
            head=project_head(project, title, description.plain if description else "", absolute),
            **context,
        )

    def output(self, key: str) -> RenderedPage:
        number, _, output_text = key.partition("/")
        output_number = int(output_text)
        pager = self.pager(page_url("output", key, self.prefix))
        project = self.site.library.projects[number]
        view = pager.output_view(project, output_number, with_products=True)
        title = f"{self.catalogue.label('output')} {output_number}: {view.statement.plain}"
        return self._page(
            "output",
            f"{number}/{output_number}",
            title,
            pager,
            source=project.origin.path,
            project=pager.project_link(number),
            output=view,
            meta_description=view.statement.plain,
        )

    def knowledge_index(self, key: str = "") -> RenderedPage:
        pager = self.pager(page_url("knowledge", lang_prefix=self.prefix))
        cards = pager.cards(self.site.products_newest_first)
        return self._page(
            "knowledge",
            "",
            self.catalogue.label("knowledge"),
            pager,
            products=cards,
            catalogue=knowledge_list(pager, self.site, cards),
        )

    def product(self, product_id: str) -> RenderedPage:
        pager = self.pager(page_url("product", product_id, self.prefix))
        product = self.site.library.products[product_id]
        translation = product.translations.get(self.lang)
        in_original = product.language == self.lang
        body = translation.body if translation else product.body
        title = translation.title if translation else product.title
        summary = (translation.summary if translation else product.summary) or ""
        authors = [author.name for author in (translation.authors if translation else product.authors)]
        body_lang = self.lang if (translation or in_original) else product.language
        rendered = render(body.source, pager.resolver())
        absolute = self._absolute(pager.current)
        project = self.site.library.projects.get(product.project) if product.project else None
        pdf = self.pdfs.get(pager.current)
        record = citation_record(
            self.site,
            self.catalogue,
            product_id,
            publisher=self.info.publisher or self.info.name,
            site_url=self.info.url,
            lang_prefix=self.prefix,
            pdf_name=pdf.name if pdf else "",
        )
        label = self.catalogue.label
        formatted_citations = [(label(key), formatted(record, style)) for style, key in STYLES.items()]
        cite = formatted_citations[0][1].striptags()
        brief = BriefMeta(
            short_title=short_title(title),
            authors=tuple(authors),
            subject=summary,
            date=product.date,
            date_text=pager.date(product.date),
            citation=cite,
            url=absolute,
        )
        return self._page(
            "product",
            product_id,
            title,
            pager,
            source=body.path,
            meta_description=summary,
            # Headings of an untranslated body stay out of the TOC: it is interface text.
            toc=(rendered.headings if body_lang == self.lang else ())
            + (Heading(2, "cite-this", self.catalogue.label("cite_this")),)
            + (
                (Heading(2, "related", self.catalogue.label("related")),)
                if self.site.related(product)
                else ()
            ),
            product=product,
            card=pager.card(product),
            body=Localized(Markup(rendered.html), body_lang, body_lang != self.lang),
            summary=summary,
            authors=authors,
            machine_translated=bool(translation and translation.machine_translated),
            project_link=pager.project_link(project.number) if project else None,
            outputs=[pager.output_view(project, n) for n in product.outputs] if project else [],
            places=[pager.place_link(s) for s in product.places],
            topics=[pager.topic_link(s) for s in product.topics],
            attachments=[
                LinkView(a.title, relative_url(f"{self.prefix}media/{a.file}", pager.current))
                for a in product.attachments
            ],
            related=pager.cards(self.site.related(product)),
            citations=formatted_citations,
            citation_files=[LinkView(name, product_id + suffix) for suffix, name in CITATION_FILES.items()],
            brief=brief,
            head=product_head(record),
        )

    def places_index(self, key: str = "") -> RenderedPage:
        pager = self.pager(page_url("places", lang_prefix=self.prefix))
        links = sorted((pager.place_link(s) for s in self.site.library.places), key=lambda link: link.title)
        return self._page("places", "", self.catalogue.label("places"), pager, links=links)

    def place(self, slug: str) -> RenderedPage:
        pager = self.pager(page_url("place", slug, self.prefix))
        place = self.site.library.places[slug]
        title, title_lang = pager.plain(place.name)
        return self._page(
            "place",
            slug,
            title,
            pager,
            source=place.origin.path,
            title_lang=title_lang,
            place=place,
            kind_label=self.catalogue.term("place_kind", place.kind),
            parent=pager.place_link(place.parent) if place.parent else None,
            description=pager.text(place.description),
            projects=[pager.project_link(n) for n in self.site.projects_by_place.get(slug, ())],
            products=pager.cards(self.site.products_by_place.get(slug, ())),
        )

    def topics_index(self, key: str = "") -> RenderedPage:
        pager = self.pager(page_url("topics", lang_prefix=self.prefix))
        links = sorted((pager.topic_link(s) for s in self.site.library.topics), key=lambda link: link.title)
        return self._page("topics", "", self.catalogue.label("topics"), pager, links=links)

    def topic(self, slug: str) -> RenderedPage:
        pager = self.pager(page_url("topic", slug, self.prefix))
        topic = self.site.library.topics[slug]
        title, title_lang = pager.plain(topic.name)
        return self._page(
            "topic",
            slug,
            title,
            pager,
            source=topic.origin.path,
            title_lang=title_lang,
            description=pager.text(topic.description),
            projects=[pager.project_link(n) for n in self.site.projects_by_topic.get(slug, ())],
            products=pager.cards(self.site.products_by_topic.get(slug, ())),
        )

    def data_index(self, key: str = "") -> RenderedPage:
        """The open data page: each file of ``data/`` with its size, licence and date."""
        pager = self.pager(page_url("data", lang_prefix=self.prefix))
        site = read_whole_library(self.site)  # the files' sizes depend on every record
        info = self.info
        files = data_files(info.exports, site.library, info.languages, info.url)
        as_of = pager.date(newest_date(site.library))
        rows = [
            DataFileView(
                name=path.rpartition("/")[2],
                url=relative_url(path, pager.current),
                description=self.catalogue.term("data_file", path.rpartition("/")[2]),
                size=size_text(len(data)),
                bytes=len(data),
                date=as_of,
            )
            for path, data in files.items()
        ]
        return self._page(
            "data",
            "",
            self.catalogue.label("data"),
            pager,
            files=rows,
            licence=LinkView(info.exports.licence_title, info.exports.licence_url),
            licence_id=info.exports.licence,
        )

    def free_page(self, slug: str) -> RenderedPage:
        pager = self.pager(page_url("page", slug, self.prefix))
        page = self.site.library.pages[slug]
        title, body = page.translations.get(self.lang, (page.title, page.body))
        rendered = render(body.source, pager.resolver())
        return self._page(
            "page",
            slug,
            title,
            pager,
            source=body.path,
            toc=rendered.headings,
            body=Markup(rendered.html),
        )

    # -- helpers ---------------------------------------------------------------------------

    def _absolute(self, url: str) -> str:
        """The absolute URL of a page, or "" when ``site_url`` is not set."""
        return absolute_url(self.info.url, url)

    def _term_markup(self, vocabulary: str, value: str | None, source_lang: str = "en") -> Markup:
        """A term of a record in the page's language; untranslated, it keeps its own ``lang``."""
        if value is None:
            return Markup("")
        if self.catalogue.has_term(vocabulary, value) or source_lang == self.lang:
            return Markup.escape(self.catalogue.term(vocabulary, value))
        return Markup('<span lang="{}">{}</span>').format(source_lang, value)

    def _alternates(self, url: str) -> tuple[tuple[str, str, str], ...]:
        """The same page in each site language (every page kind exists in every language)."""
        path = url[len(self.prefix) :]
        result = []
        for lang in self.info.languages:
            target = self.info.prefix(lang) + path
            result.append(
                (lang, relative_url(target, url, self.info.index_file), absolute_url(self.info.url, target))
            )
        return tuple(result)

    def _free_text(self, slug: str, pager: Pager) -> Markup | None:
        page = self.site.library.pages.get(slug)
        if page is None:
            return None
        _, body = page.translations.get(self.lang, (page.title, page.body))
        return Markup(render(body.source, pager.resolver()).html)

    def _project_summary(self, pager: Pager, project: Any) -> dict[str, Any]:
        title, lang = pager.plain(project.title)
        return {
            "number": project.number,
            "title": title,
            "title_lang": lang,
            "url": pager.url("project", project.number),
            "status": self.catalogue.term("status", project.status),
            "countries": [self.catalogue.term("countries", c) for c in project.countries],
            "modalities": [self.catalogue.term("modality", m) for m in project.modalities],
            "sectors": [s.sector for s in project.sectors],
        }

    def _key_figures(self, pager: Pager) -> list[tuple[str, str]]:
        lib = self.site.library
        totals: dict[str, float] = {}
        for project in lib.projects.values():
            for funding in project.funding:
                for source in funding.sources:
                    if source.amount is not None and source.kind != "counterpart":
                        totals[source.currency or ""] = totals.get(source.currency or "", 0) + source.amount
        label = self.catalogue.label
        figures = [
            (label("projects"), str(len(lib.projects))),
            (label("knowledge"), str(len(lib.products))),
        ]
        for currency, amount in sorted(totals.items()):
            figures.append((label("total_funding"), pager.amount(amount, currency)))
        return figures

    def _project_toc(self, context: Mapping[str, Any]) -> tuple[Heading, ...]:
        label = self.catalogue.label
        wanted: list[tuple[str, str, bool]] = [
            ("overview", label("project"), True),
            ("description", label("description"), context["description"] is not None),
            ("rationale", label("rationale"), context["rationale"] is not None),
            (
                "results",
                label("results"),
                bool(context["impact"] or context["outcome"] or context["outputs"]),
            ),
            (
                "safeguards",
                label("safeguards"),
                bool(context["safeguards"] or context["safeguard_categories"]),
            ),
            ("consultation", label("consultation"), bool(context["consultation"])),
            ("business", label("business_opportunities"), bool(context["business"])),
            ("contacts", label("responsible_officer"), True),
            ("timetable", label("timetable"), bool(context["timetable"])),
            ("knowledge", label("related_knowledge"), True),
        ]
        return tuple(Heading(2, anchor, text) for anchor, text, shown in wanted if shown)


class PageMemo(Protocol):
    """Pages kept from earlier builds (:mod:`generator.cache` keeps them); the render stage gives
    the same pages without one."""

    def recall(self, kind: str, key: str, variant: str) -> RenderedPage | None:
        """The page kept for ``kind``/``key`` if nothing it read has changed since, else None."""

    def remember(self, page: RenderedPage, variant: str, reads: Set[Read]) -> None:
        """Keep a page just rendered with what it read (:mod:`generator.reads`)."""


@dataclass(frozen=True)
class Renderer:
    """Renders the pages of one language, in the order of :data:`PAGE_KINDS`."""

    site: LinkedSite
    info: SiteInfo
    catalogue: Catalogue
    env: Environment
    pdfs: Mapping[str, PdfFile] = field(default_factory=dict)
    """PDF briefs already made, by page URL: their pages link to them ("Download PDF")."""
    memo: PageMemo | None = None

    @property
    def lang(self) -> str:
        return self.catalogue.lang

    @property
    def prefix(self) -> str:
        return self.info.prefix(self.lang)

    def with_pdfs(self, pdfs: Mapping[str, PdfFile]) -> Renderer:
        """This renderer, linking the pages in ``pdfs`` to their PDF briefs."""
        return replace(self, pdfs=pdfs)

    def pages(self) -> Iterator[RenderedPage]:
        """Every page of this language, in a stable order."""
        for kind in PAGE_KINDS:
            for key in kind.keys(self.site):
                yield self.page(kind.name, key)

    def page(self, kind: str, key: str) -> RenderedPage:
        """One page with its search entry, rendered from the site while recording what it reads,
        or the memo's page when none of that changed."""
        pdf = self.pdfs.get(page_url(kind, key, self.prefix)) if KIND[kind].pdf else None
        variant = "" if pdf is None else repr(pdf)
        if self.memo is not None:
            kept = self.memo.recall(kind, key, variant)
            if kept is not None:
                return kept
        reads: set[Read] = set()
        view = RecordingSite(self.site, reads)
        builders = PageViews(view, self.info, self.catalogue, self.env, self.pdfs)
        view_builder: Callable[[str], RenderedPage] = getattr(builders, KIND[kind].view)
        page = view_builder(key)
        page = replace(page, search=search_entry(view, self.catalogue, page))
        if self.memo is not None:
            self.memo.remember(page, variant, reads)
        return page


def _project_as_of(timetable: Mapping[str, Any], source: Mapping[str, Any]) -> str:
    """The date a project sheet is "as of": its last data sheet update, else the newest date."""
    last = timetable.get("last_pds_update")
    if isinstance(last, str):
        return last
    dates = [v for v in timetable.values() if isinstance(v, str)]
    generated = source.get("date_generated")
    if isinstance(generated, str):
        dates.append(generated)
    return max(dates, default="")

"""The MkDocs adapter: the only module that imports MkDocs.

It hands ksite's rendered pages to MkDocs as generated files (``on_files``), supplies each
page's metadata, HTML and table of contents without a Markdown pass (``on_pre_page``), adds
``templates/`` to the paths ``mkdocs serve`` watches, and offers :func:`build_into`, the shell
that ``ksite build`` drives. Moving to another site shell means rewriting this module only.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import posixpath
import time
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import config_options as opt
from mkdocs.config import load_config as load_mkdocs_config
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, MkDocsException, PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .build import ShellReport, brief_printer, render_pages, site_catalogue, site_info
from .cache import PageCache, load_related, save_related
from .check import load_site
from .checklinks import PageHasher, PageScan
from .config import ProjectConfig, load_config
from .errors import ContentError, error, format_problems, has_errors
from .i18n import Catalogue
from .link import LinkedSite
from .markdown import Heading
from .pdf import BriefPrinter
from .render import RenderedPage
from .search import SearchEntry, fallback_script, search_entries
from .search_pagefind import PagefindRun, SearchIndexError, start_pagefind
from .templating import make_environment

log = logging.getLogger("mkdocs.plugins.ksite")
ASSET_DIR = "assets/ksite"
PAGE_CACHE = ".ksite-cache/pages"
TEMPLATE_CACHE = ".ksite-cache/templates"
"""Compiled templates (Jinja's bytecode cache), kept while the page cache is on."""
SEARCH_FALLBACK = "search/ksite-fallback.js"
"""The compact search index for a copy opened from disk (see :mod:`generator.search`)."""
_PACKAGE = resources.files("generator")


_HASH_BATCH = 100
"""Pages handed to the hasher at a time (see :meth:`KsitePlugin.on_post_page`)."""


class KsiteOptions(Config):
    content_dir = opt.Type(str, default="content")
    """Folder of project records, knowledge products, places and pages."""
    templates_dir = opt.Type(str, default="templates")
    """Site overrides of the packaged page templates, mirrored by file name."""
    languages = opt.ListOfItems(opt.Type(str), default=["en"])
    """Site languages; the first is served at the root, the others under /<lang>/."""
    site_names = opt.Type(dict, default={})
    """The site's name in other languages (``{zh: ...}``); ``site_name`` is the default's."""
    language = opt.Optional(opt.Type(str))
    """The language this MkDocs run builds; ``ksite build`` sets it per run."""
    pdf = opt.Type(bool, default=False)
    """Make the PDF briefs. ``ksite build`` turns this on (off with ``--no-pdf``); plain
    ``mkdocs build`` and ``mkdocs serve`` leave it off unless it is set here."""
    pdf_cache_dir = opt.Type(str, default=".ksite-cache/pdf")
    """Where made PDF briefs are kept, relative to ``mkdocs.yml``, so rebuilds reuse them."""
    page_cache_dir = opt.Optional(opt.Type(str))
    """Where rendered pages are kept for incremental builds (``ksite build`` sets
    ``.ksite-cache/pages``); unset, every page is rendered."""


class KsitePlugin(BasePlugin[KsiteOptions]):
    """Generates the programme's pages inside an MkDocs build."""

    preloaded: LinkedSite | None = None
    """Content already loaded by ``ksite build``; None under plain ``mkdocs build/serve``."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, RenderedPage] = {}
        self.project: ProjectConfig | None = None
        self.failure: ContentError | None = None
        self.page_cache: PageCache | None = None
        self.seconds: dict[str, float] = {}
        """ksite's own work inside the MkDocs run, by step (for the build report)."""
        self.search_entries: list[SearchEntry] = []
        self.pagefind: PagefindRun | None = None
        """Pagefind indexing in the background, from on_files until on_post_build."""
        self.hasher: PageHasher | None = None
        """Hashes each page written, by its path in this language's tree (see on_post_page)."""
        self._unhashed: list[str] | None = None
        """Pages handed to MkDocs and not yet to the hasher (the last is not written yet);
        None until the hasher runs."""
        self._hashing_failed = False
        self._hashing_seconds = 0.0
        """Spent in on_post_page, counted with the link check's time in on_post_build."""
        self.digests: dict[str, str] = {}
        """The hashes, once the build is done (on_post_build)."""
        self.scans: dict[str, PageScan] = {}
        """The pages that differ from the link memo's, scanned (on_post_build)."""
        self.link_memo: Path | None = None
        """The link memo of ``ksite build``: the hasher scans the pages that differ from it."""
        self._catalogues: dict[str, Catalogue] = {}

    @property
    def lang(self) -> str:
        return self.config.language or self.config.languages[0]

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.project = load_config(Path(config.config_file_path))
        overrides = Path(str(_PACKAGE.joinpath("overrides")))
        theme_dirs = config.theme.dirs
        position = 1 if config.theme.custom_dir else 0
        if str(overrides) not in theme_dirs:
            theme_dirs.insert(position, str(overrides))
        config.extra_css.append(f"{ASSET_DIR}/ksite.css")
        # Search (Pagefind behind Material's box) and the catalogue filters; both no-ops elsewhere.
        config.extra_javascript.extend([f"{ASSET_DIR}/ksite-search.js", f"{ASSET_DIR}/ksite-facets.js"])
        config.extra_css.append(f"{ASSET_DIR}/print.css")
        config.theme["language"] = self.lang
        if self.lang in self.config.site_names:
            config.site_name = str(self.config.site_names[self.lang])
        if config.site_url and self.lang != self.project.default_language:
            config.site_url = config.site_url.rstrip("/") + f"/{self.lang}/"
        self._catalogues = {}
        config.extra["ksite_labels"] = self._catalogue().labels
        names = {lang: self._catalogue(lang).language_name for lang in self.project.languages}
        if len(names) > 1:
            # Material shows its language selector when extra.alternate is set; the packaged
            # partials/alternate.html override points each entry at the same page (pages
            # that are not ksite's, such as 404.html, get no entries: their URL is unknown).
            config.extra["alternate"] = [
                {"name": name, "lang": lang, "link": self._root_of(lang)} for lang, name in names.items()
            ]
            config.extra["ksite_language_names"] = names
        if config.nav is None:
            labels = self._catalogue().labels
            config.nav = [
                {labels["home"]: "index.md"},
                {labels["projects"]: "projects/index.md"},
                {labels["knowledge"]: "knowledge/index.md"},
                {labels["places"]: "places/index.md"},
                {labels["topics"]: "topics/index.md"},
            ]
        return config

    def _catalogue(self, lang: str | None = None) -> Catalogue:
        """The interface text of ``lang`` (this run's language by default), under the default
        language's for keys not yet translated; read once per run."""
        assert self.project is not None
        lang = lang or self.lang
        if lang not in self._catalogues:
            self._catalogues[lang] = site_catalogue(self.project, lang)
        return self._catalogues[lang]

    def _root_of(self, lang: str) -> str:
        """The home of ``lang`` relative to the root of this language's build."""
        assert self.project is not None
        up = "" if self.lang == self.project.default_language else "../"
        return (
            "./" if lang == self.lang else up + ("" if lang == self.project.default_language else f"{lang}/")
        )

    def _page_cache(self) -> PageCache | None:
        assert self.project is not None
        if not self.config.page_cache_dir:
            return None
        salt = hashlib.sha256(
            repr((site_info(self.project, self.lang), self._catalogue(), self.config.pdf)).encode()
        ).hexdigest()
        directory = self.project.root / self.config.page_cache_dir / self.lang
        return PageCache(directory, salt, make_environment(self.project.templates_dir))

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        started = time.perf_counter()
        self.seconds["search index"] = 0.0
        try:
            return self._generate(files, config)
        finally:
            # The search documents are made here too; they count as search index, not render.
            self.seconds["render"] = time.perf_counter() - started - self.seconds["search index"]

    def _generate(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.project is not None
        site = self.preloaded
        if site is None:
            site, problems = load_site(self.project)
            if has_errors(problems):
                self.failure = ContentError(problems)
                raise PluginError("ksite found problems in the content:\n" + format_problems(problems))
        printer = None
        if self.config.pdf:
            printer = brief_printer(self.project, self.project.root / self.config.pdf_cache_dir)
        self.page_cache = self._page_cache()
        every_page = False
        try:
            try:
                compiled_in = self.project.root / TEMPLATE_CACHE if self.config.page_cache_dir else None
                rendered = render_pages(self.project, site, self.lang, printer, self.page_cache, compiled_in)
                self.pages = {p.src_uri: p for p in rendered}
                every_page = True
            except ContentError as exc:
                self.failure = exc
                raise PluginError(str(exc)) from exc
            return self._add_files(files, config, site, printer)
        finally:
            if self.page_cache is not None:
                # After the search documents: they are kept with the pages.
                self.page_cache.close(prune=every_page)

    def _add_files(
        self, files: Files, config: MkDocsConfig, site: LinkedSite, printer: BriefPrinter | None
    ) -> Files:
        """Hand MkDocs the rendered pages, their PDF briefs, the search indexes and ksite's assets."""
        assert self.project is not None
        given = config.docs_dir
        docs_dirs = tuple(os.path.join(d, "") for d in {os.path.abspath(given), os.path.realpath(given)})
        kept = Files([f for f in files if not _is_content_source(f, docs_dirs)])
        for page in self.pages.values():
            # An empty file: on_pre_page hands MkDocs the page's metadata and HTML instead.
            kept.append(File.generated(config, page.src_uri, content=""))
            if page.pdf is not None:
                # MkDocs copies the brief from the PDF cache; it is never held in memory.
                pdf_uri = posixpath.join(posixpath.dirname(page.src_uri), page.pdf.name)
                kept.append(File.generated(config, pdf_uri, abs_src_path=str(page.pdf.path)))
        if printer is not None:
            stats = printer.stats
            log.info(
                f"ksite: {stats.made + stats.cached} PDF briefs ({stats.made} made, "
                f"{stats.cached} from the cache) in {stats.seconds:.2f}s"
            )
        started = time.perf_counter()
        self.search_entries = search_entries(site, self._catalogue(), self.pages.values(), self.page_cache)
        kept.append(File.generated(config, SEARCH_FALLBACK, content=fallback_script(self.search_entries)))
        self._cancel_pagefind()
        try:
            self.pagefind = start_pagefind(self.search_entries, self.lang, Path(config.site_dir))
        except SearchIndexError as exc:
            raise PluginError(str(exc)) from exc
        self.seconds["search index"] = time.perf_counter() - started
        for asset in _PACKAGE.joinpath("assets").iterdir():
            if asset.is_file():
                kept.append(File.generated(config, f"{ASSET_DIR}/{asset.name}", content=asset.read_bytes()))
        return kept

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        """For ksite's pages, skip MkDocs' reading and Markdown conversion of the (empty) file.

        The page's metadata and HTML are already known; MkDocs would otherwise read the file and
        build a Python-Markdown converter per page (a fifth of MkDocs' time on a large site) only
        for ksite to replace the result.
        """
        rendered = self.pages.get(page.file.src_uri)
        if rendered is None:
            return page

        def read_source(config: MkDocsConfig) -> None:
            page.markdown, page.meta = "", _meta(rendered)

        def render(config: MkDocsConfig, files: Files) -> None:
            page.content = rendered.html
            page.toc = get_toc(_toc_tokens(rendered.toc))

        page.read_source = read_source  # type: ignore[method-assign]
        page.render = render  # type: ignore[method-assign]
        return page

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Have each page hashed once MkDocs has written it (it writes a page after this event,
        so the one before is due now), for the link check (see :class:`PageHasher`) that
        ``ksite build`` runs next with its memo; plain ``mkdocs build`` and ``serve`` have no
        link check, ``--no-cache`` no memo."""
        started = time.perf_counter()
        unhashed = self._unhashed
        if unhashed is None:
            project = self.project
            no_check = self.preloaded is None or not self.config.page_cache_dir
            if no_check or project is None or self._hashing_failed:
                return output
            try:
                prefix = "" if self.lang == project.default_language else f"{self.lang}/"
                self.hasher = PageHasher(Path(config.site_dir), self.link_memo, prefix)
            except OSError:  # no helper process: the link check reads every page itself
                self._hashing_failed = True
                return output
            unhashed = self._unhashed = []
        unhashed.append(page.file.dest_uri)
        if len(unhashed) > _HASH_BATCH and self.hasher is not None:
            # Handed over in batches: a write per page cost ten times as much per page.
            self.hasher.add(unhashed[:-1])
            del unhashed[:-1]
        self._hashing_seconds += time.perf_counter() - started
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        started = time.perf_counter()
        hasher, self.hasher = self.hasher, None
        if hasher is not None:  # the wait for the last hashes counts as the link check's
            hasher.add(self._unhashed or ())
            self.digests, self.scans = hasher.finish()
        self._unhashed = None
        spent, self._hashing_seconds = self._hashing_seconds + time.perf_counter() - started, 0.0
        self.seconds["links"] = self.seconds.get("links", 0.0) + spent
        # Pagefind has been indexing since on_files; only the wait for it counts as ksite's.
        started = time.perf_counter()
        run, self.pagefind = self.pagefind, None
        try:
            if run is not None:
                run.finish()
        except SearchIndexError as exc:
            raise PluginError(str(exc)) from exc
        finally:
            self.seconds["search index"] += time.perf_counter() - started

    def on_build_error(self, *, error: Exception) -> None:
        self._cancel_background()

    def on_shutdown(self) -> None:
        # Also after an interrupt (Ctrl-C), for which MkDocs runs no on_build_error: Pagefind's
        # documents may sit in /dev/shm.
        self._cancel_background()

    def _cancel_background(self) -> None:
        self._cancel_pagefind()
        hasher, self.hasher, self._unhashed = self.hasher, None, None
        if hasher is not None:
            hasher.cancel()

    def _cancel_pagefind(self) -> None:
        run, self.pagefind = self.pagefind, None
        if run is not None:
            run.cancel()

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        assert self.project is not None
        for path in (self.project.templates_dir, self.project.content_dir):
            if path.exists():
                server.watch(str(path))
        return server


def _is_content_source(file: File, docs_dirs: tuple[str, ...]) -> bool:
    """Files of ``content/`` are ksite's to render; MkDocs only copies ``media/`` (and keeps
    the theme's own files, which are in the list too). ``docs_dirs``: the content folder as
    given and resolved, each ending in a separator (string tests: thousands of files)."""
    if file.abs_src_path is None or file.src_uri.startswith("media/"):
        return False
    return os.path.abspath(file.abs_src_path).startswith(docs_dirs)


def _meta(page: RenderedPage) -> dict[str, Any]:
    """A page's metadata for MkDocs and Material.

    MkDocs' theme environment does not autoescape (Material writes ``{{ page.meta.title }}``
    into <title> and the header), so the texts are handed over as escaped HTML.
    """
    meta: dict[str, Any] = {"title": html.escape(page.title)}
    if page.description:
        meta["description"] = html.escape(page.description)
    # Pagefind indexes ksite's pages from their search documents (generator/search.py); kept out
    # of Material's index, which is one file of the whole site that no browser should download.
    meta["search"] = {"exclude": True}
    meta["ksite"] = {
        "kind": page.kind,
        "lang": page.lang,
        "alternates": [
            {"lang": lang, "url": url, "absolute": absolute} for lang, url, absolute in page.alternates
        ],
    }
    return meta


def _toc_tokens(headings: tuple[Heading, ...]) -> list[Any]:
    """Flat headings to the nested tokens MkDocs' ``get_toc`` expects (h2 with h3 children)."""
    tokens: list[dict[str, Any]] = []
    for heading in headings:
        token = {"level": heading.level, "id": heading.id, "name": heading.text, "children": []}
        if heading.level > 2 and tokens:
            tokens[-1]["children"].append(token)
        else:
            tokens.append(token)
    return tokens


class _Collector(logging.Handler):
    """Keeps MkDocs' warnings so a failed build can report them as problems."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_into(
    project: ProjectConfig,
    staging: Path,
    site: LinkedSite,
    link_memo: Path | None = None,
    *,
    pdf: bool = True,
    cache: bool = True,
) -> ShellReport:
    """Run one MkDocs build per language into ``staging`` (others under ``<lang>/``), with the
    PDF briefs unless ``pdf`` is False (``ksite build --no-pdf``), reusing unchanged pages from
    ``.ksite-cache/pages`` unless ``cache`` is False. Reports which pages it rendered and which
    came from the cache, and (unless ``cache`` is False) each page's digest, with a scan of
    those that differ from ``link_memo``'s, for the link check."""
    collector = _Collector()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collector)
    rendered: list[str] = []
    reused: list[str] = []
    seconds: dict[str, float] = {}
    digests: dict[str, str] = {}
    scans: dict[str, PageScan] = {}
    started = time.perf_counter()
    related = load_related(site, project.root / PAGE_CACHE) if cache else ""
    seconds["render"] = time.perf_counter() - started
    try:
        for lang in project.languages:
            plugin = _build_language(project, staging, site, lang, collector, pdf, cache, link_memo)
            for step, spent in plugin.seconds.items():
                seconds[step] = seconds.get(step, 0.0) + spent
            prefix = "" if lang == project.default_language else f"{lang}/"
            digests.update((prefix + name, digest) for name, digest in plugin.digests.items())
            scans.update((prefix + name, scan) for name, scan in plugin.scans.items())
            page_cache = plugin.page_cache
            if page_cache is not None:
                rendered += page_cache.rendered
                reused += page_cache.reused
    finally:
        mkdocs_log.removeHandler(collector)
    if cache:
        started = time.perf_counter()
        save_related(site, project.root / PAGE_CACHE, related)
        seconds["render"] = seconds.get("render", 0.0) + time.perf_counter() - started
    return ShellReport(tuple(rendered), tuple(reused), seconds, digests, scans)


def _build_language(
    project: ProjectConfig,
    staging: Path,
    site: LinkedSite,
    lang: str,
    collector: _Collector,
    pdf: bool,
    cache: bool,
    link_memo: Path | None,
) -> KsitePlugin:
    target = staging if lang == project.default_language else staging / lang
    config = load_mkdocs_config(str(project.config_file), site_dir=str(target))
    plugin = config.plugins.get("ksite")
    if not isinstance(plugin, KsitePlugin):
        raise ContentError(
            [
                error(
                    project.config_file.name,
                    0,
                    0,
                    "the ksite plugin is not enabled; add '- ksite' under plugins",
                )
            ]
        )
    plugin.config.language = lang
    plugin.preloaded = site
    plugin.link_memo = link_memo
    plugin.config.pdf = pdf
    plugin.config.page_cache_dir = PAGE_CACHE if cache else None
    # Set before any plugin's on_config runs: the search plugin picks its language from it.
    config.theme["language"] = lang
    config.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build(config)
    except (Abort, MkDocsException) as exc:
        if plugin.failure is not None:
            raise plugin.failure from None
        problems = [error(project.config_file.name, 0, 0, f"MkDocs: {m}") for m in collector.messages]
        problems.append(error(project.config_file.name, 0, 0, f"MkDocs build failed: {exc}"))
        raise ContentError(problems) from None
    finally:
        config.plugins.on_shutdown()
    return plugin

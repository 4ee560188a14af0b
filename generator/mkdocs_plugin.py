"""The MkDocs adapter: the shell that wraps ksite's finished pages in Material's theme.

``ksite build`` runs the pipeline (:mod:`generator.build`) and hands each language's finished
pages and files to :func:`build_into`, which runs one MkDocs build per language. The plugin
adds them as generated files (``on_files``) and supplies each page's metadata, HTML and table
of contents without a Markdown pass (``on_pre_page``). Under a plain ``mkdocs build`` or
``mkdocs serve`` (and ``ksite serve``, :func:`serve`) the plugin runs the same pipeline itself,
once per build, and watches ``content/`` and ``templates/``. This is the only module that
imports MkDocs; moving to another shell means rewriting it.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.commands.serve import serve as mkdocs_serve
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

from .build import LanguageSite, ShellReport, brief_printer, language_site, site_catalogue
from .cache import BuildCache
from .check import checked_site
from .config import ProjectConfig, load_config
from .errors import ContentError, error, format_problems, has_errors
from .i18n import Catalogue
from .markdown import Heading
from .pagekinds import PAGE_KINDS
from .render import RenderedPage
from .search_pagefind import BUNDLE_DIR, SearchIndexError, start_pagefind

log = logging.getLogger("mkdocs.plugins.ksite")
ASSET_DIR = "assets/ksite"
_PACKAGE = resources.files("generator")


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
    """Where a plain ``mkdocs build`` with ``pdf: true`` keeps its PDF briefs, relative to
    ``mkdocs.yml`` (``ksite build`` keeps them in ``.ksite-cache/pdf``)."""


class KsitePlugin(BasePlugin[KsiteOptions]):
    """Adds ksite's finished pages of one language to an MkDocs build."""

    handed: LanguageSite | None = None
    """The language's pages and files from ``ksite build``; None under plain ``mkdocs build``
    or ``serve``, where the plugin makes them itself (:meth:`_made_here`)."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, RenderedPage] = {}
        self.project: ProjectConfig | None = None
        self.failure: ContentError | None = None
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
        if config.nav is None:  # the pages that are one of their kind, labelled by kind
            labels = self._catalogue().labels
            config.nav = [
                {labels[kind.name]: f"{kind.url_of()}index.md"} for kind in PAGE_KINDS if "{" not in kind.url
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

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Hand MkDocs the language's pages, its other files and ksite's assets, in place of
        the sources in ``content/`` (only ``content/media/`` is copied as it is)."""
        language = self.handed if self.handed is not None else self._made_here()
        self.pages = {page.src_uri: page for page in language.pages}
        given = config.docs_dir
        docs_dirs = tuple(os.path.join(d, "") for d in {os.path.abspath(given), os.path.realpath(given)})
        kept = Files([f for f in files if not _is_content_source(f, docs_dirs)])
        for src_uri in self.pages:
            # An empty file: on_pre_page hands MkDocs the page's metadata and HTML instead.
            kept.append(File.generated(config, src_uri, content=""))
        for name, data in language.files.items():
            if isinstance(data, Path):  # copied by MkDocs, never held in memory (PDF briefs)
                kept.append(File.generated(config, name, abs_src_path=str(data)))
            else:
                kept.append(File.generated(config, name, content=data))
        for asset in _PACKAGE.joinpath("assets").iterdir():
            if asset.is_file():
                kept.append(File.generated(config, f"{ASSET_DIR}/{asset.name}", content=asset.read_bytes()))
        return kept

    def _made_here(self) -> LanguageSite:
        """The pipeline of ``ksite build`` up to the shell, for a plain ``mkdocs build`` or
        ``serve`` (no cache: MkDocs has no staging folder to publish from)."""
        assert self.project is not None
        site, problems = checked_site(self.project)
        if has_errors(problems):
            self.failure = ContentError(problems)
            raise PluginError("ksite found problems in the content:\n" + format_problems(problems))
        printer = None
        if self.config.pdf:  # briefs keyed like ksite build's: ksite's code and the settings too
            salt = BuildCache(self.project).settings_digest
            printer = brief_printer(self.project, self.project.root / self.config.pdf_cache_dir, salt)
        try:
            return language_site(self.project, site, self.lang, printer)
        except ContentError as exc:
            self.failure = exc
            raise PluginError(str(exc)) from exc

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

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Under a plain ``mkdocs build``, index the pages for search (``ksite build`` does this
        itself, while MkDocs writes)."""
        if self.handed is not None or not self.pages:
            return
        entries = [page.search for page in self.pages.values() if page.search is not None]
        bundle = Path(config.site_dir) / BUNDLE_DIR
        shutil.rmtree(bundle, ignore_errors=True)
        try:
            start_pagefind(entries, self.lang, bundle).finish()
        except SearchIndexError as exc:
            raise PluginError(str(exc)) from exc

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


def build_into(project: ProjectConfig, staging: Path, languages: tuple[LanguageSite, ...]) -> ShellReport:
    """The shell of ``ksite build``: one MkDocs build per language into ``staging`` (the
    default language at its root, the others in ``<lang>/``), each given its finished pages."""
    collector = _Collector()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collector)
    try:
        for language in languages:
            _build_language(project, staging / language.prefix, language, collector)
    finally:
        mkdocs_log.removeHandler(collector)
    return ShellReport()


def _build_language(
    project: ProjectConfig, target: Path, language: LanguageSite, collector: _Collector
) -> None:
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
    plugin.config.language = language.lang
    plugin.handed = language
    # Set before any plugin's on_config runs: the search plugin picks its language from it.
    config.theme["language"] = language.lang
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


def serve(config_file: Path, dev_addr: str) -> None:
    """``ksite serve``: MkDocs' live preview of the default language, rebuilt on every change."""
    mkdocs_serve(config_file=str(config_file), dev_addr=dev_addr, livereload=True)

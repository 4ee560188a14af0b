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

import hashlib
import html
import logging
import os
import shutil
import threading
import time
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import config_options as opt
from mkdocs.config import load_config as load_mkdocs_config
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, MkDocsException, PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .build import (
    LanguageSite,
    ShellReport,
    Takeover,
    brief_printer,
    build,
    language_site,
    site_catalogue,
)
from .cache import BuildCache
from .check import checked_site
from .config import KNOWN_PLUGINS, ProjectConfig, load_config
from .errors import ContentError, error, format_problems, has_errors
from .export.feeds import FEED
from .i18n import Catalogue
from .markdown import Heading
from .pagekinds import PAGE_KINDS, absolute_url
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
    share_image = opt.Type(str, default="")
    """The picture of link previews (Open Graph, Twitter cards): a path under ``media/``."""
    language = opt.Optional(opt.Type(str))
    """The language this MkDocs run builds; ``ksite build`` sets it per run."""
    pdf = opt.Type(bool, default=False)
    """Make the PDF briefs. ``ksite build`` turns this on (off with ``--no-pdf``); plain
    ``mkdocs build`` and ``mkdocs serve`` leave it off unless it is set here."""
    data_licence = opt.Type((str, dict), default="CC-BY-4.0")
    """Licence of the open data and IATI files: an SPDX identifier, or ``{id, title, url}``
    (read by :func:`generator.config.load_config`)."""
    iati = opt.Type(dict, default={})
    """The IATI publisher (``org_ref``, ``org_name``, ``org_type``) and ``sectors``: the bank's
    sector names mapped to DAC 5-digit codes (read by :func:`generator.config.load_config`)."""
    pdf_cache_dir = opt.Type(str, default=".ksite-cache/pdf")
    """Where a plain ``mkdocs build`` with ``pdf: true`` keeps its PDF briefs, relative to
    ``mkdocs.yml`` (``ksite build`` keeps them in ``.ksite-cache/pdf``)."""


class KsitePlugin(BasePlugin[KsiteOptions]):
    """Adds ksite's finished pages of one language to an MkDocs build."""

    handed: LanguageSite | None = None
    """The language's pages and files from ``ksite build``; None under plain ``mkdocs build``
    or ``serve``, where the plugin makes them itself (:meth:`_made_here`)."""
    takeover: Takeover | None = None
    """Where ``ksite build`` lets unchanged pages be taken over from the published site. Its
    MkDocs runs are dirty builds, which skip every page whose file says it is not modified
    (:class:`_PageFile`)."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, RenderedPage] = {}
        self.project: ProjectConfig | None = None
        self.failure: ContentError | None = None
        self.made: dict[str, str] = {}
        """Page files by name in the whole site, with the key each was made from."""
        self.taken: set[str] = set()
        """The pages (``src_uri``) taken over from the published site."""
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
        config.extra["ksite_share"] = self._share()
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

    def _share(self) -> dict[str, Any]:
        """What the share cards of every page of this language say beside the page's own
        (``partials/ksite-share.html``): the locale, the other languages' and the site image."""
        assert self.project is not None
        image = self.project.share_image
        return {
            "locale": self._catalogue().locale,
            "alternate_locales": [
                self._catalogue(lang).locale for lang in self.project.languages if lang != self.lang
            ],
            "image": absolute_url(self.project.site_url, image) if image else "",
            "feed": False,  # set in on_files, once the language's files are known
        }

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
        # Pages link to the language's feed only when it was written (with site_url and products).
        config.extra["ksite_share"]["feed"] = FEED in language.files
        given = config.docs_dir
        docs_dirs = tuple(os.path.join(d, "") for d in {os.path.abspath(given), os.path.realpath(given)})
        kept = Files([f for f in files if not _is_content_source(f, docs_dirs)])
        for src_uri in self.pages:
            # An empty file: on_pre_page hands MkDocs the page's metadata and HTML instead.
            kept.append(_PageFile.generated(config, src_uri, content=""))
        for name, data in language.files.items():
            kept.append(_OtherFile.of(config, name, data))
        for asset in _PACKAGE.joinpath("assets").iterdir():
            if asset.is_file():
                kept.append(_OtherFile.of(config, f"{ASSET_DIR}/{asset.name}", asset.read_bytes()))
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

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Decide which pages the theme must render: every page's key is what the theme makes
        it from (:func:`_page_key`); a page of the same key as in the published site is taken
        over from it, except the pages of the navigation, which are always rendered (their
        titles appear in every other page, and they are few)."""
        if self.takeover is None:
            return nav
        shared = _shared_key(config, nav, self.pages)
        if shared is None:  # a plugin or hook that may read other pages: wrap every page anew
            return nav
        in_nav = {page.file.src_uri for page in nav.pages}
        prefix = self.handed.prefix if self.handed is not None else ""
        for file in files:
            if isinstance(file, _PageFile):
                key = _page_key(shared, self.pages[file.src_uri])
                name = prefix + file.dest_uri
                file.taken = file.src_uri not in in_nav and self.takeover.take(name, key)
                if file.taken:
                    self.taken.add(file.src_uri)
                self.made[name] = key
            elif isinstance(file, _OtherFile):  # its bytes are its key: the theme does not wrap it
                name = prefix + file.dest_uri
                file.taken = self.takeover.take(name, file.key)
                self.made[name] = file.key
        return nav

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        # Pages taken over were not read; the sitemap (written anew) reads every page's metadata.
        for file in files.documentation_pages():
            if isinstance(file, _PageFile) and file.taken and file.page is not None:
                file.page.meta = _meta(self.pages[file.src_uri])
        if self.takeover is not None:
            self.takeover.compiled_templates.mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(self.takeover.compiled_templates))
        return env

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


class _PageFile(File):
    """A ksite page. Under MkDocs' dirty mode a file that is not "modified" is neither read
    nor rendered; ksite's pages say so exactly when their output was taken over."""

    taken = False

    def is_modified(self) -> bool:
        return not self.taken


class _OtherFile(File):
    """A file ksite hands MkDocs beside the pages (exports, PDF briefs, the fallback search
    index, its assets), taken over from the published site when its bytes are the same:
    thousands of small files a rebuild would otherwise write again (three citation files per
    product and language)."""

    taken = False
    key = ""
    """The digest of its bytes, or the name of the PDF brief it is copied from (named by the
    digest of the brief's inputs)."""

    @classmethod
    def of(cls, config: MkDocsConfig, name: str, data: bytes | Path) -> _OtherFile:
        if isinstance(data, Path):  # copied by MkDocs, never held in memory (PDF briefs)
            made = cls.generated(config, name, abs_src_path=str(data))
            key = f"copy of {data.name}"
        else:
            made = cls.generated(config, name, content=data)
            key = hashlib.blake2b(data, digest_size=20).hexdigest()
        assert isinstance(made, _OtherFile)
        made.key = key
        return made

    def is_modified(self) -> bool:
        return not self.taken


_SETTINGS = (
    "site_name",
    "site_url",
    "site_description",
    "site_author",
    "copyright",
    "repo_url",
    "repo_name",
    "edit_uri",
    "use_directory_urls",
    "extra",
    "extra_css",
    "extra_javascript",
    "nav",
)
"""The settings MkDocs hands the theme: as loaded, after ``!ENV`` values and ``INHERIT``."""


def _shared_key(config: MkDocsConfig, nav: Navigation, pages: dict[str, RenderedPage]) -> str | None:
    """What every page's theme output depends on beside the page itself and ksite's code and
    the libraries' versions (in the cache's salt): the settings as MkDocs loaded them, the
    navigation's titles and links, the build date and the theme's custom folder. None when
    another plugin or a hook takes part: it may read any page."""
    if set(config.plugins) - KNOWN_PLUGINS or config.hooks:
        return None
    digest = hashlib.blake2b(digest_size=20)
    settings = {name: config[name] for name in _SETTINGS}
    digest.update(repr((sorted(dict(config.theme).items(), key=repr), settings)).encode())
    entries = []
    for page in nav.pages:
        rendered = pages.get(page.file.src_uri)
        entries.append((page.file.src_uri, page.url, str(page.title), rendered.title if rendered else ""))
    # repr, not marshal: marshal's bytes depend on which equal strings are one object.
    digest.update(repr((entries, os.environ.get("SOURCE_DATE_EPOCH", ""), config.theme["language"])).encode())
    custom = config.theme.custom_dir
    if custom:
        for path in sorted(Path(custom).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(custom).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _page_key(shared: str, page: RenderedPage) -> str:
    """A page's theme output is a function of this: what :meth:`KsitePlugin.on_pre_page`
    hands MkDocs (metadata, HTML, table of contents) and :func:`_shared_key`."""
    digest = hashlib.blake2b(shared.encode(), digest_size=20)
    digest.update(repr((page.url, _meta(page), _toc_tokens(page.toc))).encode())
    digest.update(page.html.encode())
    return digest.hexdigest()


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
        "head": page.head,
        "alternates": [
            {"lang": lang, "url": url, "absolute": absolute} for lang, url, absolute in page.alternates
        ],
        # The page's own absolute URL (canonical link, share cards), in the one form every
        # absolute URL takes (pagekinds.absolute_url); "" without site_url.
        "absolute": next((absolute for lang, _, absolute in page.alternates if lang == page.lang), ""),
        # Zotero reads og:type: "website" would make it save a knowledge product as a web page.
        "og_type": "article" if page.kind == "product" else "website",
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


class _DirtyNotice(logging.Filter):
    """Drops MkDocs' warning that a dirty build may leave stale navigation: ksite builds into
    an empty folder and takes over only pages whose inputs are unchanged, so it does not
    apply (and in strict mode it would abort the build)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def build_into(
    project: ProjectConfig,
    staging: Path,
    languages: tuple[LanguageSite, ...],
    takeover: Takeover | None = None,
) -> ShellReport:
    """The shell of ``ksite build``: one MkDocs build per language into ``staging`` (the
    default language at its root, the others in ``<lang>/``), each given its finished pages;
    with ``takeover``, unchanged pages are taken over from the published site."""
    collector = _Collector()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collector)
    notice = _DirtyNotice()
    build_log = logging.getLogger("mkdocs.commands.build")
    build_log.addFilter(notice)
    made: dict[str, str] = {}
    wrapped: list[str] = []
    try:
        for language in languages:
            plugin = _build_language(project, staging / language.prefix, language, takeover, collector)
            made.update(plugin.made)
            wrapped += [
                f"{language.lang}:{page.url}" for uri, page in plugin.pages.items() if uri not in plugin.taken
            ]
    finally:
        mkdocs_log.removeHandler(collector)
        build_log.removeFilter(notice)
    return ShellReport(made, tuple(wrapped))


def _build_language(
    project: ProjectConfig,
    target: Path,
    language: LanguageSite,
    takeover: Takeover | None,
    collector: _Collector,
) -> KsitePlugin:
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
    plugin.takeover = takeover
    # Set before any plugin's on_config runs: the search plugin picks its language from it.
    config.theme["language"] = language.lang
    config.plugins.on_startup(command="build", dirty=False)
    try:
        # Dirty: the staging folder is new, and MkDocs' cleaning of the default language's
        # root would remove the other languages, written beside it at the same time.
        mkdocs_build(config, dirty=True)
    except (Abort, MkDocsException) as exc:
        if plugin.failure is not None:
            raise plugin.failure from None
        problems = [error(project.config_file.name, 0, 0, f"MkDocs: {m}") for m in collector.messages]
        problems.append(error(project.config_file.name, 0, 0, f"MkDocs build failed: {exc}"))
        raise ContentError(problems) from None
    finally:
        config.plugins.on_shutdown()
    return plugin


PREVIEW_DIR = Path(".ksite-cache") / "serve" / "site"
"""Where ``ksite serve`` builds, under the project: kept between runs, so a new preview takes
over the last one's pages like ``ksite build`` takes over ``site/``'s."""


class Preview(LiveReloadServer):
    """MkDocs' live-reload server, which also shows a failed build's problems in the page.

    MkDocs' own server keeps the browser waiting after a failed rebuild ("the server will
    appear stuck") and shows nothing. Here a failed build still reloads the browser: every
    page is the last good build's, with the problems (file:line:column and what to do) over
    it, until a good save replaces both."""

    problems: bytes = b""
    """The last build's problems as an HTML block, or empty when it succeeded."""

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        content = super()._inject_js_into_html(content, epoch)
        if not self.problems:
            return content
        body = content.find(b"<body")
        at = content.find(b">", body) + 1 if body >= 0 else 0
        return content[:at] + self.problems + content[at:]

    def failed_page(self, code: int) -> bytes | None:
        """The page for a URL the last good build lacks (or before any build succeeded)."""
        if not self.problems:
            return None
        page = (
            b"<!doctype html><html><head><meta charset='utf-8'><title>ksite: build failed</title>"
            b"</head><body></body></html>"
        )
        return self._inject_js_into_html(page, self._visible_epoch)


def problems_html(problems: list[str]) -> bytes:
    """The block a failed preview build shows at the top of every page (styled inline: no
    stylesheet of the site can be relied on)."""
    items = "".join(f"<li><code>{html.escape(text)}</code></li>" for text in problems)
    return (
        '<div id="ksite-build-problems" role="alert" style="position:fixed;z-index:10000;top:0;left:0;'
        "right:0;max-height:60vh;overflow:auto;padding:1em 1.5em;background:#fff3f3;color:#5c0000;"
        'border-bottom:3px solid #b00020;font:15px/1.5 system-ui,sans-serif">'
        "<strong>ksite: the last save did not build.</strong> This page is the last good build. "
        "Fix these and save; the page reloads by itself."
        f'<ul style="margin:.5em 0 0;padding-left:1.2em">{items}</ul></div>'
    ).encode()


def serve(config_file: Path, dev_addr: str) -> None:
    """``ksite serve``: build every language into ``.ksite-cache/serve/site`` as ``ksite
    build`` does (same caches; no PDFs and no link check), serve it with live reload, and build again on every
    change to ``content/``, ``templates/`` or ``mkdocs.yml``. A save that does not build
    keeps the last good site and shows its problems in the page and on the terminal."""
    project = load_config(config_file)
    preview = replace(project, site_dir=project.root / PREVIEW_DIR)
    terminal = logging.StreamHandler()
    terminal.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(terminal)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)  # MkDocs' notes on every build: not here
    for name in ("mkdocs.livereload", log.name):
        logging.getLogger(name).setLevel(logging.INFO)
    host, _, port = dev_addr.rpartition(":")
    server = Preview(
        builder=lambda: None,
        host=host or "127.0.0.1",
        port=int(port),
        root=str(preview.site_dir),
        mount_path=urlsplit(project.site_url).path or "/",
        polling_interval=0.25,
    )
    server.error_handler = server.failed_page

    def rebuild() -> None:
        started = time.perf_counter()
        try:
            # No PDFs and no link check (``ksite build`` has both): a preview is for seeing.
            single = threading.active_count() == 1
            report = build(preview, build_into, pdf=False, check_links=False, parallel=single)
        except ContentError as exc:
            shown = [str(problem) for problem in exc.problems]
        except Exception as exc:  # noqa: BLE001 - the preview stays up and says what went wrong
            shown = [f"{type(exc).__name__}: {exc}"]
        else:
            server.problems = b""
            log.info(
                f"ksite: built {report.pages} pages in {time.perf_counter() - started:.2f} s "
                f"({len(report.rendered)} rendered, {len(report.wrapped)} written anew)"
            )
            return
        server.problems = problems_html(shown)
        log.error(
            "ksite: the last save did not build; the preview shows the last good build:\n" + "\n".join(shown)
        )

    server.builder = rebuild
    for path in (project.content_dir, project.templates_dir):
        if path.exists():
            server.watch(str(path))
    server.watch(str(project.config_file), recursive=False)
    rebuild()
    try:
        server.serve()
    except KeyboardInterrupt:
        log.info("Shutting down...")
    finally:
        server.shutdown()

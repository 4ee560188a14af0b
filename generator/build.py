"""The pipeline, top to bottom: load → validate → link → render → exports → shell → links → publish.

This is the one place that shows how ksite works; :func:`build` calls every stage itself.
Each stage is a module of functions from one value to the next. The site shell (MkDocs +
Material, :mod:`generator.mkdocs_plugin`) is passed in as a callable and receives finished
pages, so the core never imports it. What is kept between builds sits behind one seam,
:mod:`generator.cache`, which this module opens and hands to the stages; without it (``ksite
build --no-cache``) every stage does all its work and the site is the same, byte for byte.
"""

from __future__ import annotations

import gc
import os
import posixpath
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import TemplateError

from . import offload
from .cache import BuildCache
from .check import checked_site, template_problem
from .checklinks import SiteLinks, check_external_links, check_site, list_links
from .config import ProjectConfig
from .errors import ContentError, Problem, has_errors
from .i18n import Catalogue, load_catalogue
from .link import LinkedSite
from .pdf import BriefPrinter, print_briefs
from .render import PageMemo, RenderedPage, Renderer, SiteInfo
from .search import SearchEntry, fallback_script
from .search_pagefind import BUNDLE_DIR, PagefindRun, start_pagefind
from .templating import make_environment

SEARCH_FALLBACK = "search/ksite-fallback.js"
"""The compact search index for a copy opened from disk (see :mod:`generator.search`)."""


@dataclass(frozen=True)
class LanguageSite:
    """One language's finished pages and the files that go beside them, for the shell."""

    lang: str
    prefix: str
    """The language's folder in the site (``zh/``; ``""`` for the default language)."""
    pages: tuple[RenderedPage, ...]
    files: Mapping[str, bytes | Path]
    """Other files by path in the language's tree: PDF briefs (where they are kept), the
    fallback search index."""

    @property
    def search_entries(self) -> list[SearchEntry]:
        return [page.search for page in self.pages if page.search is not None]


@dataclass(frozen=True)
class ShellReport:
    """What the shell reports back (nothing yet beyond its own time)."""


Shell = Callable[[ProjectConfig, Path, tuple[LanguageSite, ...]], "ShellReport | None"]
"""Wraps each language's finished pages in the theme and writes them under a folder (the
default language at its root, the others in ``<lang>/``): the MkDocs adapter's ``build_into``."""


@dataclass
class BuildReport:
    """What a build did, for the closing summary and for tests."""

    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    """``lang:url`` of the pages rendered; unchanged pages came from the cache."""
    reused: list[str] = field(default_factory=list)
    external: int = 0
    """Distinct external URLs the site links to (fetched only with ``--check-external``)."""
    link_pages: int = 0
    """Pages whose links were checked."""
    removal: subprocess.Popen[bytes] | None = None
    """The process removing the previous site in the background, if there was one (see
    :func:`remove_in_background`); the build does not wait for it."""


def site_info(config: ProjectConfig, lang: str | None = None) -> SiteInfo:
    return SiteInfo(
        name=config.name_in(lang or config.default_language),
        url=config.site_url,
        languages=config.languages,
        default_language=config.default_language,
        index_file="" if config.directory_urls else "index.html",
    )


def site_catalogue(config: ProjectConfig, lang: str) -> Catalogue:
    """The interface text of ``lang`` for this site: packaged, the site's overrides
    (``templates/i18n/``) on top, and the default language's for keys not yet translated."""
    return load_catalogue(lang, config.templates_dir / "i18n", fallback=config.default_language)


def renderer_for(
    config: ProjectConfig, site: LinkedSite, lang: str, memo: PageMemo | None = None
) -> Renderer:
    env = make_environment(config.templates_dir)
    return Renderer(site, site_info(config, lang), site_catalogue(config, lang), env, memo=memo)


def brief_printer(config: ProjectConfig, folder: Path, salt: str = "") -> BriefPrinter:
    """The export stage's PDF printer for products and project sheets, writing into ``folder``
    (briefs there of the same inputs and ``salt`` are reused)."""
    env = make_environment(config.templates_dir)
    return BriefPrinter(
        env,
        cache(partial(site_info, config)),
        cache(partial(site_catalogue, config)),
        config.content_dir,
        folder,
        salt,
    )


def render_pages(
    config: ProjectConfig,
    site: LinkedSite,
    lang: str,
    printer: BriefPrinter | None = None,
    memo: PageMemo | None = None,
) -> Iterator[RenderedPage]:
    """Render stage: every page of one language with its search entry; template failures
    become positioned problems. With a ``printer`` (export stage), products and project
    sheets get their PDF brief and link to it; with a ``memo``, pages none of whose reads
    changed are taken from it."""
    renderer = renderer_for(config, site, lang, memo)
    try:
        yield from renderer.pages() if printer is None else print_briefs(renderer, printer)
    except (TemplateError, KeyError, TypeError, AttributeError) as exc:
        problem = template_problem(config, exc)
        if problem.pos.line == 0 and not isinstance(exc, TemplateError):
            raise
        raise ContentError([problem]) from exc


def language_site(
    config: ProjectConfig,
    site: LinkedSite,
    lang: str,
    printer: BriefPrinter | None = None,
    memo: PageMemo | None = None,
) -> LanguageSite:
    """Render and export one language: its pages, PDF briefs and fallback search index."""
    pages = tuple(render_pages(config, site, lang, printer, memo))
    files: dict[str, bytes | Path] = {}
    for page in pages:
        if page.pdf is not None:
            files[posixpath.join(page.url[len(page.prefix) :], page.pdf.name)] = page.pdf.path
    prefix = "" if lang == config.default_language else f"{lang}/"
    language = LanguageSite(lang, prefix, pages, files)
    files[SEARCH_FALLBACK] = fallback_script(language.search_entries).encode("utf-8")
    return language


def source_date_epoch(site: LinkedSite) -> int:
    """A build date taken from the content (its newest date), so builds are reproducible."""
    dates = [p.date for p in site.library.products.values()]
    for project in site.library.projects.values():
        dates.extend(v for v in project.timetable.values() if isinstance(v, str))
        generated = project.source.get("date_generated")
        if isinstance(generated, str):
            dates.append(generated)
    newest = max(dates, default="2000-01-01")
    return int(datetime.fromisoformat(newest).replace(tzinfo=UTC).timestamp())


def build(
    config: ProjectConfig,
    shell: Shell,
    *,
    pdf: bool = True,
    use_cache: bool = True,
    check_links: bool = True,
    check_external: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Check, render and export, have the shell write the site into a temporary folder, check
    its links, then swap it into ``site_dir``. Any failure leaves the previous ``site_dir``
    exactly as it was; with ``use_cache``, work kept in ``.ksite-cache/`` is reused."""
    report = BuildReport()
    started = time.perf_counter()
    tell = progress or (lambda stage: None)
    timed = partial(_timed, report)

    tell("checking content and templates")
    with timed("check"):
        site, problems = checked_site(config)  # load → validate → link, and template syntax
    if has_errors(problems):
        raise ContentError(problems)
    report.warnings = problems

    kept = BuildCache(config) if use_cache else None
    parent = config.site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{config.site_dir.name}-new-", dir=parent))
    scratch = Path(tempfile.mkdtemp(prefix=f".{config.site_dir.name}-work-", dir=parent))
    indexing: list[tuple[LanguageSite, PagefindRun]] = []
    # The model, and once rendered the pages, live to the end: every full collection of the
    # cyclic garbage collector walked them again (8.1 s of a clean build and 4.6 s of a
    # one-brief rebuild at N = 1,000, 6.6 % of each), so they are frozen out of its way.
    gc.freeze()
    try:
        with _build_date(site), timed("render"):
            printer = None
            if pdf:
                folder = kept.pdf_folder if kept is not None else scratch / "pdf"
                printer = brief_printer(config, folder, kept.settings_digest if kept is not None else "")
            languages = tuple(
                _render_language(config, site, lang, printer, kept, tell) for lang in config.languages
            )
        gc.freeze()
        if kept is not None:
            report.rendered, report.reused = kept.rendered(), kept.reused()
        else:
            report.rendered = [f"{p.lang}:{p.url}" for language in languages for p in language.pages]

        with timed("search index"):  # Pagefind indexes on the other core while the shell writes
            for language in languages:
                bundle = scratch / "pagefind" / language.lang
                indexing.append((language, start_pagefind(language.search_entries, language.lang, bundle)))

        tell(f"writing {', '.join(config.languages)}")
        with _build_date(site), timed("mkdocs"):
            shell(config, staging, languages)

        with timed("search index"):
            while indexing:
                language, run = indexing.pop(0)
                os.replace(run.finish(), staging / language.prefix / BUNDLE_DIR)

        tell("checking links" if check_links else "listing links")
        with timed("links"):
            links = _check_links(config, staging, kept, report) if check_links else list_links(staging)
        report.external = len({url for _, url in links.external_links()})
        if check_external:
            tell(f"checking {report.external} external links")
            report.warnings += check_external_links(staging, links=links)
        report.pages = sum(1 for name in links.files if posixpath.basename(name) == "index.html")

        with timed("publish"):
            previous = _swap(staging, config.site_dir)
            if previous is not None:
                report.removal = remove_in_background(previous)
    except BaseException:
        for _, run in indexing:
            run.cancel()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        gc.unfreeze()
        shutil.rmtree(scratch, ignore_errors=True)
    report.seconds["total"] = time.perf_counter() - started
    return report


def _render_language(
    config: ProjectConfig,
    site: LinkedSite,
    lang: str,
    printer: BriefPrinter | None,
    kept: BuildCache | None,
    tell: Callable[[str], None],
) -> LanguageSite:
    """:func:`language_site` with the language's page store, pruned once every page was asked for."""
    tell(f"rendering {lang}")
    memo = kept.page_store(site, lang) if kept is not None else None
    try:
        language = language_site(config, site, lang, printer, memo)
    except BaseException:
        if memo is not None:
            memo.close(prune=False)
        raise
    if memo is not None:
        memo.close(prune=True)
    return language


def _check_links(
    config: ProjectConfig, staging: Path, kept: BuildCache | None, report: BuildReport
) -> SiteLinks:
    scans = kept.scan_store() if kept is not None else None
    try:
        problems, links, report.link_pages = check_site(staging, urlsplit(config.site_url).path, scans)
    finally:
        if scans is not None:
            scans.close()
    if has_errors(problems):
        raise ContentError(problems)
    return links


@contextmanager
def _timed(report: BuildReport, step: str) -> Iterator[None]:
    """Add the seconds of the block to ``report.seconds[step]``."""
    started = time.perf_counter()
    try:
        yield
    finally:
        report.seconds[step] = report.seconds.get(step, 0.0) + time.perf_counter() - started


@contextmanager
def _build_date(site: LinkedSite) -> Iterator[None]:
    """``SOURCE_DATE_EPOCH`` from the content unless it is set, so dates in pages, PDFs and
    MkDocs' sitemap are the content's and two builds are byte-identical."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch(site))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _swap(staging: Path, site_dir: Path) -> Path | None:
    """Replace ``site_dir`` by ``staging`` with two renames, restoring the old one on failure.
    Returns where the old one was moved (``.site-old-<pid>-<random>`` beside it), if any."""
    backup = None
    if site_dir.exists():
        backup = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}-{secrets.token_hex(4)}")
        os.replace(site_dir, backup)
    try:
        os.replace(staging, site_dir)
    except BaseException:
        if backup is not None:
            os.replace(backup, site_dir)
        raise
    return backup


def _abandoned(folder: Path) -> bool:
    """Whether a swapped-out site's process (named in it) is gone, so no one else removes it
    or may still restore it. Only POSIX can ask; elsewhere each build removes only its own."""
    pid = folder.name.rsplit("-old-", 1)[-1].split("-")[0]
    if os.name != "posix" or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def remove_in_background(previous: Path) -> subprocess.Popen[bytes] | None:
    """Remove the site this build swapped out (and any that an interrupted removal left, whose
    process is gone) in a helper process that outlives the build, so ``ksite build`` returns
    as soon as the new site is in place.

    Removing 5,000 page folders took 2-3.5 s at N = 1,000 right after writing the new ones:
    longer than all of ksite's own work on a rebuild. The folder is hidden
    (``.site-old-<pid>-<random>``) and gone a few seconds later; CI's fresh checkout has none.
    If no helper can be started, it is removed here and None returned.
    """
    left = previous.parent.glob(f"{previous.name.rsplit('-old-', 1)[0]}-old-*")
    folders = [previous, *sorted(f for f in left if f != previous and _abandoned(f))]
    try:
        return subprocess.Popen(
            offload.command("remove-trees", *map(str, folders)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped by a Ctrl-C meant for the next command
        )
    except OSError:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        return None

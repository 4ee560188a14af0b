"""The pipeline, top to bottom: load → validate → link → render → (shell) → check links → swap.

This is the one place that shows how ksite works. Each stage is a module of pure functions;
the site shell (MkDocs + Material) is passed in as a callable, so the core never imports it.
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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from jinja2 import TemplateError

from . import offload
from .check import checked_site, collector_paused, template_problem
from .checklinks import PageScan, check_external_links, check_site, list_links
from .config import ProjectConfig
from .errors import ContentError, Problem, has_errors
from .i18n import Catalogue, load_catalogue
from .link import LinkedSite
from .parsecache import ParseCache
from .pdf import BriefPrinter, print_briefs
from .render import RenderedPage, Renderer, SiteInfo
from .templating import make_environment

if TYPE_CHECKING:
    from .cache import PageCache


@dataclass(frozen=True)
class ShellReport:
    """What the shell did with ksite's pages: ``lang:url`` of those rendered in this build and
    of those reused unchanged from the cache."""

    rendered: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    seconds: Mapping[str, float] = field(default_factory=dict)
    """ksite's own work inside the shell, by step (rendering, search index, hashing pages for
    the link check); the rest of the shell's time is MkDocs'."""
    digests: Mapping[str, str] = field(default_factory=dict)
    """:func:`generator.checklinks.page_digest` of each page the shell wrote, by path in the
    site, so that the link check need not read unchanged pages again."""
    scans: Mapping[str, PageScan] = field(default_factory=dict)
    """The pages the shell scanned for the link check (those that differ from its memo)."""


Shell = Callable[[ProjectConfig, Path, LinkedSite, "Path | None"], "ShellReport | None"]
"""Builds the site shell into a directory from the linked content (the MkDocs adapter's
``build_into``); it receives the content already loaded so nothing is read twice, and the link
memo the build checks links against (None: no memo), whose changed pages it may scan."""


@dataclass
class BuildReport:
    """What a build did, for the closing summary and for tests."""

    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    """``lang:url`` of the pages rendered; unchanged pages came from the cache."""
    reused: list[str] = field(default_factory=list)
    shell_ksite: dict[str, float] = field(default_factory=dict)
    """Of the shell's seconds, those spent in ksite's own steps."""
    external: int = 0
    """Distinct external URLs the site links to (fetched only with ``--check-external``)."""
    link_pages: int = 0
    """Pages whose links were checked (with a link memo, those that changed)."""
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
    config: ProjectConfig, site: LinkedSite, lang: str, compiled_in: Path | None = None
) -> Renderer:
    env = make_environment(config.templates_dir, compiled_in)
    return Renderer(site, site_info(config, lang), site_catalogue(config, lang), env)


def brief_printer(config: ProjectConfig, cache_dir: Path) -> BriefPrinter:
    """The export stage's PDF printer for products and project sheets, caching in ``cache_dir``."""
    env = make_environment(config.templates_dir)
    return BriefPrinter(
        env,
        cache(partial(site_info, config)),
        cache(partial(site_catalogue, config)),
        config.content_dir,
        cache_dir,
    )


def render_pages(
    config: ProjectConfig,
    site: LinkedSite,
    lang: str,
    printer: BriefPrinter | None = None,
    page_cache: PageCache | None = None,
    compiled_in: Path | None = None,
) -> Iterator[RenderedPage]:
    """Every page of one language; template failures become positioned problems. With a
    ``printer``, products and project sheets get their PDF brief and link to it; with a
    ``page_cache``, pages whose inputs did not change are reused; with ``compiled_in``,
    compiled templates are kept there between builds."""
    renderer = replace(renderer_for(config, site, lang, compiled_in), cache=page_cache)
    try:
        yield from renderer.pages() if printer is None else print_briefs(renderer, printer)
    except (TemplateError, KeyError, TypeError, AttributeError) as exc:
        problem = template_problem(config, exc)
        if problem.pos.line == 0 and not isinstance(exc, TemplateError):
            raise
        raise ContentError([problem]) from exc


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
    check_links: bool = True,
    check_external: bool = False,
    progress: Callable[[str], None] | None = None,
    link_memo: Path | None = None,
    parse_cache: Path | None = None,
) -> BuildReport:
    """Check, build into a temporary directory, check links, then swap into ``site_dir``.

    Any failure leaves the previous ``site_dir`` exactly as it was. With ``link_memo`` (a file
    in the cache), the link check looks again only at pages that changed since the last one;
    with ``parse_cache``, only content files that changed are parsed (and the file is updated).
    """
    report = BuildReport()
    started = time.perf_counter()
    tell = progress or (lambda stage: None)
    tell("checking content and templates")
    parsed = ParseCache.read(parse_cache) if parse_cache is not None else None
    with collector_paused():
        site, problems = checked_site(config, parsed)
        # Frozen (see _build_checked) before the collector runs again: its first young
        # collection would otherwise walk the whole new model (60 ms at N = 1,000).
        gc.freeze()
    try:
        if parsed is not None and parse_cache is not None:
            parsed.save(parse_cache)
        report.seconds["check"] = time.perf_counter() - started
        if has_errors(problems):
            raise ContentError(problems)
        report.warnings = problems
        _build_checked(config, shell, site, report, check_links, check_external, tell, link_memo)
    finally:
        gc.unfreeze()
    report.seconds["total"] = time.perf_counter() - started
    return report


def _build_checked(
    config: ProjectConfig,
    shell: Shell,
    site: LinkedSite,
    report: BuildReport,
    check_links: bool,
    check_external: bool,
    tell: Callable[[str], None],
    link_memo: Path | None,
) -> None:
    """:func:`build` once the content is checked.

    Meanwhile the loaded model (millions of long-lived objects) is frozen out of the cyclic
    collector's reach (``gc.freeze``): otherwise each full collection while pages are rendered
    and written walks it all again (measured: collections took 1.3 s of a 26 s rebuild at
    N = 1,000, and 0.7-0.9 s frozen). It is collected normally after the build.
    """
    parent = config.site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{config.site_dir.name}-new-", dir=parent))
    try:
        mark = time.perf_counter()
        previous_epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if previous_epoch is None:
            os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch(site))
        tell(f"rendering and building {', '.join(config.languages)}")
        try:
            memo = link_memo if check_links else None
            shell_report = shell(config, staging, site, memo) or ShellReport()
            report.rendered, report.reused = list(shell_report.rendered), list(shell_report.reused)
            report.shell_ksite = dict(shell_report.seconds)
        finally:
            if previous_epoch is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
        shell_seconds = time.perf_counter() - mark
        for step, spent in report.shell_ksite.items():
            report.seconds[step] = spent
        report.seconds["mkdocs"] = shell_seconds - sum(report.shell_ksite.values())
        mark = time.perf_counter()
        base_path = urlsplit(config.site_url).path
        if check_links:
            tell("checking links")
            link_problems, links, report.link_pages = check_site(
                staging, base_path, memo=link_memo, digests=shell_report.digests, scans=shell_report.scans
            )
            # Hashing the pages as they were written counts as the link check's work too.
            report.seconds["links"] = time.perf_counter() - mark + report.shell_ksite.get("links", 0.0)
            if has_errors(link_problems):
                raise ContentError(link_problems)
        else:
            links = list_links(staging)  # for the external links only
        report.external = len({url for _, url in links.external_links()})
        if check_external:
            tell(f"checking {report.external} external links")
            report.warnings += check_external_links(staging, links=links)
        report.pages = sum(1 for name in links.files if posixpath.basename(name) == "index.html")
        mark = time.perf_counter()
        previous = _swap(staging, config.site_dir)
        if previous is not None:
            report.removal = remove_in_background(previous)
        report.seconds["publish"] = time.perf_counter() - mark
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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

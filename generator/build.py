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
import json
import multiprocessing
import os
import posixpath
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, partial
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from jinja2 import TemplateError

from . import offload
from .cache import BuildCache
from .cache.sitefiles import SiteFiles
from .check import checked_site, template_problem
from .checklinks import SiteLinks, check_external_links, check_site, list_links
from .config import ProjectConfig
from .errors import ContentError, Problem, Severity, SourcePos, error, has_errors
from .export import language_files, of_format
from .i18n import Catalogue, load_catalogue
from .link import LinkedSite
from .pdf import BriefPrinter, print_briefs
from .render import PageMemo, RenderedPage, Renderer, SiteInfo
from .search import SearchEntry, fallback_script
from .search_pagefind import Indexing, plan_bundles
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


class Takeover(Protocol):
    """Files of the published site that the new one may take over as they are (the cache's
    :class:`~generator.cache.sitefiles.SiteFiles`): linked into the staging folder if the file
    of that name was made from the same key."""

    compiled_templates: Path
    """Where the shell may keep its compiled templates."""

    def take(self, name: str, key: str) -> bool: ...

    def take_folder(self, folder: str, key: str) -> bool: ...


@dataclass(frozen=True)
class ShellReport:
    """What the shell made: each page file's name in the site and the key it was made from
    (for the next build's :class:`Takeover`), and the pages it wrapped in the theme anew."""

    made: Mapping[str, str] = field(default_factory=dict)
    wrapped: tuple[str, ...] = ()
    """``lang:url`` of the pages the theme rendered; the others were taken over."""


Shell = Callable[[ProjectConfig, Path, tuple[LanguageSite, ...], Takeover | None], ShellReport]
"""Wraps each language's finished pages in the theme and writes them under a folder (the
default language at its root, the others in ``<lang>/``), taking over unchanged pages from the
published site where it can: the MkDocs adapter's ``build_into``."""


@dataclass
class BuildReport:
    """What a build did, for the closing summary and for tests."""

    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    """``lang:url`` of the pages rendered; unchanged pages came from the cache."""
    reused: list[str] = field(default_factory=list)
    wrapped: list[str] = field(default_factory=list)
    """``lang:url`` of the pages the theme rendered; the others were taken over from the
    published site unchanged."""
    external: int = 0
    """Distinct external URLs the site links to (fetched only with ``--check-external``)."""
    link_pages: int = 0
    """Pages whose links were checked."""
    removal: subprocess.Popen[bytes] | None = None
    """The process removing the previous site in the background, if there was one (see
    :func:`remove_in_background`); the build does not wait for it."""
    up_to_date: bool = False
    """Nothing the build reads had changed since the published site was built, and the site
    was as that build left it: nothing was done (the figures and warnings are that build's)."""

    def outcome(self) -> bytes:
        """What a build that changes nothing reports again: pages, links and warnings."""
        figures = {"pages": self.pages, "external": self.external, "link_pages": self.link_pages}
        return json.dumps({**figures, "warnings": [p.as_dict() for p in self.warnings]}).encode()

    @classmethod
    def unchanged(cls, outcome: bytes) -> BuildReport:
        kept = json.loads(outcome)
        warnings = [
            Problem(SourcePos(w["path"], w["line"], w["column"]), w["message"], Severity(w["severity"]))
            for w in kept["warnings"]
        ]
        return cls(
            kept["pages"],
            warnings=warnings,
            external=kept["external"],
            link_pages=kept["link_pages"],
            up_to_date=True,
        )


def site_info(config: ProjectConfig, lang: str | None = None) -> SiteInfo:
    return SiteInfo(
        name=config.name_in(lang or config.default_language),
        url=config.site_url,
        languages=config.languages,
        default_language=config.default_language,
        index_file="" if config.directory_urls else "index.html",
        publisher=config.publisher_in(lang or config.default_language),
        exports=config.exports,
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
    seconds: dict[str, float] | None = None,
) -> LanguageSite:
    """Render and export one language: its pages, PDF briefs, exported files and fallback
    search index (the exporters' time goes to ``seconds["exports"]``)."""
    pages = tuple(render_pages(config, site, lang, printer, memo))
    files: dict[str, bytes | Path] = {}
    for page in pages:
        if page.pdf is not None:
            files[posixpath.join(page.url[len(page.prefix) :], page.pdf.name)] = page.pdf.path
    with _timed_into(seconds if seconds is not None else {}, "exports"):
        files.update(language_files(config, site, lang))
    prefix = "" if lang == config.default_language else f"{lang}/"
    language = LanguageSite(lang, prefix, pages, files)
    files[SEARCH_FALLBACK] = fallback_script(language.search_entries).encode("utf-8")
    return language


def export(config: ProjectConfig, formats: Sequence[str], out: Path) -> dict[str, int]:
    """``ksite export``: check the content, then write the exported files of ``formats`` (see
    :data:`generator.export.FORMATS`) of every language into ``out``, laid out as in the site,
    without rendering a page. ``out`` is replaced whole, like ``site/``: a failure leaves it as
    it was. Returns the bytes written per file."""
    refusal = _export_refusal(config, out)
    if refusal:
        raise ContentError([error(str(out), 0, 0, refusal)])
    site, problems = checked_site(config)
    if has_errors(problems):
        raise ContentError(problems)
    written: dict[str, bytes] = {EXPORT_MARK: b"Written by ksite export; replaced whole by the next one.\n"}
    with _build_date(site):
        for lang in config.languages:
            prefix = "" if lang == config.default_language else f"{lang}/"
            for path, data in language_files(config, site, lang).items():
                if any(of_format(path, fmt) for fmt in formats):
                    written[prefix + path] = data
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = _staging_folder(out)
    try:
        for name, data in written.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        previous = _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
    return {name: len(data) for name, data in written.items()}


EXPORT_MARK = ".ksite-export"
"""The file that says a folder was written by ``ksite export`` (and may be replaced whole)."""


def _export_refusal(config: ProjectConfig, out: Path) -> str:
    """Why ``out`` must not be replaced by an export, or "": it holds the project or lies in
    one of its folders, or it is a folder of someone else's files."""
    out = out.resolve()
    mine = [config.root, config.content_dir, config.templates_dir, config.site_dir]
    if any(out == folder.resolve() or out in folder.resolve().parents for folder in mine):
        return (
            "ksite export replaces its folder whole: name a folder outside the project's own, such as export/"
        )
    if any(folder.resolve() in out.parents for folder in mine[1:]):
        return "ksite export replaces its folder whole: name one outside content/, templates/ and site/"
    if out.is_dir() and any(out.iterdir()) and not (out / EXPORT_MARK).is_file():
        return (
            f"{out} holds files ksite export did not write, and an export replaces its folder whole: "
            "name a new or empty folder"
        )
    return ""


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
    parallel: bool = True,
) -> BuildReport:
    """Check, render and export, have the shell write the site into a temporary folder, check
    its links, then swap it into ``site_dir``. Any failure leaves the previous ``site_dir``
    exactly as it was; with ``use_cache``, work kept in ``.ksite-cache/`` is reused, and if
    nothing it reads changed since the published site was built (and the site is untouched),
    nothing is done. The languages are built side by side unless ``parallel`` is off (a
    process with threads running, such as the live preview's server, must not fork)."""
    report = BuildReport()
    started = time.perf_counter()
    tell = progress or (lambda stage: None)
    timed = partial(_timed, report)

    kept = BuildCache(config) if use_cache else None
    inputs = None
    if kept is not None and not check_external:  # external links are fetched anew each time
        with timed("inputs"):
            inputs = kept.inputs(f"pdf={pdf} check_links={check_links}")
            outcome = kept.published_outcome(inputs) if inputs is not None else None
        if outcome is not None:
            unchanged = BuildReport.unchanged(outcome)
            unchanged.seconds = {**report.seconds, "total": time.perf_counter() - started}
            return unchanged

    tell("checking content and templates")
    with timed("check"):
        site, problems = checked_site(config)  # load → validate → link, and template syntax
    if has_errors(problems):
        raise ContentError(problems)
    report.warnings = problems

    parent = config.site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = _staging_folder(config.site_dir)
    scratch = Path(tempfile.mkdtemp(prefix=f".{config.site_dir.name}-work-", dir=parent))
    takeover = kept.site_files(staging) if kept is not None else None
    if takeover is not None:
        takeover.load()  # read once here, not once in each language's process
    # The model, and once rendered the pages, live to the end: every full collection of the
    # cyclic garbage collector walked them again (8.1 s of a clean build and 4.6 s of a
    # one-brief rebuild at N = 1,000, 6.6 % of each), so they are frozen out of its way.
    # Frozen before the languages fork, the model is also never copied by a collection.
    gc.freeze()
    try:
        with _build_date(site), timed("languages"):
            printer = None
            if pdf:
                folder = kept.pdf_folder if kept is not None else scratch / "pdf"
                printer = brief_printer(config, folder, kept.settings_digest if kept is not None else "")
            tell(f"rendering and writing {', '.join(config.languages)}")
            job = partial(_language, config, site, printer, kept, takeover, shell, staging, scratch)
            built = side_by_side(job, config.languages) if parallel else [job(x) for x in config.languages]
        made: dict[str, str] = {}
        """Files of the new site by name, with the key each was made from (for the next build)."""
        for language in built:
            report.rendered += language.rendered
            report.reused += language.reused
            report.wrapped += language.wrapped
            made.update(language.made)
        if takeover is not None:  # taken in the languages' processes: known here too
            takeover.taken = [name for language in built for name in language.taken]
            for step, seconds in language.seconds.items():  # side by side: the longest counts
                report.seconds[step] = max(report.seconds.get(step, 0.0), seconds)

        tell("checking links" if check_links else "listing links")
        with timed("links"):
            links = _check_links(config, staging, kept, takeover, resolve=check_links)
        report.external = len({url for _, url in links.external_links()})
        if check_external:
            tell(f"checking {report.external} external links")
            report.warnings += check_external_links(staging, links=links)
        report.pages = sum(1 for name in links.files if posixpath.basename(name) == "index.html")
        report.link_pages = sum(name.endswith(".html") for name in links.files) if check_links else 0

        with timed("publish"):
            previous = _swap(staging, config.site_dir)
            if previous is not None:
                report.removal = remove_in_background(previous)
            if takeover is not None:
                takeover.record(made, links, inputs, report.outcome())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        gc.unfreeze()
        shutil.rmtree(scratch, ignore_errors=True)
    report.seconds["total"] = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class LanguageBuild:
    """What the build of one language reports to the whole build."""

    rendered: list[str]
    reused: list[str]
    wrapped: list[str]
    made: dict[str, str]
    taken: list[str]
    """Files taken over from the published site (their digests spare the link check a read)."""
    seconds: dict[str, float]


def _language(
    config: ProjectConfig,
    site: LinkedSite,
    printer: BriefPrinter | None,
    kept: BuildCache | None,
    takeover: SiteFiles | None,
    shell: Shell,
    staging: Path,
    scratch: Path,
    lang: str,
) -> LanguageBuild:
    """Render, export and write one language into ``staging``: its pages (from the page store
    where none of their reads changed), its search bundles (Pagefind in the background while
    the shell writes, one bundle after another; a published bundle none of whose documents
    changed is taken over) and the shell."""
    seconds: dict[str, float] = {}
    already_taken = len(takeover.taken) if takeover is not None else 0
    with _timed_into(seconds, "render"):
        memo = kept.page_store(site, lang) if kept is not None else None
        try:
            language = language_site(config, site, lang, printer, memo, seconds)
        except BaseException:
            if memo is not None:
                memo.close(prune=False)
            raise
        if memo is not None:
            memo.close(prune=True)
    seconds["render"] -= seconds.get("exports", 0.0)  # the exporters' time is reported apart
    gc.freeze()
    made: dict[str, str] = {}
    indexing = None
    bundles = plan_bundles(language.search_entries, lang)
    try:
        with _timed_into(seconds, "search index"):
            todo = [
                bundle
                for bundle in bundles
                if takeover is None or not takeover.take_folder(language.prefix + bundle.folder, bundle.key)
            ]
            if todo:
                indexing = Indexing(todo, lang, scratch / "pagefind" / lang)
        with _timed_into(seconds, "mkdocs"):
            shelled = shell(config, staging, (language,), takeover)
        with _timed_into(seconds, "search index"):
            if indexing is not None:
                for folder, written in indexing.finish():
                    os.replace(written, staging / language.prefix / folder)
                indexing = None
    except BaseException:
        if indexing is not None:
            indexing.cancel()
        raise
    made.update(shelled.made)
    for bundle in bundles:
        made.update(_files_under(staging, language.prefix + bundle.folder, bundle.key))
    if memo is not None:
        rendered, reused = memo.rendered, memo.reused
    else:
        rendered, reused = [f"{lang}:{page.url}" for page in language.pages], []
    taken = takeover.taken[already_taken:] if takeover is not None else []
    return LanguageBuild(list(rendered), list(reused), list(shelled.wrapped), made, taken, seconds)


_Result = TypeVar("_Result")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def side_by_side(job: Callable[[str], _Result], languages: Sequence[str]) -> list[_Result]:
    """``job`` of each language, on as many cores as there are: the last language in this
    process, the others in processes forked for them.

    The languages are independent builds of the same checked site: forked after the check,
    the processes share the model and each renders and writes its own tree. (This process
    takes a language itself rather than wait: a process copies each part of the model it
    touches, so one process fewer is one copy fewer.) Where there is one core or one
    language, or no ``fork`` (Windows, macOS' default), they run here one after the other.
    Problems of every language are reported together."""
    workers = min(len(languages), os.cpu_count() or 1)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [job(lang) for lang in languages]
    context = multiprocessing.get_context("fork")
    pending = list(enumerate(languages))
    own_number, own_lang = pending.pop()
    running: dict[Connection, tuple[int, str, BaseProcess]] = {}
    results: dict[int, _Result] = {}
    problems: list[Problem] = []
    failure: BaseException | None = None

    def start_children(capacity: int) -> None:
        while pending and len(running) < capacity:
            number, lang = pending.pop(0)
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_run_in_child, args=(job, lang, send), name=f"ksite {lang}")
            running[receive] = (number, lang, child)
            child.start()
            send.close()

    try:
        start_children(workers - 1)
        try:
            results[own_number] = job(own_lang)
        except ContentError as exc:
            problems += exc.problems
        except Exception as exc:  # noqa: BLE001 - reported with the others' problems, as theirs are
            failure = exc
        while pending or running:
            start_children(workers)
            for ready in wait(list(running)):
                assert isinstance(ready, Connection)
                number, lang, process = running.pop(ready)
                try:
                    done, value = ready.recv()
                except Exception as exc:  # noqa: BLE001 - it died, or sent what cannot be read
                    process.join()
                    stopped = f"building {lang} stopped (exit code {process.exitcode}): {exc!r}"
                    done, value = False, RuntimeError(stopped)
                process.join()
                if done:
                    results[number] = value
                elif isinstance(value, ContentError):
                    problems += value.problems
                elif failure is None:
                    failure = value
    finally:  # interrupted: stop the others, letting them cancel their Pagefind runs first
        for _, _, left in running.values():
            if left.pid is not None:
                left.terminate()
        for _, _, left in running.values():
            if left.pid is not None:
                left.join(5)
                left.kill()
                left.join()
    if failure is not None:
        raise failure
    if problems:
        raise ContentError(problems)
    return [results[number] for number in sorted(results)]


def _run_in_child(job: Callable[[str], Any], lang: str, send: Connection) -> None:
    """Run ``job`` in a forked process and send back ``(True, result)`` or ``(False, error)``.
    Stopped (the build was interrupted), it unwinds as from Ctrl-C, cancelling Pagefind."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        send.send((True, job(lang)))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the build
        try:
            send.send((False, exc))
        except Exception:  # an error that does not pickle: its text does
            send.send((False, RuntimeError("".join(traceback.format_exception(exc)))))
    finally:
        send.close()


def _check_links(
    config: ProjectConfig,
    staging: Path,
    kept: BuildCache | None,
    takeover: SiteFiles | None,
    resolve: bool = True,
) -> SiteLinks:
    """The link check, with the scans kept and what the published site's check saw; without
    ``resolve`` only the list of files and external links."""
    scans = kept.scan_store() if kept is not None else None
    known, last = (takeover.digests(), takeover.last_check()) if takeover is not None else ({}, None)
    try:
        if not resolve:
            return list_links(staging, scans, known)
        problems, links = check_site(staging, urlsplit(config.site_url).path, scans, known, last)
    finally:
        if scans is not None:
            scans.close()
    if has_errors(problems):
        raise ContentError(problems)
    return links


def _files_under(root: Path, folder: str, key: str) -> dict[str, str]:
    """Every file under ``root/folder`` by its name in the site, each with ``key``."""
    return {path.relative_to(root).as_posix(): key for path in (root / folder).rglob("*") if path.is_file()}


def _timed(report: BuildReport, step: str) -> AbstractContextManager[None]:
    """Add the seconds of the block to ``report.seconds[step]``."""
    return _timed_into(report.seconds, step)


@contextmanager
def _timed_into(seconds: dict[str, float], step: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[step] = seconds.get(step, 0.0) + time.perf_counter() - started


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


def _staging_folder(target: Path) -> Path:
    """A new hidden folder beside ``target`` to build it in, with the permissions a folder made
    there by ``mkdir`` would have (``mkdtemp`` makes it private to its owner, and it becomes
    ``target``: a web server running as another user could not read the site)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    mask = os.umask(0o022)
    os.umask(mask)
    staging.chmod(0o777 & ~mask)
    return staging


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

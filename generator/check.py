"""The checking half of the pipeline: load → validate → link, and the site's templates.

``ksite check`` runs only this module (it never imports the renderer, the PDF printer, MkDocs,
nor Jinja unless the site has templates of its own, which keeps it quick); ``ksite build``
starts with it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import ProjectConfig, option_position
from .errors import Problem, error, has_errors, warning
from .link import LinkedSite, check_attachments, link_library
from .load import content_files, display_path, load_content
from .validate import validate_documents


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the model is built.

    Loading makes millions of small objects and no cycles; each automatic collection walks the
    whole growing heap, which made loading up to twice as slow. Memory is still freed by
    reference counting, and the collector resumes afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_site(config: ProjectConfig) -> tuple[LinkedSite, list[Problem]]:
    """Load, validate and link the content; every problem of every file is returned."""
    with collector_paused():
        return _load_site(config)


def _load_site(config: ProjectConfig) -> tuple[LinkedSite, list[Problem]]:
    files = list(content_files(config.content_dir))
    documents, problems = load_content(files, config.root)
    loaded = {doc.path for doc in documents}
    unreadable = (
        [(kind, path.stem) for kind, path in files if display_path(path, config.root) not in loaded]
        if len(loaded) < len(files)
        else []
    )
    library, validation_problems = validate_documents(documents, config.default_language, unreadable)
    site, link_problems = link_library(library)
    link_problems += check_attachments(library, config.content_dir / "media")
    return site, problems + validation_problems + link_problems


def check_templates(config: ProjectConfig) -> list[Problem]:
    """Compile the site's own templates (``templates/``), reporting syntax errors at their line.

    ksite's packaged templates are compiled by its test suite, not on every check; a site's
    template that replaces one of them is compiled here like any other.
    """
    folder = config.templates_dir
    if not folder.is_dir():
        return []
    names = sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.suffix in (".html", ".xml", ".css") and path.is_file()
    )
    if not names:
        return []
    from jinja2 import TemplateSyntaxError

    from .templating import make_environment

    env = make_environment(folder)
    problems = []
    for name in names:
        try:
            env.get_template(name)
        except TemplateSyntaxError as exc:
            problems.append(template_problem(config, exc))
    return problems


def template_problem(config: ProjectConfig, exc: Exception) -> Problem:
    from jinja2 import TemplateSyntaxError  # Jinja is imported only where templates are used

    if isinstance(exc, TemplateSyntaxError):
        path = exc.filename or exc.name or "template"
        return error(display_path(Path(path), config.root), exc.lineno, 1, f"template error: {exc.message}")
    frame = exc.__traceback__
    where: tuple[str, int] | None = None
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml")):
            where = (filename, frame.tb_lineno)
        frame = frame.tb_next
    if where is None:
        return error(config.templates_dir.name, 0, 0, f"template error: {exc}")
    return error(display_path(Path(where[0]), config.root), where[1], 1, f"template error: {exc}")


def checked_site(config: ProjectConfig) -> tuple[LinkedSite, list[Problem]]:
    """Everything ``ksite check`` reports, and the site it loaded; writes nothing."""
    from .export.iati import iati_problems

    site, problems = load_site(config)
    problems += check_templates(config) + share_image_problems(config)
    if has_errors(problems):  # the IATI warnings are of a site that loaded and linked
        return site, problems
    return site, problems + iati_problems(site.library, config.exports)


def share_image_problems(config: ProjectConfig) -> list[Problem]:
    """The ``share_image`` option must name a file under ``media/`` of the content folder: only
    that folder is copied into the site, and a share card must not point at nothing."""
    image = config.share_image
    if not image:
        return []
    where = display_path(config.config_file, config.root)
    line, column = option_position(config.config_file.read_text("utf-8"), ("share_image",))
    if not image.startswith("media/") or ".." in image.split("/"):
        return [
            error(
                where, line, column, f"share_image '{image}' must be a path under media/ (content/media/...)"
            )
        ]
    if not (config.content_dir / image).is_file():
        return [
            error(where, line, column, f"share_image '{image}' does not exist in {config.content_dir.name}/")
        ]
    return []


def missing_site_url(config: ProjectConfig) -> list[Problem]:
    """``ksite check``'s one warning when ``site_url`` is not set, saying what is left out."""
    if config.site_url:
        return []
    return [
        warning(
            display_path(config.config_file, config.root),
            0,
            0,
            "site_url is not set, so these are left out: sitemap.xml, the Atom feeds, robots.txt's "
            "Sitemap lines, canonical links, the URL and image of share cards, and the page addresses "
            "in citations and printed briefs; set site_url to the address the site is published at",
        )
    ]

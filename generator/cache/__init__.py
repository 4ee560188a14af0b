"""Everything ksite keeps between builds, behind one seam: ``.ksite-cache/``.

The stages never import this package. :mod:`generator.build` opens a :class:`BuildCache` and
hands its parts to the stages through the small interfaces they declare (the render stage's
:class:`~generator.render.PageMemo`, the PDF printer's folder and salt); without it they do
all the work again and give the same site. Every key includes :func:`keys.code_digest`
(ksite's installed files, Python's and the output-shaping libraries' versions), so an upgrade
never reuses anything.

What is kept, and why it pays (figures in docs/architecture.md):

- ``pages/<lang>.sqlite3``: rendered pages with their search entries and what they read
  (:mod:`generator.cache.pages`); rendering and search documents are most of ksite's work.
- ``pdf/<digest>.pdf``: PDF briefs by the digest of their inputs; WeasyPrint takes seconds a
  brief.
- ``sites/<folder digest>.sqlite3``: the published site's files and the key each was made from
  (:mod:`generator.cache.sitefiles`); a page or search bundle made from the same key is taken
  over by a hard link instead of being made again, which is most of a small rebuild.
  The same store keeps the digest of the inputs the published site was built from
  (:mod:`generator.cache.inputs`): a build with nothing changed stops after comparing them.
- ``scans.sqlite3``: the link check's scan of each page, by the digest of the page's bytes
  (:mod:`generator.cache.scans`); scanning every page is most of the link check.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from ..config import ProjectConfig
from ..link import LinkedSite
from .inputs import inputs_digest
from .keys import code_digest, folder_digest
from .pages import Answers, PageStore
from .scans import ScanStore
from .sitefiles import SiteFiles, published_outcome

FOLDER = ".ksite-cache"


@dataclass
class BuildCache:
    """The cache of one build of one site."""

    config: ProjectConfig
    folder: Path = field(init=False)
    _answers: Answers | None = None

    def __post_init__(self) -> None:
        self.folder = self.config.root / FOLDER

    @cached_property
    def settings_digest(self) -> str:
        """ksite's code and libraries, the site's templates and its settings: what every page
        and brief depends on beside the content it reads."""
        config = self.config
        digest = hashlib.sha256(code_digest().encode())
        digest.update(folder_digest(config.templates_dir).encode())
        digest.update(config.config_file.read_bytes() if config.config_file.is_file() else b"")
        # Where the site is written changes no page: ``ksite serve`` builds elsewhere with the
        # same stores.
        digest.update(repr(replace(config, site_dir=config.root)).encode())
        return digest.hexdigest()

    def page_store(self, site: LinkedSite, lang: str) -> PageStore:
        """The kept pages of ``lang``, checked against ``site``'s answers."""
        if self._answers is None or self._answers.site is not site:
            self._answers = Answers(site)
        salt = hashlib.sha256(f"{self.settings_digest}\0{lang}".encode()).hexdigest()
        return PageStore(self.folder / "pages" / f"{lang}.sqlite3", salt, self._answers)

    @property
    def pdf_folder(self) -> Path:
        return self.folder / "pdf"

    def scan_store(self) -> ScanStore:
        """The link check's scans; they depend on the page's bytes and ksite's code only."""
        return ScanStore(self.folder / "scans.sqlite3", code_digest())

    def inputs(self, options: str) -> str | None:
        """The digest of everything a build with ``options`` reads (None where unknowable)."""
        return inputs_digest(self.config, options)

    def published_outcome(self, inputs: str) -> bytes | None:
        """What the build of the published site reported, if it read the same ``inputs`` and
        the site is as it wrote it: building again would write the same files."""
        return published_outcome(self._site_store, self.settings_digest, self.config.site_dir, inputs)

    @property
    def _site_store(self) -> Path:
        """A store per site folder: ``ksite build`` and ``ksite serve`` publish in different ones."""
        where = hashlib.sha256(str(self.config.site_dir.resolve()).encode()).hexdigest()[:16]
        return self.folder / "sites" / f"{where}.sqlite3"

    def site_files(self, staging: Path) -> SiteFiles:
        """The published site's files, to be taken over into ``staging`` where unchanged."""
        return SiteFiles(
            self._site_store,
            self.config.site_dir,
            staging,
            self.settings_digest,
            self.folder / "theme-templates",
        )

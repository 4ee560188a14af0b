"""Export stage: the PDF brief of every knowledge product and project sheet, by WeasyPrint.

A brief is the page's own rendered HTML (one Markdown rendering for screen and paper) put into
the print template ``print/brief.html`` and styled by ``print/brief.css``; a site overrides
either in its ``templates/print/``. The template adds what paper needs: the PDF's metadata, a
running header, "page N of M" in the document's language, and a closing block with the date
the brief is "as of", its citation, its URL and a QR code of the URL.

Builds are reproducible: every date in a PDF comes from the content, WeasyPrint writes no file
identifier, and nothing is fetched from the network (only ``file:`` and ``data:`` URLs under
the content folder). Briefs are cached by a digest of everything that goes into them, so a
rebuild re-renders only what changed; a hit does not even import WeasyPrint.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment
from markupsafe import Markup

from . import __version__
from .errors import ContentError, error
from .i18n import Catalogue
from .printlinks import links_for_pdf
from .render import RenderedPage, Renderer, SiteInfo
from .views import PdfFile

TEMPLATE = "print/brief.html"
STYLESHEET = "print/brief.css"
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_TAGS = re.compile(r"<[^>]+>")
_IMAGE = re.compile(r'<img\b[^>]*\ssrc="([^"]*)"')


@dataclass
class PrintStats:
    """What the printer did in one build, for the build's closing line and the benchmark."""

    made: int = 0
    cached: int = 0
    seconds: float = 0.0


@dataclass
class BriefPrinter:
    """Makes the PDF brief of a rendered page, or takes it from the cache."""

    env: Environment
    site: Callable[[str], SiteInfo]
    """The site's settings as a language shows them (its name in the running footer)."""
    catalogue: Callable[[str], Catalogue]
    """The interface text of a language (page numbers, "as of", citation labels)."""
    content_dir: Path
    """Relative images of a page resolve here, as in the built site (``media/``)."""
    cache_dir: Path
    """Where briefs are written, each named by the digest of its inputs: a brief already
    there is reused (``ksite build`` gives ``.ksite-cache/pdf``, ``--no-cache`` a fresh folder)."""
    salt: str = ""
    """What else shapes every brief, from whoever keeps them (ksite's code and settings)."""
    stats: PrintStats = field(default_factory=PrintStats)

    def print(self, page: RenderedPage) -> PdfFile:
        """The page's brief, as a file in the cache named by the digest of its inputs."""
        started = time.perf_counter()
        digest = self._digest(page)
        path = self.cache_dir / f"{digest}.pdf"
        if path.is_file():
            self.stats.cached += 1
        else:
            document = self.document(page)
            if CJK.search(_TAGS.sub("", document)) and cjk_font() is None:
                where = page.source or page.url
                raise ContentError(
                    [
                        error(
                            where,
                            1,
                            1,
                            f"the PDF brief of {page.url} has Chinese text but no CJK font is installed; "
                            "install Noto Sans CJK (Debian: apt-get install fonts-noto-cjk) "
                            "or build without PDFs (ksite build --no-pdf)",
                        )
                    ]
                )
            _write_atomically(path, self.render_pdf(document, page))
            self.stats.made += 1
        self.stats.seconds += time.perf_counter() - started
        return PdfFile(name=f"{page.key}.pdf", size=path.stat().st_size, path=path)

    def document(self, page: RenderedPage) -> str:
        """The print HTML of a page: its content in the print template."""
        assert page.brief is not None, f"{page.url} is not a printable page"
        catalogue = self.catalogue(page.lang)
        return self.env.get_template(TEMPLATE).render(
            t=catalogue.label,
            lang=page.lang,
            site=self.site(page.lang),
            title=page.title,
            kind=page.kind,
            key=page.key,
            brief=page.brief,
            content=Markup(links_for_pdf(page.html)),
            page_numbers=_counter_text(catalogue.label("pdf_page_of")),
            css=css_string,
            qr=qr_code(page.brief.url) if page.brief.url else "",
            version=__version__,
        )

    def render_pdf(self, document: str, page: RenderedPage) -> bytes:
        from weasyprint import CSS, HTML

        base = self.content_dir / page.url[len(page.prefix) :]
        fetcher = _local_fetcher(self.content_dir)
        stylesheet = CSS(string=self._source(STYLESHEET), url_fetcher=fetcher)
        html = HTML(string=document, base_url=base.as_uri() + "/", url_fetcher=fetcher)
        pdf: bytes = html.write_pdf(stylesheets=[stylesheet])
        return pdf

    def _images(self, page: RenderedPage) -> dict[str, str]:
        """Digests of the local images a page shows: a changed image makes a new brief."""
        base = self.content_dir / page.url[len(page.prefix) :]
        found = {}
        for src in sorted(set(_IMAGE.findall(page.html))):
            if src.startswith(("data:", "http://", "https://")):
                continue
            path = (base / unquote(src.split("#")[0].split("?")[0])).resolve()
            if path.is_file():
                found[src] = hashlib.sha256(path.read_bytes()).hexdigest()
        return found

    def _source(self, name: str) -> str:
        assert self.env.loader is not None
        return self.env.loader.get_source(self.env, name)[0]

    def _digest(self, page: RenderedPage) -> str:
        """Everything a brief is made from: page, print template and styles, interface text,
        site, and the versions of ksite and WeasyPrint."""
        parts = {
            "page": [page.url, page.title, page.lang, page.kind, page.key, page.html, repr(page.brief)],
            "site": repr(self.site(page.lang)),
            "labels": self.catalogue(page.lang).labels,
            "template": self._source(TEMPLATE),
            "stylesheet": self._source(STYLESHEET),
            "macros": self._source("_macros.html"),
            "versions": [__version__, _weasyprint_version(), self.salt],
            "images": self._images(page),
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def print_briefs(renderer: Renderer, printer: BriefPrinter) -> Iterator[RenderedPage]:
    """Every page of ``renderer``'s language; products and project sheets printed first, from
    their HTML without the link, then rendered again with "Download PDF (size)"."""
    pages = list(renderer.pages())
    pdfs = {page.url: printer.print(page) for page in pages if page.brief is not None}
    linked = renderer.with_pdfs(pdfs)
    for page in pages:
        yield linked.page(page.kind, page.key) if page.url in pdfs else page


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return Markup(f'"{escaped}"')


def _counter_text(template: str) -> Markup:
    """``Page {page} of {pages}`` as CSS ``content``: ``"Page " counter(page) " of " counter(pages)``."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece in ("{page}", "{pages}"):
            parts.append(f"counter({piece[1:-1]})")
        elif piece:
            parts.append(str(css_string(piece)))
    return Markup(" ".join(parts))


def qr_code(url: str) -> str:
    """A QR code of ``url`` as an SVG data URL (made without Pillow)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(url, image_factory=SvgPathImage, border=1)
    svg: bytes = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@cache
def cjk_font() -> str | None:
    """The file of a font that fontconfig (which WeasyPrint uses) picks for Chinese, if that
    font really has Chinese characters; None when no such font is installed."""
    from fontTools.ttLib import TTFont
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", b"sans-serif")
        fontconfig.FcPatternAddString(pattern, b"lang", b"zh-cn")
        fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(config, pattern, result)
        if match == ffi.NULL:
            return None
        value = ffi.new("FcChar8 **")
        found = fontconfig.FcPatternGetString(match, b"file", 0, value)
        # The string belongs to the match: read it before the match is freed.
        path = ffi.string(value[0]).decode() if found == fontconfig.FcResultMatch else ""
        fontconfig.FcPatternDestroy(match)
        if not path:
            return None
    finally:
        fontconfig.FcPatternDestroy(pattern)
        fontconfig.FcConfigDestroy(config)
    try:
        font = TTFont(path, fontNumber=0, lazy=True)
        has_chinese = ord("中") in font.getBestCmap()
    except Exception:  # noqa: BLE001 - a font fontTools cannot read does not count
        return None
    return path if has_chinese else None


@cache
def _weasyprint_version() -> str:
    return importlib.metadata.version("weasyprint")


def _local_fetcher(root: Path) -> Any:
    """WeasyPrint's URL fetcher limited to ``data:`` and files under ``root``."""
    from weasyprint.urls import URLFetcher

    allowed = root.resolve()

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not path.is_relative_to(allowed):
                    raise ValueError(f"{url} is outside the content folder")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols={"file", "data"})


def _write_atomically(path: Path, data: bytes) -> None:
    """Write so that a concurrent or interrupted build never sees half a PDF in the cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

"""Citation files beside each product page: ``<id>.bib``, ``<id>.ris`` and ``<id>.csl.json``,
from the same :class:`~generator.citation.CitationRecord` as the page's "Cite this" block."""

from __future__ import annotations

from ..citation import bibtex, citation_record, csl_json, ris
from ..config import ProjectConfig
from ..i18n import load_catalogue
from ..link import LinkedSite
from ..pagekinds import page_url

WRITERS = {".bib": bibtex, ".ris": ris, ".csl.json": csl_json}


def citation_files(config: ProjectConfig, site: LinkedSite, lang: str) -> dict[str, bytes]:
    """Every product's citation files in ``lang``, by path in that language's tree."""
    prefix = "" if lang == config.default_language else f"{lang}/"
    catalogue = load_catalogue(lang, config.templates_dir / "i18n", fallback=config.default_language)
    files: dict[str, bytes] = {}
    for product_id in site.library.products:
        record = citation_record(
            site,
            catalogue,
            product_id,
            publisher=config.publisher_in(lang),
            site_url=config.site_url,
            lang_prefix=prefix,
        )
        folder = page_url("product", product_id, prefix)[len(prefix) :]
        for suffix, write in WRITERS.items():
            files[f"{folder}{product_id}{suffix}"] = write(record)
    return files

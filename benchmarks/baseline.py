"""The baseline: the pages of a synthetic corpus as plain Markdown in an MkDocs + Material site.

This is what a user could do by hand instead of ksite: one Markdown file per page ksite makes
(home, the four index pages, each project, each output, each knowledge product, each place and
topic), carrying the same fields as tables and sections and the same product bodies, with
``project:`` references rewritten as relative links. The navigation is the same five tabs ksite
sets; MkDocs' automatic navigation would list every page on every page, which no one would ship
at 10,000 pages and which makes the build quadratic.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from corpus import SITE_URL, THEME, SyntheticContent, dump_yaml

_REFERENCE = re.compile(r"\(project:(?P<number>[0-9]{5}-[0-9]{3})(?:/outputs/(?P<output>[0-9]+))?\)")
NAV = [
    {"Home": "index.md"},
    {"Projects": "projects/index.md"},
    {"Knowledge": "knowledge/index.md"},
    {"Places": "places/index.md"},
    {"Topics": "topics/index.md"},
]


def make_baseline(root: Path, content: SyntheticContent, languages: tuple[str, ...] = ("en",)) -> None:
    """Write ``mkdocs.yml`` and ``docs/`` (one tree per language, the others under ``<lang>/``)."""
    site = {
        "site_name": f"Plain MkDocs baseline, N = {len(content.projects)}",
        # A published site's address: canonical links, sitemaps, feeds and citations are written.
        "site_url": SITE_URL,
        "docs_dir": "docs",
        "site_dir": "site",
        "use_directory_urls": True,
        "theme": THEME,
        "plugins": ["search"],
        "nav": NAV,
        "markdown_extensions": [{"toc": {"permalink": False}}, "tables"],
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(dump_yaml(site), "utf-8")
    pages = dict(_pages(content))
    for i, lang in enumerate(languages):
        prefix = "" if i == 0 else f"{lang}/"
        for path, text in pages.items():
            target = root / "docs" / (prefix + path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")


def _link(source: str, target: str) -> str:
    """Relative link between two files under ``docs/``, as MkDocs resolves them."""
    return posixpath.relpath(target, posixpath.dirname(source))


def _project_file(number: str) -> str:
    return f"projects/{number}/index.md"


def _output_file(number: str, output: int) -> str:
    return f"projects/{number}/outputs/{output}.md"


def _text(value: Any, lang: str = "en") -> str:
    """A ksite text (string or language map) as one string."""
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values())))
    return "" if value is None else str(value)


def _product_link(source: str, product: Any) -> str:
    return f"[{product.meta['title']}]({_link(source, 'knowledge/' + product.meta['id'] + '.md')})"


def _project_link(source: str, project: dict[str, Any]) -> str:
    return f"[{project['number']}: {project['title']}]({_link(source, _project_file(project['number']))})"


def _tag_links(source: str, kind: str, slugs: Iterable[str], records: dict[str, dict[str, Any]]) -> str:
    return ", ".join(f"[{_text(records[s]['name'])}]({_link(source, f'{kind}/{s}.md')})" for s in slugs)


def _table(rows: Iterable[tuple[str, str]], head: tuple[str, str] = ("Field", "Value")) -> str:
    lines = [f"| {head[0]} | {head[1]} |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines) + "\n"


def _bullets(items: Iterable[str]) -> str:
    return "".join(f"- {item}\n" for item in items)


def _pages(content: SyntheticContent) -> Iterable[tuple[str, str]]:
    """(path under docs/, Markdown) for every page, the same set of pages ksite builds."""
    products_of: dict[str, list[Any]] = defaultdict(list)
    products_at: dict[str, list[Any]] = defaultdict(list)
    projects_at: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for product in content.products:
        products_of[product.meta["project"]].append(product)
        for slug in product.meta["places"] + product.meta["topics"]:
            products_at[slug].append(product)
    for project in content.projects:
        for slug in project["places"] + project["topics"]:
            projects_at[slug].append(project)
    newest = sorted(content.products, key=lambda p: (p.meta["date"], p.meta["id"]), reverse=True)
    projects = sorted(content.projects, key=lambda p: p["number"])

    def project_links(source: str, items: Iterable[dict[str, Any]]) -> str:
        return _bullets(_project_link(source, p) for p in items)

    def product_links(source: str, items: Iterable[Any]) -> str:
        return _bullets(
            f"{_product_link(source, p)} ({p.meta['type']}, {p.meta['date']}): {p.meta['summary']}"
            for p in items
        )

    funding = sum(s["amount"] for p in projects for f in p["funding"] for s in f["sources"])
    figures = [
        ("Projects", str(len(projects))),
        ("Knowledge products", str(len(newest))),
        ("Total funding", f"USD {funding:,}"),
    ]
    yield (
        "index.md",
        (
            f"# Synthetic corpus\n\n{_table(figures)}\n"
            f"## Latest knowledge products\n\n{product_links('index.md', newest[:6])}\n"
            f"## Projects\n\n{project_links('index.md', projects)}"
        ),
    )
    rows = (
        f"| [{p['number']}]({_link('projects/index.md', _project_file(p['number']))}) | {p['title']} "
        f"| {p['status']} | {', '.join(p['countries'])} | {p['sectors'][0]['sector']} |"
        for p in projects
    )
    yield (
        "projects/index.md",
        (
            "# Projects\n\n| Number | Title | Status | Country | Sector |\n| --- | --- | --- | --- | --- |\n"
            + "\n".join(rows)
            + "\n"
        ),
    )
    for project in projects:
        related = products_of[project["number"]]
        yield _project_file(project["number"]), _project_page(project, related, content)
        for output in project["outputs"]:
            path = _output_file(project["number"], output["number"])
            yield path, _output_page(path, project, output, related)
    yield "knowledge/index.md", "# Knowledge\n\n" + product_links("knowledge/index.md", newest)
    for product in content.products:
        yield f"knowledge/{product.meta['id']}.md", _product_page(product, content)
    for kind, names in (("places", content.places), ("topics", content.topics)):
        index = f"{kind}/index.md"
        yield (
            index,
            f"# {kind.title()}\n\n"
            + _bullets(
                f"[{_text(v['name'])}]({_link(index, f'{kind}/{k}.md')})" for k, v in sorted(names.items())
            ),
        )
        for slug, record in names.items():
            path = f"{kind}/{slug}.md"
            parent = record.get("parent")
            rows_ = [("Kind", record.get("kind", "topic"))]
            if parent:
                rows_.append(("Within", _tag_links(path, "places", [parent], content.places)))
            yield (
                path,
                (
                    f"# {_text(record['name'])}\n\n{_table(rows_)}\n{_text(record.get('description'))}\n\n"
                    f"## Projects\n\n{project_links(path, projects_at[slug])}\n"
                    f"## Knowledge products\n\n{product_links(path, products_at[slug])}"
                ),
            )


Rows = list[tuple[str, str]]


def _tags(source: str, content: SyntheticContent, places: list[str], topics: list[str]) -> Rows:
    return [
        ("Places", _tag_links(source, "places", places, content.places)),
        ("Topics", _tag_links(source, "topics", topics, content.topics)),
    ]


def _project_page(project: dict[str, Any], products: list[Any], content: SyntheticContent) -> str:
    path = _project_file(project["number"])
    sheet = [
        ("Project number", project["number"]),
        ("Country", ", ".join(project["countries"])),
        ("Status", project["status"]),
        ("Modality", ", ".join(project["modalities"])),
        ("Strategic agendas", ", ".join(project["strategic_agendas"])),
        ("Sectors", "; ".join(f"{s['sector']} – {', '.join(s['subsectors'])}" for s in project["sectors"])),
        ("Gender", project["gender"]),
        ("Location", project["location"]),
        *_tags(path, content, project["places"], project["topics"]),
    ]
    funding = "| Instrument | Approval number | Source of funding | Amount |\n| --- | --- | --- | ---: |\n"
    funding += "".join(
        f"| {f['instrument']}: {f['title']} | {f['approval_number']} | {s['name']} "
        f"| {s['currency']} {s['amount']:,} |\n"
        for f in project["funding"]
        for s in f["sources"]
    )
    outputs = "".join(
        f"{o['number']}. [{o['statement']}]({_link(path, _output_file(project['number'], o['number']))})\n"
        for o in project["outputs"]
    )
    officer = [(k.title(), str(v)) for k, v in project["officer"].items()]
    officer += [("Executing agency", a["name"]) for a in project["executing_agencies"]]
    timetable = project["timetable"]
    dates = [
        (k.replace("_", " ").capitalize(), v if isinstance(v, str) else f"{v['start']} – {v['end']}")
        for k, v in timetable.items()
    ]
    related = _bullets(_product_link(path, p) for p in products)
    return (
        f"# {project['title']}\n\n## Project\n\n{_table(sheet)}\n### Funding\n\n{funding}\n"
        f"## Description\n\n{project['description']}\n\n## Rationale\n\n{project['rationale']}\n"
        f"## Impact, outcome, outputs\n\n### Impact\n\n{_bullets(project['impact'])}\n"
        f"### Outcome\n\n{_bullets(project['outcome'])}\n### Outputs\n\n{outputs}\n"
        f"## Responsible officer\n\n{_table(officer)}\n## Timetable\n\n{_table(dates)}\n"
        f"## Knowledge products\n\n{related}"
    )


def _output_page(path: str, project: dict[str, Any], output: dict[str, Any], products: list[Any]) -> str:
    indicators = "| Indicator | Baseline | Target |\n| --- | --- | --- |\n" + "".join(
        f"| {i['text']} | {i['baseline']} | {i['target']} |\n" for i in output["indicators"]
    )
    serving = [p for p in products if output["number"] in p.meta["outputs"]]
    links = _bullets(_product_link(path, p) for p in serving)
    return (
        f"# Output {output['number']}: {output['statement']}\n\n"
        f"Project: {_project_link(path, project)}\n\n"
        f"## Indicators\n\n{indicators}\n## Knowledge products\n\n{links}"
    )


def _product_page(product: Any, content: SyntheticContent) -> str:
    meta = product.meta
    path = f"knowledge/{meta['id']}.md"
    number = meta["project"]
    outputs = ", ".join(f"[Output {o}]({_link(path, _output_file(number, o))})" for o in meta["outputs"])
    about = [
        ("Type", meta["type"]),
        ("Date", meta["date"]),
        ("Authors", "; ".join(meta["authors"])),
        ("Project", f"[{number}]({_link(path, _project_file(number))})"),
        ("Outputs", outputs),
        *_tags(path, content, meta["places"], meta["topics"]),
    ]

    def rewrite(match: re.Match[str]) -> str:
        target = match["number"]
        file = _output_file(target, int(match["output"])) if match["output"] else _project_file(target)
        return f"({_link(path, file)})"

    body = _REFERENCE.sub(rewrite, product.body)
    return f"# {meta['title']}\n\n**Summary:** {meta['summary']}\n\n{body}\n## About\n\n{_table(about)}"

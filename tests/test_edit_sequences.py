"""Caches that cannot go stale (issue 15): random sequences of edits to a ksite project, each
followed by an incremental ``ksite build`` (``.ksite-cache/`` and the previous ``site/`` kept),
after which ``site/`` must equal a clean build of the same sources, byte for byte, every file of
both languages.

A Hypothesis state machine edits every kind of input: project records (fields, translation
maps, outputs, whole records added and deleted), knowledge products (front matter, bodies, new
and deleted products, their translations), images in content/media/, places, topics, free pages
(the home intro too), template overrides, interface catalogue overrides and ``mkdocs.yml``.
Every edit keeps the content valid: text comes from a fixed word list, dates are real dates,
references name what exists and nothing still referenced is deleted. A clean build that fails
is a bug of this test; an incremental build that fails or differs is a stale cache, reported
with the edits so far, the differing files and where the first one differs.

Builds run through the CLI in a subprocess (the interface that outlives refactors of the
caches), with ``SOURCE_DATE_EPOCH`` fixed. The incremental project always lives at the same path
(each example starts from a copy of one built snapshot), so caches never see a moved project; the
clean build runs at the same time, in a copy without ``.ksite-cache/`` and ``site/``, and is
remembered by a hash of its sources (shrinking replays the same states many times).

Most examples build with ``--no-pdf`` on the bundled content; one test builds the PDF briefs of
a small project (one project record, two products). Examples are derandomized, so CI runs the
same sequences every time; ``KSITE_EDIT_EXAMPLES``, ``KSITE_EDIT_STEPS`` and
``KSITE_EDIT_RANDOM=1`` widen or randomize a local run. Run with ``-s`` to see each edit.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

import generator

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PACKAGE = Path(generator.__file__).resolve().parent
"""The generator under test: the subprocesses import this very package (PYTHONPATH)."""
EPOCH = "1600387200"
"""SOURCE_DATE_EPOCH of every build (18 September 2020): no date may depend on the clock."""
LANGUAGES = ("en", "zh")
SMALL_PRODUCTS = ("resource-exhausted-cities-in-heilongjiang", "innovation-enabling-systems")
"""The products of the small project the PDF test builds (the first has a zh translation)."""


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _settings(examples: int, steps: int) -> settings:
    return settings(
        max_examples=_env_int("KSITE_EDIT_EXAMPLES", examples),
        stateful_step_count=_env_int("KSITE_EDIT_STEPS", steps),
        deadline=None,
        derandomize=os.environ.get("KSITE_EDIT_RANDOM") != "1",
        database=None if os.environ.get("KSITE_EDIT_RANDOM") != "1" else settings.default.database,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        report_multiple_bugs=False,  # stop at the first stale page: each example costs builds
        # No explain phase: it varies a failing example many times over (builds each time) to
        # comment on it, after shrinking has made it small enough to read.
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
    )


# -- valid values ------------------------------------------------------------------------------

EN_WORDS = (
    "green",
    "city",
    "plan",
    "innovation",
    "Harbin",
    "water",
    "policy",
    "2030",
    "A&B",
    "O'Neil",
    "café",
)
ZH_WORDS = ("绿色", "城市", "创新", "黑龙江", "规划", "数据", "政策", "知识")
PLAIN_WORDS = tuple(w for w in EN_WORDS if w.isalnum() and w.isascii())
"""Words safe anywhere, even inside a template or a CSS comment."""
PRODUCT_TYPES = ("research-brief", "policy-note", "report", "event", "dataset", "presentation")
PLACE_KINDS = ("country", "province", "prefecture", "city", "county", "district", "region", "other")
NEW_PRODUCTS = ("new-brief", "zz-late-note")
NEW_PROJECTS = ("12345-001", "99999-002")
NEW_PLACES = ("daqing", "yichun")
NEW_TOPICS = ("energy", "aa-first-topic")
NEW_PAGES = ("about", "data-policy")
MEDIA = ("figure.svg", "chart.svg")
COLOURS = ("#2e7d32", "#1565c0", "#c62828")
SHOWN_LABELS = (
    "knowledge",
    "projects",
    "places",
    "topics",
    "key_figures",
    "latest_knowledge",
    "all_knowledge",
    "related_knowledge",
    "knowledge_for_output",
    "type",
    "date",
    "authors",
    "example",
    "made_with",
    "total_funding",
    "description",
    "outputs",
    "download_pdf",
    "as_of",
    "cite_this",
)
"""Interface labels that the pages (or the PDFs) show."""
DATE_FORMATS = ("{day} {month} {year}", "{year}-{month_number:02d}-{day:02d}", "{month} {day}, {year}")
LINK = re.compile(r"\]\((project|knowledge|place|topic):([^)\s#]+)")
TRANSLATION_FILE = re.compile(r"^(?P<stem>[a-z0-9-]+)\.(?P<lang>[a-z]{2,3})\.md$")


def words(lang: str = "en", most: int = 4) -> st.SearchStrategy[str]:
    pool = ZH_WORDS if lang == "zh" else EN_WORDS
    return st.lists(st.sampled_from(pool), min_size=1, max_size=most).map(("" if lang == "zh" else " ").join)


def plain_words(most: int = 3) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(PLAIN_WORDS), min_size=1, max_size=most).map(" ".join)


def texts() -> st.SearchStrategy[str | dict[str, str]]:
    """A record's text field: a plain string (the record's language) or a map of languages."""
    return st.one_of(
        words("en"),
        st.fixed_dictionaries({"en": words("en"), "zh": words("zh")}),
        st.fixed_dictionaries({"zh": words("zh")}),
        st.fixed_dictionaries({"en": words("en")}),
    )


def dates() -> st.SearchStrategy[str]:
    """ISO dates, often equal to the bundled products' (ties in "newest first" order); the
    simplest is older than every bundled product."""
    return st.one_of(
        st.sampled_from(("2019-12-31", "2020-09-16", "2021-01-15")),
        st.dates(dt.date(2015, 1, 1), dt.date(2026, 12, 31)).map(str),
    )


@st.composite
def bodies(draw: st.DrawFn, lang: str, targets: Sequence[str], images: Sequence[str] = ()) -> str:
    """A Markdown body: paragraphs, headings, lists, admonitions, links to existing content and
    (``images``: files of content/media/, for a product's page two folders down) images."""
    blocks: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(("paragraph", "heading", "list", "link", "admonition", "image")))
        if kind == "image" and images:
            blocks.append(f"![{draw(words(lang))}](../../media/{draw(st.sampled_from(sorted(images)))})")
        elif kind == "heading":
            blocks.append("## " + draw(words(lang)))
        elif kind == "list":
            items = draw(st.lists(words(lang), min_size=1, max_size=3))
            blocks.append("\n".join(f"- {item}" for item in items))
        elif kind == "link" and targets:
            blocks.append(f"See [{draw(words(lang))}]({draw(st.sampled_from(targets))}).")
        elif kind == "admonition":
            blocks.append(f'!!! note "{draw(words(lang))}"\n    {draw(words(lang, 8))}')
        else:
            blocks.append(draw(words(lang, 10)))
    return "\n" + "\n\n".join(blocks) + "\n"


@st.composite
def rich_texts(draw: st.DrawFn, targets: Sequence[str]) -> str | dict[str, str]:
    """A record's Markdown text field, which may link to content too."""
    form = draw(st.sampled_from(("plain", "both", "en", "zh")))
    if form == "plain":
        return draw(bodies("en", targets)).strip()
    langs = ("en", "zh") if form == "both" else (form,)
    return {lang: draw(bodies(lang, targets)).lstrip() for lang in langs}


def svg(colour: str, word: str) -> str:
    """A small image for content/media/ (shown in product bodies and their PDFs)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40">'
        f'<rect width="160" height="40" fill="{colour}"/><text x="8" y="26" fill="#fff">{word}</text></svg>\n'
    )


def subsets(values: Sequence[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(sorted(values)), unique=True, max_size=3) if values else st.just([])


# -- the project on disk -----------------------------------------------------------------------


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def read_markdown(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text("utf-8")
    if not text.startswith("---\n"):
        return {}, text
    end = text.index("\n---\n", 3)
    return yaml.safe_load(text[4:end]) or {}, text[end + 5 :]


def write_markdown(path: Path, front: dict[str, Any], body: str) -> None:
    head = f"---\n{dump_yaml(front)}---\n" if front else ""
    path.write_text(head + body, "utf-8")


@dataclass
class Project:
    """A ksite project's sources, read and written as files (no generator internals)."""

    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    def mkdocs(self) -> dict[str, Any]:
        data: dict[str, Any] = yaml.safe_load(self.config_file.read_text("utf-8"))
        return data

    def ksite_options(self, data: dict[str, Any] | None = None) -> dict[str, Any]:
        for entry in (data or self.mkdocs())["plugins"]:
            if isinstance(entry, dict) and "ksite" in entry:
                options: dict[str, Any] = entry["ksite"]
                return options
        raise AssertionError("mkdocs.yml has no ksite plugin entry")

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def templates(self) -> Path:
        return self.root / str(self.ksite_options().get("templates_dir", "templates"))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def read_yaml(self, path: Path) -> Any:
        return yaml.safe_load(path.read_text("utf-8"))

    def write_yaml(self, path: Path, data: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_yaml(data), "utf-8")

    # what exists

    def product_files(self) -> dict[str, Path]:
        folder = self.content / "knowledge"
        return {p.stem: p for p in sorted(folder.glob("*.md")) if "." not in p.stem}

    def translation_files(self, folder: str = "knowledge") -> dict[tuple[str, str], Path]:
        found = {}
        for path in sorted((self.content / folder).glob("*.md")):
            match = TRANSLATION_FILE.match(path.name)
            if match:
                found[(match["stem"], match["lang"])] = path
        return found

    def project_files(self) -> dict[str, Path]:
        return {p.stem: p for p in sorted((self.content / "projects").glob("*.yaml"))}

    def place_files(self) -> dict[str, Path]:
        return {p.stem: p for p in sorted((self.content / "places").glob("*.yaml"))}

    @property
    def topics_file(self) -> Path:
        return self.content / "topics.yaml"

    def topics(self) -> dict[str, Any]:
        data: dict[str, Any] = self.read_yaml(self.topics_file) or {}
        return data

    def page_files(self) -> dict[str, Path]:
        return {p.stem: p for p in sorted((self.content / "pages").glob("*.md")) if "." not in p.stem}

    def media_files(self) -> dict[str, Path]:
        folder = self.content / "media"
        return {p.name: p for p in sorted(folder.glob("*"))} if folder.is_dir() else {}

    def outputs(self, number: str) -> list[int]:
        record = self.read_yaml(self.project_files()[number])
        return [int(o["number"]) for o in record.get("outputs") or []]

    def product_language(self, product_id: str) -> str:
        front, _ = read_markdown(self.product_files()[product_id])
        return str(front.get("language", "en"))

    def targets(self) -> list[str]:
        """Every reference a Markdown link may name."""
        found = [f"knowledge:{i}" for i in self.product_files()]
        found += [f"place:{s}" for s in self.place_files()]
        found += [f"topic:{s}" for s in self.topics()]
        for number in self.project_files():
            found.append(f"project:{number}")
            found += [f"project:{number}/outputs/{n}" for n in self.outputs(number)]
        return found

    def used(self) -> set[str]:
        """Every reference some content makes (links and reference fields): what may not go."""
        refs: set[str] = set()
        media = self.media_files()
        for path in self.content.rglob("*"):
            if path.suffix in (".md", ".yaml") and path.is_file():
                text = path.read_text("utf-8")
                for scheme, target in LINK.findall(text):
                    refs.add(f"{scheme}:{target}")
                    refs.add(f"{scheme}:{target.split('/')[0]}")
                refs |= {f"media:{name}" for name in media if name in text}
        for path in self.product_files().values():
            front, _ = read_markdown(path)
            if front.get("project"):
                refs.add(f"project:{front['project']}")
                refs |= {f"project:{front['project']}/outputs/{n}" for n in front.get("outputs") or []}
            refs |= {f"place:{s}" for s in front.get("places") or []}
            refs |= {f"topic:{s}" for s in front.get("topics") or []}
        for path in self.project_files().values():
            record = self.read_yaml(path)
            refs |= {f"place:{s}" for s in record.get("places") or []}
            refs |= {f"topic:{s}" for s in record.get("topics") or []}
        for path in self.place_files().values():
            parent = self.read_yaml(path).get("parent")
            if parent:
                refs.add(f"place:{parent}")
        return refs

    def ancestors(self, slug: str) -> set[str]:
        seen: set[str] = set()
        current: str | None = slug
        while current and current not in seen and current in self.place_files():
            seen.add(current)
            current = self.read_yaml(self.place_files()[current]).get("parent")
        return seen

    def descendants(self, slug: str) -> set[str]:
        return {s for s in self.place_files() if slug in self.ancestors(s)}


# -- building and comparing ----------------------------------------------------------------------


@dataclass
class BuildResult:
    returncode: int
    output: str
    seconds: float


def build_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = EPOCH
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE.parent), env.get("PYTHONPATH", "")) if p)
    return env


def run_build(root: Path, *, cache: bool, pdf: bool) -> BuildResult:
    command = [sys.executable, "-m", "generator", "-f", str(root / "mkdocs.yml"), "build"]
    command += [] if pdf else ["--no-pdf"]
    command += [] if cache else ["--no-cache"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=root, env=build_env(), capture_output=True, text=True, timeout=900)
    return BuildResult(done.returncode, (done.stdout + done.stderr).strip(), time.perf_counter() - started)


def remove(folder: Path) -> None:
    """Remove a project folder. A build leaves a helper process removing the site it replaced
    (``.site-old-*``) after it exits, so the folder is first moved out of the way."""
    if not folder.exists():
        return
    trash = folder.with_name(f"{folder.name}-removed-{time.monotonic_ns()}")
    folder.rename(trash)
    shutil.rmtree(trash, ignore_errors=True)


def _not_sources(folder: str, names: list[str]) -> set[str]:
    """Caches and built sites, and the folders a build swaps in and out (``.site-new-*``,
    ``.site-old-*``)."""
    return {n for n in names if n in (".ksite-cache", "site") or n.startswith((".site-old-", ".site-new-"))}


def copy_sources(source: Path, target: Path) -> None:
    """The project without its caches and its built site."""
    remove(target)
    shutil.copytree(source, target, ignore=_not_sources)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _clip(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more characters)"


def explain(name: str, incremental: bytes, clean: bytes) -> list[str]:
    """Where two versions of a file differ: the first differing spot, then a unified diff excerpt."""
    at = next((i for i, (a, b) in enumerate(zip(incremental, clean, strict=False)) if a != b), None)
    at = min(len(incremental), len(clean)) if at is None else at
    try:
        inc_text, clean_text = incremental.decode("utf-8"), clean.decode("utf-8")
    except UnicodeDecodeError:
        return [
            f"{name}: binary, {len(incremental)} bytes (incremental) vs {len(clean)} (clean), first "
            f"difference at byte {at}:",
            f"  clean:       {clean[max(0, at - 40) : at + 80]!r}",
            f"  incremental: {incremental[max(0, at - 40) : at + 80]!r}",
        ]
    char = len(incremental[:at].decode("utf-8", "ignore"))
    line = inc_text.count("\n", 0, char) + 1
    lines = [
        f"{name}: first difference at line {line}:",
        f"  clean:       {clean_text[max(0, char - 100) : char + 140]!r}",
        f"  incremental: {inc_text[max(0, char - 100) : char + 140]!r}",
        "unified diff (excerpt):",
    ]
    diff = difflib.unified_diff(
        clean_text.splitlines(),
        inc_text.splitlines(),
        f"clean/{name}",
        f"incremental/{name}",
        n=1,
        lineterm="",
    )
    excerpt = [_clip(d) for _, d in zip(range(40), diff, strict=False)]
    return lines + excerpt


def differences(incremental: Path, clean: Path) -> list[str]:
    """An empty list when both sites are the same, file for file and byte for byte."""
    mine, theirs = tree(incremental), tree(clean)
    only_mine = sorted(mine.keys() - theirs.keys())
    only_theirs = sorted(theirs.keys() - mine.keys())
    # Pages first: a stale page explains the search index, sitemap and PDF that follow from it.
    differ = sorted(
        (k for k in mine.keys() & theirs.keys() if mine[k] != theirs[k]),
        key=lambda k: (not k.endswith(".html"), "pagefind/" in k, k),
    )
    if not (only_mine or only_theirs or differ):
        return []
    report = [f"{len(differ)} files differ: {', '.join(differ[:30])}{' ...' * (len(differ) > 30)}"]
    if only_mine:
        report.append(f"only in the incremental site: {', '.join(only_mine[:30])}")
    if only_theirs:
        report.append(f"only in the clean site: {', '.join(only_theirs[:30])}")
    if differ:
        report += explain(differ[0], mine[differ[0]], theirs[differ[0]])
    return report


def sources_key(root: Path) -> str:
    """A hash of everything a clean build reads: the project without caches and site/."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(set(dirs) - _not_sources(folder, dirs))
        for name in sorted(files):
            path = Path(folder, name)
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def digests(root: Path) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in tree(root).items()}


@dataclass
class Workspace:
    """Where one test's projects live: ``snapshot`` holds the sources with their first
    incremental build (site/ and .ksite-cache/); each example copies it to ``incremental``.

    Clean builds are remembered by a hash of their sources (file digests of the site): the
    same sources recur when Hypothesis replays a sequence to shrink it, and a clean build of
    the same sources is the same site (``prepare`` checks that once)."""

    root: Path
    pdf: bool
    timings: list[float] = field(default_factory=list)
    steps: int = 0
    clean_sites: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def snapshot(self) -> Path:
        return self.root / "snapshot"

    @property
    def incremental(self) -> Path:
        return self.root / "incremental"

    @property
    def clean(self) -> Path:
        return self.root / "clean"

    def prepare(self, copy: Callable[[Path], None]) -> None:
        copy(self.incremental)
        first = run_build(self.incremental, cache=True, pdf=self.pdf)
        assert first.returncode == 0, first.output
        clean = self.build_clean()
        assert clean.returncode == 0, clean.output
        found = differences(self.incremental / "site", self.clean / "site")
        assert not found, "two builds of the same sources from scratch differ:\n" + "\n".join(found)
        ignore = shutil.ignore_patterns(".site-old-*", ".site-new-*")
        shutil.copytree(self.incremental, self.snapshot, symlinks=True, ignore=ignore)
        self.clean_sites[sources_key(self.incremental)] = digests(self.clean / "site")

    def restore(self) -> None:
        print("-- a new sequence")
        remove(self.incremental)
        shutil.copytree(self.snapshot, self.incremental, symlinks=True)

    def build_clean(self) -> BuildResult:
        copy_sources(self.incremental, self.clean)
        return run_build(self.clean, cache=False, pdf=self.pdf)

    def build(self) -> tuple[BuildResult, BuildResult | None, dict[str, str]]:
        """The incremental build, and the clean one (at the same time, one core each) unless
        the same sources were built cleanly before; with the clean site's file digests."""
        started = time.perf_counter()
        key = sources_key(self.incremental)
        known = self.clean_sites.get(key)
        if known is not None:
            incremental, clean = run_build(self.incremental, cache=True, pdf=self.pdf), None
        else:
            copy_sources(self.incremental, self.clean)  # before the incremental build writes
            with ThreadPoolExecutor(2) as pool:
                later = pool.submit(run_build, self.incremental, cache=True, pdf=self.pdf)
                clean = run_build(self.clean, cache=False, pdf=self.pdf)
                incremental = later.result()
            if clean.returncode == 0:
                known = self.clean_sites[key] = digests(self.clean / "site")
        self.timings.append(time.perf_counter() - started)
        return incremental, clean, known or {}


def copy_bundled(target: Path) -> None:
    """The repo's site project: mkdocs.yml, content/ and templates/."""
    target.mkdir(parents=True)
    shutil.copytree(REPO / "content", target / "content")
    if (REPO / "templates").is_dir():
        shutil.copytree(REPO / "templates", target / "templates")
    shutil.copy2(REPO / "mkdocs.yml", target / "mkdocs.yml")


def copy_small(target: Path) -> None:
    """The bundled project with only the products of :data:`SMALL_PRODUCTS` (PDFs are slow)."""
    copy_bundled(target)
    for path in (target / "content" / "knowledge").glob("*.md"):
        if path.name.split(".")[0] not in SMALL_PRODUCTS:
            path.unlink()


# -- the state machine ---------------------------------------------------------------------------


class EditSequences(RuleBasedStateMachine):
    """Each rule makes one valid edit, then builds incrementally and cleanly and compares."""

    workspace: ClassVar[Workspace]

    def __init__(self) -> None:
        super().__init__()
        self._project = Project(self.workspace.incremental)
        self._restored = False
        self.log: list[str] = []

    @property
    def project(self) -> Project:
        """The project, as the snapshot left it when a sequence starts (copied only once a
        rule runs: shrinking tries many sequences of no step at all)."""
        if not self._restored:
            self.workspace.restore()
            self._restored = True
        return self._project

    # one step

    def edit(self, description: str) -> None:
        """Record the edit just made, build both ways, and compare the sites."""
        self.log.append(description)
        self.workspace.steps += 1
        incremental, clean, expected = self.workspace.build()
        history = "\n".join(f"  {i}. {line}" for i, line in enumerate(self.log, 1))
        if clean is not None and clean.returncode != 0:
            raise AssertionError(
                f"an edit made invalid content (a bug of this test's strategies):\n{history}\n{clean.output}"
            )
        if incremental.returncode != 0:
            raise AssertionError(
                "the incremental build failed where a clean build of the same sources succeeded, "
                f"after these edits (each followed by a build):\n{history}\n{incremental.output}"
            )
        site = self.workspace.incremental / "site"
        print(f"{self.workspace.timings[-1]:5.1f} s  {len(self.log)}. {_clip(description, 200)}")
        if digests(site) == expected:
            return
        if clean is None:  # remembered: build it again, for the files and their differences
            assert self.workspace.build_clean().returncode == 0
        found = differences(site, self.workspace.clean / "site")
        assert found, "the clean build differs from an earlier clean build of the same sources"
        raise AssertionError(
            "stale cache: the incremental site/ differs from a clean build of the same sources "
            f"(SOURCE_DATE_EPOCH={EPOCH}) after these edits, each followed by a build:\n{history}\n"
            f"incremental build: {incremental.output.splitlines()[-1] if incremental.output else ''}\n"
            + "\n".join(found)
            + f"\n(projects kept in {self.workspace.root})"
        )

    # project records

    def _record(self, data: st.DataObject) -> tuple[str, Path, dict[str, Any]]:
        number = data.draw(st.sampled_from(sorted(self.project.project_files())), label="project")
        path = self.project.project_files()[number]
        return number, path, self.project.read_yaml(path)

    def edit_project_field(self, data: st.DataObject) -> None:
        number, path, record = self._record(data)
        targets = self.project.targets()
        name = data.draw(
            st.sampled_from(
                (
                    "title",
                    "description",
                    "rationale",
                    "location",
                    "status",
                    "gender",
                    "countries",
                    "impact",
                    "outcome",
                    "officer",
                    "timetable",
                    "funding",
                    "places",
                    "topics",
                    "sectors",
                    "extra",
                    "language",
                )
            ),
            label="field",
        )
        value: Any
        if name == "title":
            value = data.draw(texts())
        elif name in ("description", "rationale", "location"):
            value = data.draw(st.one_of(st.none(), rich_texts(targets)))
        elif name == "status":
            value = data.draw(st.sampled_from(("Proposed", "Approved", "Active", "Closed", None)))
        elif name == "gender":
            value = data.draw(st.one_of(st.none(), words()))
        elif name == "countries":
            value = data.draw(
                st.lists(st.sampled_from(("China, People's Republic of", "Mongolia")), unique=True)
            )
        elif name in ("impact", "outcome"):
            value = data.draw(st.lists(texts(), max_size=2))
        elif name == "officer":
            value = dict(record.get("officer") or {})
            key = data.draw(st.sampled_from(("name", "department", "division")))
            value[key] = data.draw(st.one_of(st.none(), words()))
        elif name == "timetable":
            value = dict(record.get("timetable") or {})
            key = data.draw(st.sampled_from(("concept_clearance", "mrm", "approval", "last_pds_update")))
            value[key] = data.draw(st.one_of(st.none(), dates()))
        elif name == "funding":
            value = [
                {
                    "instrument": data.draw(st.sampled_from(("TA", "Loan"))),
                    "title": data.draw(words()),
                    "sources": data.draw(
                        st.lists(
                            st.fixed_dictionaries(
                                {
                                    "name": words(),
                                    "amount": st.one_of(st.none(), st.integers(0, 10**7)),
                                    "currency": st.sampled_from(("USD", "CNY")),
                                },
                                optional={
                                    "kind": st.sampled_from(("financing", "cofinancing", "counterpart"))
                                },
                            ),
                            min_size=1,
                            max_size=2,
                        )
                    ),
                }
            ]
        elif name == "places":
            value = data.draw(subsets(list(self.project.place_files())))
        elif name == "topics":
            value = data.draw(subsets(list(self.project.topics())))
        elif name == "sectors":
            value = [{"sector": data.draw(words()), "subsectors": data.draw(st.lists(words(), max_size=2))}]
        elif name == "language":  # the language of the record's plain-string texts
            value = data.draw(st.sampled_from(LANGUAGES))
        else:
            value = {data.draw(plain_words(2)): data.draw(st.one_of(st.none(), words()))}
        record[name] = value
        self.project.write_yaml(path, record)
        self.edit(f"{self.project.rel(path)}: set {name} to {value!r}")

    def edit_output(self, data: st.DataObject) -> None:
        number, path, record = self._record(data)
        outputs = record.setdefault("outputs", [])
        action = data.draw(st.sampled_from(("statement", "indicator", "add")), label="action")
        if action == "add" or not outputs:
            new = max((int(o["number"]) for o in outputs), default=0) + 1
            outputs.append({"number": new, "statement": data.draw(texts())})
            what = f"add output {new}: {outputs[-1]!r}"
        else:
            output = data.draw(st.sampled_from(outputs), label="output")
            if action == "statement":
                output["statement"] = data.draw(texts())
                what = f"set the statement of output {output['number']} to {output['statement']!r}"
            else:
                indicator = {"text": data.draw(texts()), "target": data.draw(st.one_of(st.none(), texts()))}
                output.setdefault("indicators", []).append(indicator)
                what = f"add to output {output['number']} the indicator {indicator!r}"
        self.project.write_yaml(path, record)
        self.edit(f"{self.project.rel(path)}: {what}")

    def _removable_outputs(self) -> list[tuple[str, int]]:
        used = self.project.used()
        return [
            (number, n)
            for number in self.project.project_files()
            for n in self.project.outputs(number)
            if f"project:{number}/outputs/{n}" not in used
        ]

    def remove_output(self, data: st.DataObject) -> None:
        number, n = data.draw(st.sampled_from(self._removable_outputs()), label="output")
        path = self.project.project_files()[number]
        record = self.project.read_yaml(path)
        record["outputs"] = [o for o in record["outputs"] if int(o["number"]) != n]
        self.project.write_yaml(path, record)
        self.edit(f"{self.project.rel(path)}: remove output {n}")

    def add_project(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(sorted(set(NEW_PROJECTS) - set(self.project.project_files()))))
        record: dict[str, Any] = {"number": number, "title": data.draw(texts())}
        record.update(
            data.draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "status": st.sampled_from(("Proposed", "Active")),
                        "description": rich_texts(self.project.targets()),
                        "places": subsets(list(self.project.place_files())),
                        "topics": subsets(list(self.project.topics())),
                        "outputs": st.just([{"number": 1, "statement": "green"}]),
                        "funding": st.integers(0, 10**6).map(
                            lambda amount: [
                                {
                                    "instrument": "TA",
                                    "sources": [{"name": "TASF", "amount": amount, "currency": "USD"}],
                                }
                            ]
                        ),
                    },
                )
            )
        )
        path = self.project.content / "projects" / f"{number}.yaml"
        self.project.write_yaml(path, record)
        self.edit(f"add {self.project.rel(path)}: {record!r}")

    def _deletable_projects(self) -> list[str]:
        used = self.project.used()
        return [n for n in self.project.project_files() if f"project:{n}" not in used]

    def delete_project(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(self._deletable_projects()))
        path = self.project.project_files()[number]
        path.unlink()
        self.edit(f"delete {self.project.rel(path)}")

    # knowledge products

    def images(self) -> list[str]:
        return sorted(self.project.media_files())

    def _product(self, data: st.DataObject) -> tuple[str, Path, dict[str, Any], str]:
        product_id = data.draw(st.sampled_from(sorted(self.project.product_files())), label="product")
        path = self.project.product_files()[product_id]
        front, body = read_markdown(path)
        return product_id, path, front, body

    def _project_and_outputs(self, data: st.DataObject) -> dict[str, Any]:
        numbers = sorted(self.project.project_files())
        number = data.draw(st.one_of(st.none(), st.sampled_from(numbers)) if numbers else st.none())
        if number is None:
            return {}
        outputs = data.draw(st.lists(st.sampled_from(self.project.outputs(number) or [0]), unique=True))
        return {"project": number, "outputs": sorted(o for o in outputs if o)}

    def edit_product_front_matter(self, data: st.DataObject) -> None:
        product_id, path, front, body = self._product(data)
        name = data.draw(
            st.sampled_from(
                (
                    "title",
                    "summary",
                    "date",
                    "updated",
                    "authors",
                    "type",
                    "example",
                    "topics",
                    "places",
                    "project",
                    "outputs",
                    "language",
                    "attachments",
                )
            ),
            label="field",
        )
        language = str(front.get("language", "en"))
        if name == "title":
            front["title"] = data.draw(words(language))
        elif name == "summary":
            front["summary"] = data.draw(st.one_of(st.none(), words(language, 12)))
        elif name in ("date", "updated"):
            front[name] = data.draw(st.one_of(st.none(), dates()) if name == "updated" else dates())
        elif name == "authors":
            front["authors"] = data.draw(st.lists(words(language, 2), max_size=2))
        elif name == "type":
            front["type"] = data.draw(st.sampled_from(PRODUCT_TYPES))
        elif name == "example":
            front["example"] = data.draw(st.one_of(st.none(), st.booleans()))
        elif name == "topics":
            front["topics"] = data.draw(subsets(list(self.project.topics())))
        elif name == "places":
            front["places"] = data.draw(subsets(list(self.project.place_files())))
        elif name == "attachments":
            files = data.draw(subsets(self.images()))
            front["attachments"] = [{"title": data.draw(words(language)), "file": f} for f in files]
        elif name == "project" or not front.get("project"):
            front.pop("outputs", None)
            front.pop("project", None)
            front.update(self._project_and_outputs(data))
        elif name == "outputs":
            known = self.project.outputs(str(front["project"]))
            front["outputs"] = (
                sorted(data.draw(st.lists(st.sampled_from(known), unique=True))) if known else []
            )
        else:
            translated = {lang for (stem, lang) in self.project.translation_files() if stem == product_id}
            front["language"] = data.draw(st.sampled_from(sorted(set(LANGUAGES) - translated)))
        front = {k: v for k, v in front.items() if v not in (None, [])}
        write_markdown(path, front, body)
        self.edit(f"{self.project.rel(path)}: set {name} to {front.get(name)!r}")

    def edit_product_body(self, data: st.DataObject) -> None:
        product_id, path, front, body = self._product(data)
        new = data.draw(bodies(str(front.get("language", "en")), self.project.targets(), self.images()))
        append = data.draw(st.booleans(), label="append")
        write_markdown(path, front, body + new if append else new)
        self.edit(f"{self.project.rel(path)}: {'append' if append else 'replace the body with'} {new!r}")

    def add_product(self, data: st.DataObject) -> None:
        product_id = data.draw(st.sampled_from(sorted(set(NEW_PRODUCTS) - set(self.project.product_files()))))
        language = data.draw(st.sampled_from(LANGUAGES), label="language")
        front: dict[str, Any] = {
            "id": product_id,
            "type": data.draw(st.sampled_from(PRODUCT_TYPES)),
            "title": data.draw(words(language)),
            "date": data.draw(dates()),
        }
        front.update(
            data.draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "summary": words(language, 12),
                        "authors": st.lists(words(language, 2), min_size=1, max_size=2),
                        "places": subsets(list(self.project.place_files())),
                        "topics": subsets(list(self.project.topics())),
                        "example": st.booleans(),
                    },
                )
            )
        )
        front.update(self._project_and_outputs(data))
        if language != "en" or data.draw(st.booleans(), label="explicit language"):
            front["language"] = language
        front = {k: v for k, v in front.items() if v not in (None, [])}
        path = self.project.content / "knowledge" / f"{product_id}.md"
        body = data.draw(bodies(language, self.project.targets(), self.images()))
        write_markdown(path, front, body)
        self.edit(f"add {self.project.rel(path)}: {front!r} {body!r}")

    def _deletable_products(self) -> list[str]:
        used = self.project.used()
        return [i for i in self.project.product_files() if f"knowledge:{i}" not in used]

    def delete_product(self, data: st.DataObject) -> None:
        product_id = data.draw(st.sampled_from(self._deletable_products()))
        gone = [self.project.product_files()[product_id]]
        gone += [p for (stem, _), p in self.project.translation_files().items() if stem == product_id]
        for path in gone:
            path.unlink()
        self.edit("delete " + ", ".join(self.project.rel(p) for p in gone))

    def _untranslated(self) -> list[tuple[str, str]]:
        have = set(self.project.translation_files())
        return [
            (i, lang)
            for i in self.project.product_files()
            for lang in LANGUAGES
            if lang != self.project.product_language(i) and (i, lang) not in have
        ]

    def _translation_front(self, data: st.DataObject, lang: str, date: str) -> dict[str, Any]:
        front: dict[str, Any] = {"title": data.draw(words(lang))}
        front.update(
            data.draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "summary": words(lang, 12),
                        "authors": st.lists(words(lang, 2), min_size=1, max_size=2),
                        "translated_from": st.one_of(st.just(date), dates()),
                        "machine_translated": st.booleans(),
                    },
                )
            )
        )
        return front

    def add_translation(self, data: st.DataObject) -> None:
        product_id, lang = data.draw(st.sampled_from(self._untranslated()), label="translation")
        original, _ = read_markdown(self.project.product_files()[product_id])
        front = self._translation_front(data, lang, str(original["date"]))
        path = self.project.content / "knowledge" / f"{product_id}.{lang}.md"
        body = data.draw(bodies(lang, self.project.targets(), self.images()))
        write_markdown(path, front, body)
        self.edit(f"add {self.project.rel(path)}: {front!r} {body!r}")

    def edit_translation(self, data: st.DataObject) -> None:
        (product_id, lang), path = data.draw(
            st.sampled_from(sorted(self.project.translation_files().items()))
        )
        front, body = read_markdown(path)
        if data.draw(st.booleans(), label="edit the body"):
            body = data.draw(bodies(lang, self.project.targets(), self.images()))
            what = f"replace the body with {body!r}"
        else:
            original, _ = read_markdown(self.project.product_files()[product_id])
            front = self._translation_front(data, lang, str(original["date"]))
            what = f"replace the front matter with {front!r}"
        write_markdown(path, front, body)
        self.edit(f"{self.project.rel(path)}: {what}")

    def delete_translation(self, data: st.DataObject) -> None:
        path = data.draw(st.sampled_from(sorted(self.project.translation_files().values())))
        path.unlink()
        self.edit(f"delete {self.project.rel(path)}")

    @rule(data=st.data())
    def edit_media(self, data: st.DataObject) -> None:
        """Add or change an image of content/media/, or delete one nothing shows."""
        used = self.project.used()
        unused = [name for name in self.project.media_files() if f"media:{name}" not in used]
        if data.draw(st.booleans(), label="delete") and unused:
            path = self.project.media_files()[data.draw(st.sampled_from(unused))]
            path.unlink()
            self.edit(f"delete {self.project.rel(path)}")
            return
        path = self.project.content / "media" / data.draw(st.sampled_from(MEDIA), label="file")
        text = svg(data.draw(st.sampled_from(COLOURS)), data.draw(plain_words(2)))
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, "utf-8")
        self.edit(f"write {self.project.rel(path)}: {text!r}")

    # places and topics

    def edit_place(self, data: st.DataObject) -> None:
        slug = data.draw(st.sampled_from(sorted(self.project.place_files())), label="place")
        path = self.project.place_files()[slug]
        record = self.project.read_yaml(path)
        name = data.draw(st.sampled_from(("name", "description", "kind", "parent", "source")), label="field")
        if name == "name":
            record["name"] = data.draw(texts())
        elif name == "description":
            record["description"] = data.draw(st.one_of(st.none(), rich_texts(self.project.targets())))
        elif name == "kind":
            record["kind"] = data.draw(st.sampled_from(PLACE_KINDS))
        elif name == "source":
            record["source"] = data.draw(st.one_of(st.none(), words()))
        else:
            possible = sorted(set(self.project.place_files()) - self.project.descendants(slug) - {slug})
            record["parent"] = data.draw(
                st.one_of(st.none(), st.sampled_from(possible)) if possible else st.none()
            )
        record = {k: v for k, v in record.items() if v is not None}
        self.project.write_yaml(path, record)
        self.edit(f"{self.project.rel(path)}: set {name} to {record.get(name)!r}")

    def add_place(self, data: st.DataObject) -> None:
        slug = data.draw(st.sampled_from(sorted(set(NEW_PLACES) - set(self.project.place_files()))))
        record: dict[str, Any] = {"name": data.draw(texts()), "kind": data.draw(st.sampled_from(PLACE_KINDS))}
        parents = sorted(self.project.place_files())
        parent = data.draw(st.one_of(st.none(), st.sampled_from(parents)) if parents else st.none())
        if parent:
            record["parent"] = parent
        if data.draw(st.booleans(), label="with a description"):
            record["description"] = data.draw(texts())
        path = self.project.content / "places" / f"{slug}.yaml"
        self.project.write_yaml(path, record)
        self.edit(f"add {self.project.rel(path)}: {record!r}")

    def _deletable_places(self) -> list[str]:
        used = self.project.used()
        return [s for s in self.project.place_files() if f"place:{s}" not in used]

    def delete_place(self, data: st.DataObject) -> None:
        path = self.project.place_files()[data.draw(st.sampled_from(self._deletable_places()))]
        path.unlink()
        self.edit(f"delete {self.project.rel(path)}")

    def _topics(self, data: st.DataObject, action: str) -> None:
        topics = self.project.topics()
        used = self.project.used()
        if (
            (action == "add" and not set(NEW_TOPICS) - set(topics))
            or (action == "delete" and all(f"topic:{s}" in used for s in topics))
            or not topics
        ):
            action = "name" if topics else "add"
        if action == "add":
            slug = data.draw(st.sampled_from(sorted(set(NEW_TOPICS) - set(topics))))
            topics[slug] = {"name": data.draw(texts())}
            what = f"add topic {slug}: {topics[slug]!r}"
        elif action in ("name", "description"):
            slug = data.draw(st.sampled_from(sorted(topics)), label="topic")
            topics[slug][action] = data.draw(
                texts() if action == "name" else rich_texts(self.project.targets())
            )
            what = f"set the {action} of topic {slug} to {topics[slug][action]!r}"
        elif action == "reorder":
            topics = dict(reversed(list(topics.items())))
            what = "reverse the order of the topics"
        else:
            slug = data.draw(st.sampled_from(sorted(s for s in topics if f"topic:{s}" not in used)))
            del topics[slug]
            what = f"delete topic {slug}"
        self.project.write_yaml(self.project.topics_file, topics)
        self.edit(f"{self.project.rel(self.project.topics_file)}: {what}")

    # free pages

    def _pages(self, data: st.DataObject, action: str) -> None:
        pages = self.project.page_files()
        translations = self.project.translation_files("pages")
        folder = self.project.content / "pages"
        if (
            (action == "add" and not set(NEW_PAGES) - set(pages))
            or (action == "translate" and all((s, "zh") in translations for s in pages))
            or not pages
        ):
            action = "body" if pages else "add"
        if action == "add":
            slug = data.draw(st.sampled_from(sorted(set(NEW_PAGES) - set(pages))))
            path = folder / f"{slug}.md"
            write_markdown(
                path, {"title": data.draw(words())}, data.draw(bodies("en", self.project.targets()))
            )
            self.edit(f"add {self.project.rel(path)}: {path.read_text('utf-8')!r}")
        elif action == "translate":
            slug = data.draw(st.sampled_from(sorted(s for s in pages if (s, "zh") not in translations)))
            path = folder / f"{slug}.zh.md"
            front = data.draw(st.one_of(st.just({}), st.fixed_dictionaries({"title": words("zh")})))
            write_markdown(path, front, data.draw(bodies("zh", self.project.targets())))
            self.edit(f"add {self.project.rel(path)}: {path.read_text('utf-8')!r}")
        elif action == "delete":
            files = sorted(pages.values()) + sorted(translations.values())
            path = data.draw(st.sampled_from(files), label="file")
            gone = [path] + (
                [p for (s, _), p in translations.items() if s == path.stem] if "." not in path.stem else []
            )
            for p in gone:
                p.unlink()
            self.edit("delete " + ", ".join(self.project.rel(p) for p in gone))
        else:
            path = data.draw(
                st.sampled_from(sorted(pages.values()) + sorted(translations.values())), label="file"
            )
            lang = path.stem.split(".")[1] if "." in path.stem else "en"
            front, body = read_markdown(path)
            if action == "title":
                front["title"] = data.draw(words(lang))
                what = f"set the title to {front['title']!r}"
            else:
                body = data.draw(bodies(lang, self.project.targets()))
                what = f"replace the body with {body!r}"
            write_markdown(path, front, body)
            self.edit(f"{self.project.rel(path)}: {what}")

    # site templates and interface catalogues

    def override_template(self, data: st.DataObject) -> None:
        packaged = PACKAGE / "templates"
        names = sorted(p.relative_to(packaged).as_posix() for p in packaged.rglob("*") if p.is_file())
        name = data.draw(st.sampled_from(names), label="template")
        text = (packaged / name).read_text("utf-8")
        marker = data.draw(plain_words())
        anchor = '<span class="ksite-card__meta">'
        if name.endswith(".css"):
            text += f"\n/* {marker} */\n.ksite-test {{ color: #123456; }}\n"
        elif name == "_macros.html" and anchor in text:
            text = text.replace(anchor, f'<span class="ksite-card__meta" data-test="{marker}">', 1)
        else:
            text += f'\n<p class="ksite-test">{marker}</p>\n'
        path = self.project.templates / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        self.edit(f"override {self.project.rel(path)}: the packaged one with the marker {marker!r}")

    def _template_overrides(self) -> list[Path]:
        folder = self.project.templates
        return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".html", ".css", ".yaml"))

    def remove_override(self, data: st.DataObject) -> None:
        path = data.draw(st.sampled_from(self._template_overrides()))
        path.unlink()
        self.edit(f"delete {self.project.rel(path)}")

    def override_catalogue(self, data: st.DataObject) -> None:
        lang = data.draw(st.sampled_from(LANGUAGES), label="language")
        path = self.project.templates / "i18n" / f"{lang}.yaml"
        catalogue = (self.project.read_yaml(path) if path.is_file() else None) or {}
        what = data.draw(
            st.sampled_from(("label", "type", "place_kind", "months", "date_format", "language_name"))
        )
        value: Any
        if what == "label":
            key = data.draw(st.sampled_from(SHOWN_LABELS), label="key")
            value = data.draw(words(lang))
            catalogue.setdefault("labels", {})[key] = value
            what = f"labels.{key}"
        elif what in ("type", "place_kind"):
            key = data.draw(st.sampled_from(PRODUCT_TYPES if what == "type" else PLACE_KINDS), label="key")
            value = data.draw(words(lang))
            catalogue.setdefault("vocabulary", {}).setdefault(what, {})[key] = value
            what = f"vocabulary.{what}.{key}"
        elif what == "months":
            word = data.draw(words(lang, 1))
            value = catalogue["months"] = [f"{word}{i}" for i in range(1, 13)]
        elif what == "date_format":
            value = catalogue["date_format"] = data.draw(st.sampled_from(DATE_FORMATS))
        else:
            value = catalogue["language_name"] = data.draw(words(lang, 2))
        self.project.write_yaml(path, catalogue)
        self.edit(f"{self.project.rel(path)}: set {what} to {value!r}")

    # mkdocs.yml

    @rule(data=st.data())
    def edit_mkdocs(self, data: st.DataObject) -> None:
        config = self.project.mkdocs()
        options = self.project.ksite_options(config)
        name = data.draw(
            st.sampled_from(
                (
                    "site_name",
                    "site_description",
                    "copyright",
                    "site_url",
                    "extra",
                    "site_names",
                    "templates_dir",
                    "use_directory_urls",
                )
            ),
            label="setting",
        )
        value: Any
        if name == "site_name":
            value = config["site_name"] = data.draw(words())
        elif name in ("site_description", "copyright"):
            value = data.draw(st.one_of(st.none(), words()))
            config[name] = value
        elif name == "site_url":
            value = data.draw(st.one_of(st.none(), plain_words(1).map(lambda w: f"https://example.org/{w}/")))
            config["site_url"] = value
        elif name == "extra":
            value = data.draw(
                st.fixed_dictionaries({}, optional={"generator": st.booleans(), "note": words()})
            )
            config["extra"] = value
        elif name == "site_names":
            value = data.draw(st.one_of(st.just({}), st.fixed_dictionaries({"zh": words("zh")})))
            options["site_names"] = value
        elif name == "use_directory_urls":
            value = config["use_directory_urls"] = data.draw(st.booleans())
        else:
            old = self.project.templates
            value = "site-templates" if old.name == "templates" else "templates"
            if old.exists():
                old.rename(self.project.root / value)
            options["templates_dir"] = value
        config = {k: v for k, v in config.items() if v is not None}
        self.project.config_file.write_text(dump_yaml(config), "utf-8")
        self.edit(f"mkdocs.yml: set {name} to {value!r}")

    # The rules: one per kind of input, each with a fixed list of actions, and a fallback when
    # an action is not possible in this state (nothing left to add or delete). With the same
    # rules and actions in every state, Hypothesis can drop a step when it shrinks a sequence
    # without changing what the later steps do.

    @rule(data=st.data())
    def edit_knowledge(self, data: st.DataObject) -> None:
        """Knowledge products and their translations."""
        action = data.draw(
            st.sampled_from(
                (
                    "add",
                    "front matter",
                    "body",
                    "delete",
                    "translate",
                    "edit translation",
                    "delete translation",
                )
            ),
            label="knowledge",
        )
        products = self.project.product_files()
        possible = {
            "add": bool(set(NEW_PRODUCTS) - set(products)),
            "delete": bool(self._deletable_products()),
            "translate": bool(self._untranslated()),
            "edit translation": bool(self.project.translation_files()),
            "delete translation": bool(self.project.translation_files()),
        }
        if not possible.get(action, bool(products)):
            action = "body" if products else "add"
        {
            "add": self.add_product,
            "front matter": self.edit_product_front_matter,
            "body": self.edit_product_body,
            "delete": self.delete_product,
            "translate": self.add_translation,
            "edit translation": self.edit_translation,
            "delete translation": self.delete_translation,
        }[action](data)

    @rule(data=st.data())
    def edit_projects(self, data: st.DataObject) -> None:
        """Project records: fields, outputs, whole records."""
        action = data.draw(
            st.sampled_from(("field", "output", "remove output", "add", "delete")), label="projects"
        )
        numbers = self.project.project_files()
        possible = {
            "remove output": bool(self._removable_outputs()),
            "add": bool(set(NEW_PROJECTS) - set(numbers)),
            "delete": bool(self._deletable_projects()),
        }
        if not possible.get(action, bool(numbers)):
            action = "field" if numbers else "add"
        {
            "field": self.edit_project_field,
            "output": self.edit_output,
            "remove output": self.remove_output,
            "add": self.add_project,
            "delete": self.delete_project,
        }[action](data)

    @rule(data=st.data())
    def edit_places(self, data: st.DataObject) -> None:
        action = data.draw(st.sampled_from(("edit", "add", "delete")), label="places")
        places = self.project.place_files()
        possible = {"add": bool(set(NEW_PLACES) - set(places)), "delete": bool(self._deletable_places())}
        if not possible.get(action, bool(places)):
            action = "edit" if places else "add"
        {"edit": self.edit_place, "add": self.add_place, "delete": self.delete_place}[action](data)

    @rule(data=st.data())
    def edit_topics(self, data: st.DataObject) -> None:
        action = data.draw(
            st.sampled_from(("name", "description", "add", "delete", "reorder")), label="topics"
        )
        self._topics(data, action)

    @rule(data=st.data())
    def edit_pages(self, data: st.DataObject) -> None:
        """Free pages, the home page's intro (index.md) among them, and their translations."""
        action = data.draw(st.sampled_from(("body", "title", "add", "translate", "delete")), label="pages")
        self._pages(data, action)

    @rule(data=st.data())
    def edit_templates(self, data: st.DataObject) -> None:
        """Template overrides and interface catalogue overrides (both in the templates folder)."""
        action = data.draw(st.sampled_from(("template", "catalogue", "remove")), label="templates")
        if action == "remove" and not self._template_overrides():
            action = "template"
        {
            "template": self.override_template,
            "catalogue": self.override_catalogue,
            "remove": self.remove_override,
        }[action](data)


def run_edit_sequences(workspace: Workspace, examples: int, steps: int) -> None:
    machine = type("Edits", (EditSequences,), {"workspace": workspace})
    started, cpu = time.perf_counter(), _children_cpu()
    try:
        run_state_machine_as_test(machine, settings=_settings(examples, steps))
    finally:
        took, cpu = time.perf_counter() - started, _children_cpu() - cpu
        mean = sum(workspace.timings) / len(workspace.timings) if workspace.timings else 0.0
        print(
            f"\n{workspace.steps} edits in {took:.0f} s ({cpu:.0f} s CPU in builds); "
            f"{mean:.1f} s per step (both builds, in parallel)"
        )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_incremental_build_equals_clean_build(tmp_path: Path) -> None:
    """The bundled site, without PDFs: after every edit, incremental == clean."""
    workspace = Workspace(tmp_path, pdf=False)
    workspace.prepare(copy_bundled)
    run_edit_sequences(workspace, examples=10, steps=5)


def test_incremental_build_equals_clean_build_with_pdfs(tmp_path: Path) -> None:
    """A small project (one project record, two products) with its PDF briefs: those must be
    byte-identical too."""
    workspace = Workspace(tmp_path, pdf=True)
    workspace.prepare(copy_small)
    run_edit_sequences(workspace, examples=2, steps=3)


def test_compare_reports_the_first_difference(tmp_path: Path) -> None:
    """The failure message names every differing file and shows where the first one differs."""
    for side, text in (("a", "<p>Knowledge 8</p>\n"), ("b", "<p>Knowledge 7</p>\n")):
        (tmp_path / side / "zh").mkdir(parents=True)
        (tmp_path / side / "index.html").write_text(text, "utf-8")
        (tmp_path / side / "zh" / "x.pdf").write_bytes(b"%PDF\x00\xff" + side.encode())
    (tmp_path / "a" / "extra.html").write_text("", "utf-8")
    report = "\n".join(differences(tmp_path / "a", tmp_path / "b"))
    assert "2 files differ: index.html, zh/x.pdf" in report
    assert "only in the incremental site: extra.html" in report
    assert "-<p>Knowledge 7</p>" in report and "+<p>Knowledge 8</p>" in report

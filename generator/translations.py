"""Translation coverage: what each site language still lacks, and what is out of date.

``ksite check --translations`` prints this report; ``--require LANG`` turns gaps in LANG into
errors (at the position of the untranslated field or file) so CI can insist on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .errors import Problem, SourcePos, error
from .link import LinkedSite
from .model import Place, ProjectRecord, Text, Topic

RECORD_TEXT_FIELDS = ("title", "description", "rationale", "location")


@dataclass(frozen=True)
class Gap:
    """One text that has no translation (or an outdated one) in a language."""

    lang: str
    what: str
    """``project 54037-001 rationale``, ``knowledge innovation-enabling-systems``..."""
    pos: SourcePos
    stale: bool = False
    detail: str = ""


@dataclass
class Coverage:
    """Per language: how many translatable texts exist and which lack a translation."""

    lang: str
    total: int = 0
    gaps: list[Gap] = field(default_factory=list)

    @property
    def translated(self) -> int:
        return self.total - sum(1 for g in self.gaps if not g.stale)

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


def _record_texts(project: ProjectRecord) -> Iterator[tuple[str, tuple[str | int, ...], Text]]:
    for name in RECORD_TEXT_FIELDS:
        value = getattr(project, name)
        if isinstance(value, Text):
            yield name, (name,), value
    for name in ("impact", "outcome"):
        for i, value in enumerate(getattr(project, name)):
            yield f"{name}[{i}]", (name, i), value
    for i, output in enumerate(project.outputs):
        yield f"output {output.number}", ("outputs", i, "statement"), output.statement
    for section in ("safeguards", "consultation", "business_opportunities"):
        for key, value in getattr(project, section).items():
            if value is not None:
                yield f"{section}.{key}", (section, key), value


def coverage(site: LinkedSite, languages: tuple[str, ...]) -> list[Coverage]:
    """Coverage of every language but each text's own."""
    lib = site.library
    reports = {lang: Coverage(lang) for lang in languages}
    for project in sorted(lib.projects.values(), key=lambda p: p.number):
        for name, where, text in _record_texts(project):
            for lang, report in reports.items():
                if text.default == lang:
                    continue
                report.total += 1
                if not text.has(lang):
                    report.gaps.append(
                        Gap(lang, f"project {project.number} {name}", project.origin.at(*where))
                    )
    for product in sorted(lib.products.values(), key=lambda p: p.id):
        for lang, report in reports.items():
            if product.language == lang:
                continue
            report.total += 1
            translation = product.translations.get(lang)
            if translation is None:
                report.gaps.append(Gap(lang, f"knowledge {product.id}", product.origin.at("title")))
            elif translation.translated_from and translation.translated_from < product.updated:
                report.gaps.append(
                    Gap(
                        lang,
                        f"knowledge {product.id}",
                        translation.origin.at("translated_from"),
                        stale=True,
                        detail=f"translated from the version of {translation.translated_from}; "
                        f"the original was updated {product.updated}",
                    )
                )
    named: list[tuple[str, str, Place | Topic]] = [("place", s, p) for s, p in lib.places.items()]
    named += [("topic", s, t) for s, t in lib.topics.items()]
    for kind, slug, item in sorted(named, key=lambda entry: entry[:2]):
        for lang, report in reports.items():
            if item.name.default == lang:
                continue
            report.total += 1
            if not item.name.has(lang):
                report.gaps.append(Gap(lang, f"{kind} {slug} name", item.origin.at("name")))
    return [reports[lang] for lang in languages]


def format_coverage(reports: list[Coverage]) -> str:
    lines = []
    for report in reports:
        missing = [g for g in report.gaps if not g.stale]
        stale = [g for g in report.gaps if g.stale]
        lines.append(
            f"{report.lang}: {report.translated}/{report.total} texts translated ({report.percent:.0f}%), "
            f"{len(missing)} missing, {len(stale)} out of date"
        )
        lines += [f"  missing   {g.what}  ({g.pos})" for g in missing]
        lines += [f"  outdated  {g.what}  ({g.pos}): {g.detail}" for g in stale]
    return "\n".join(lines)


def required_problems(reports: list[Coverage], required: list[str]) -> list[Problem]:
    """Errors for every gap in the languages that must be complete."""
    problems = []
    for report in reports:
        if report.lang not in required:
            continue
        for gap in report.gaps:
            what = "out of date" if gap.stale else "not translated"
            problems.append(
                error(
                    gap.pos.path,
                    gap.pos.line,
                    gap.pos.column,
                    f"{gap.what} is {what} into '{gap.lang}' (required by --require {gap.lang})",
                )
            )
    return problems

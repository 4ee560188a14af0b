"""A synthetic, deterministic ksite corpus for benchmarks.

:func:`synthesize` makes N project records and N knowledge products (one product per project),
10% of them written in Chinese, from ``random.Random(seed)``; :func:`make_corpus` writes them as
a complete ksite project (``mkdocs.yml`` + ``content/``). Everything is visibly invented:
"Synthetic project 00042", "Synthetic Province 2", and made-up numbers about made-up places.
``baseline.py`` writes the same pages as plain Markdown for a hand-made MkDocs site.

Run ``python benchmarks/corpus.py OUT_DIR -n 20`` to write one corpus for inspection.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

ZH_SHARE = 0.1
"""Share of records and products written in Chinese."""

EN_SENTENCES = (
    "This record is synthetic test data, made only to measure how fast the site generator runs.",
    "The technical assistance strengthens local planning capacity and improves urban public services.",
    "It supports policy research, capacity building and the dissemination of knowledge.",
    "Government agencies at every level take part in the design and implementation of the work.",
    "Results are shared with stakeholders through workshops, briefs and a public website.",
    "A monitoring and evaluation framework follows the progress of every output indicator.",
    "The study compares the costs and benefits of several development paths.",
    "Consultants work closely with the executing agency to draft policy recommendations.",
    "The project pays particular attention to the participation of women and vulnerable groups.",
    "Training raises the professional skills of local staff in planning and finance.",
    "Every figure in this text is randomly generated and describes no real situation.",
    "The knowledge product sums up the main lessons learned during implementation.",
    "Pilot activities test the proposed approaches before they are scaled up.",
    "A steering committee meets twice a year to review progress and agree on next steps.",
)
ZH_SENTENCES = (
    "本记录为合成测试数据，仅用于衡量网站生成器的运行速度。",
    "该技术援助旨在加强地方规划能力，改善城市公共服务。",
    "项目支持政策研究、能力建设和知识传播。",
    "各级政府部门参与项目设计和实施的全过程。",
    "项目成果通过研讨会、简报和公共网站与相关方分享。",
    "监测与评估框架跟踪每一项产出指标的进展。",
    "研究比较了几种发展路径的成本与效益。",
    "咨询专家与执行机构密切合作，起草政策建议。",
    "项目特别关注妇女和弱势群体的参与。",
    "培训活动提高了地方工作人员在规划和财务方面的专业技能。",
    "本文中的所有数字均为随机生成，不描述任何真实情况。",
    "本知识产品总结了项目实施过程中的主要经验教训。",
    "试点活动在推广之前先检验所提出的方法。",
    "指导委员会每年召开两次会议，审查进展并商定下一步工作。",
)
TOPICS = {
    "urban-planning": ("Urban planning", "城市规划"),
    "water-supply": ("Water supply", "供水"),
    "clean-energy": ("Clean energy", "清洁能源"),
    "public-transport": ("Public transport", "公共交通"),
    "skills-training": ("Skills training", "技能培训"),
    "sme-finance": ("SME finance", "中小企业融资"),
    "climate-adaptation": ("Climate adaptation", "气候适应"),
    "digital-services": ("Digital services", "数字服务"),
    "health-systems": ("Health systems", "卫生系统"),
    "agricultural-value-chains": ("Agricultural value chains", "农业价值链"),
    "waste-management": ("Waste management", "废弃物管理"),
    "knowledge-sharing": ("Knowledge sharing", "知识共享"),
}
PROVINCES = 4
CITIES_PER_PROVINCE = 4
STATUSES = ("Proposed", "Approved", "Active", "Closed")
PRODUCT_TYPES = ("research-brief", "policy-note", "report", "event", "dataset", "presentation")
SECTORS = (
    (
        "Water and other urban infrastructure and services",
        ("Urban policy, institutional and capacity development",),
    ),
    ("Energy", ("Renewable energy generation - solar", "Energy efficiency and conservation")),
    ("Transport", ("Urban public transport",)),
    ("Education", ("Technical and vocational education and training",)),
    ("Agriculture, natural resources and rural development", ("Agricultural production",)),
)
FIRST_DATE = date(2015, 1, 1)


@dataclass(frozen=True)
class Product:
    """One knowledge product: its front matter and Markdown body."""

    meta: dict[str, Any]
    body: str


@dataclass(frozen=True)
class SyntheticContent:
    """Everything of one corpus, as plain data both writers read."""

    projects: list[dict[str, Any]]
    products: list[Product]
    places: dict[str, dict[str, Any]]
    topics: dict[str, dict[str, Any]]


def project_number(i: int) -> str:
    """The i-th synthetic project number: 90000-001, ..., 90000-999, 90001-001, ..."""
    return f"{90000 + i // 999}-{i % 999 + 1:03d}"


def product_id(i: int) -> str:
    return f"synthetic-product-{i:05d}"


def synthesize(n: int, seed: int = 0) -> SyntheticContent:
    """N projects and N products; the same ``n`` and ``seed`` always give the same content."""
    rng = random.Random(seed)
    chinese = set(rng.sample(range(n), round(n * ZH_SHARE)))
    places = _places()
    cities = [slug for slug, place in places.items() if place["kind"] == "city"]
    projects = [_project(rng, i, i in chinese, cities) for i in range(n)]
    products = [_product(rng, i, i in chinese, projects[i]) for i in range(n)]
    topics = {slug: {"name": {"en": en, "zh": zh}} for slug, (en, zh) in TOPICS.items()}
    return SyntheticContent(projects=projects, products=products, places=places, topics=topics)


def _places() -> dict[str, dict[str, Any]]:
    places: dict[str, dict[str, Any]] = {}
    for p in range(1, PROVINCES + 1):
        places[f"synthetic-province-{p}"] = {
            "name": {"en": f"Synthetic Province {p}", "zh": f"合成省份{p}"},
            "kind": "province",
            "description": {"en": "An invented province for benchmarks.", "zh": "为基准测试虚构的省份。"},
            "source": "ksite benchmark corpus (synthetic)",
        }
        for c in range(1, CITIES_PER_PROVINCE + 1):
            places[f"synthetic-city-{p}-{c}"] = {
                "name": {"en": f"Synthetic City {p}-{c}", "zh": f"合成城市{p}-{c}"},
                "kind": "city",
                "parent": f"synthetic-province-{p}",
                "source": "ksite benchmark corpus (synthetic)",
            }
    return places


def _sentences(rng: random.Random, zh: bool, count: int) -> list[str]:
    return rng.sample(ZH_SENTENCES if zh else EN_SENTENCES, count)


def _paragraph(rng: random.Random, zh: bool, count: int = 4) -> str:
    return ("" if zh else " ").join(_sentences(rng, zh, count))


def _day(rng: random.Random, after: date = FIRST_DATE, within: int = 3000) -> date:
    return after + timedelta(days=rng.randrange(1, within))


def _project(rng: random.Random, i: int, zh: bool, cities: list[str]) -> dict[str, Any]:
    topic = rng.choice(list(TOPICS))
    city = rng.choice(cities)
    province = "synthetic-province-" + city.split("-")[2]
    en, zh_name = TOPICS[topic]
    label = f"合成项目 {i:05d}：{zh_name}" if zh else f"Synthetic project {i:05d}: {en}"
    sector, subsectors = rng.choice(SECTORS)
    concept = _day(rng)
    fact_finding = concept + timedelta(days=rng.randrange(10, 60))
    approval = fact_finding + timedelta(days=rng.randrange(30, 120))
    outputs = []
    for k in range(1, 4):
        statement = (f"产出{k}：" if zh else f"Output {k} of project {i:05d}: ") + _sentences(rng, zh, 1)[0]
        indicator = {
            "text": _sentences(rng, zh, 1)[0],
            "baseline": str(rng.randrange(0, 20)),
            "target": str(rng.randrange(20, 100)),
        }
        outputs.append({"number": k, "statement": statement, "indicators": [indicator]})
    return {
        "number": project_number(i),
        "title": label,
        "language": "zh" if zh else "en",
        "countries": ["Synthetic Republic"],
        "status": rng.choice(STATUSES),
        "modalities": ["Technical Assistance"],
        "funding": [
            {
                "instrument": "TA",
                "approval_number": f"{9000 + i}-SYN",
                "title": label,
                "sources": [
                    {
                        "name": "Synthetic Special Fund",
                        "amount": rng.randrange(2, 40) * 50000,
                        "currency": "USD",
                    }
                ],
            }
        ],
        "strategic_agendas": ["Environmentally sustainable growth"],
        "sectors": [{"sector": sector, "subsectors": list(subsectors)}],
        "gender": "Some gender elements",
        "description": _paragraph(rng, zh),
        "rationale": "\n\n".join(_paragraph(rng, zh, 5) for _ in range(3)) + "\n",
        "impact": [_sentences(rng, zh, 1)[0]],
        "outcome": [_sentences(rng, zh, 1)[0]],
        "outputs": outputs,
        "location": f"合成城市{city[15:]}" if zh else f"Synthetic City {city[15:]}",
        "places": [city, province],
        "topics": sorted({topic, *rng.sample(list(TOPICS), 2)}),
        "officer": {
            "name": f"Officer {i % 97:02d}, Synthetic",
            "department": "Synthetic Department",
            "division": f"Synthetic Division {i % 7 + 1}",
        },
        "executing_agencies": [{"name": f"Synthetic Agency {i % 31 + 1}", "address": None}],
        "timetable": {
            "concept_clearance": concept.isoformat(),
            "fact_finding": {
                "start": fact_finding.isoformat(),
                "end": (fact_finding + timedelta(days=3)).isoformat(),
            },
            "approval": approval.isoformat(),
            "last_pds_update": (approval + timedelta(days=30)).isoformat(),
        },
        "source": {
            "file": "synthetic",
            "layout": "synthetic",
            "date_generated": (approval + timedelta(days=30)).isoformat(),
        },
    }


def _product(rng: random.Random, i: int, zh: bool, project: dict[str, Any]) -> Product:
    number = project["number"]
    outputs = sorted(rng.sample([1, 2, 3], rng.randrange(1, 3)))
    title = f"合成知识产品 {i:05d}" if zh else f"Synthetic knowledge product {i:05d}"
    meta: dict[str, Any] = {
        "id": product_id(i),
        "type": rng.choice(PRODUCT_TYPES),
        "title": title,
        "summary": _paragraph(rng, zh, 2),
        "date": _day(rng, within=3600).isoformat(),
        "authors": [f"Synthetic Author {rng.randrange(1, 60)}"],
        "project": number,
        "outputs": outputs,
        "places": project["places"][:1],
        "topics": project["topics"][:2],
        "language": "zh" if zh else "en",
    }
    return Product(meta=meta, body=_body(rng, zh, number, outputs[-1]))


def _body(rng: random.Random, zh: bool, number: str, output: int) -> str:
    """Several paragraphs, two headings, a list, a table and two ``project:`` references."""
    heads = ("背景", "主要发现", "下一步") if zh else ("Background", "Findings", "Next steps")
    see = f"参见[项目 {number}](project:{number})。" if zh else f"See [project {number}](project:{number})."
    link = f"project:{number}/outputs/{output}"
    under = (
        f"后续工作属于[产出{output}]({link})。" if zh else f"Work continues under [output {output}]({link})."
    )
    cells = ("指标", "基线", "目标") if zh else ("Indicator", "Baseline", "Target")
    rows = "\n".join(
        f"| {cells[0]} {k} | {rng.randrange(0, 50)} | {rng.randrange(50, 100)} |" for k in range(1, 4)
    )
    items = "\n".join(f"- {s}" for s in _sentences(rng, zh, 3))
    return (
        f"## {heads[0]}\n\n{_paragraph(rng, zh)} {see}\n\n{_paragraph(rng, zh)}\n\n"
        f"## {heads[1]}\n\n{items}\n\n"
        f"| {cells[0]} | {cells[1]} | {cells[2]} |\n| --- | ---: | ---: |\n{rows}\n\n"
        f"{_paragraph(rng, zh, 3)}\n\n"
        f"### {heads[2]}\n\n{_paragraph(rng, zh)} {under}\n"
    )


class _Dumper(yaml.SafeDumper):
    """YAML out without anchors and aliases (ksite refuses aliases in content)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    """Multi-line text as a literal block, the way an editor writes rationale paragraphs."""
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


THEME = {
    "name": "material",
    "language": "en",
    "font": False,
    "features": ["navigation.tabs", "navigation.top", "search.highlight", "toc.follow"],
}
"""The theme settings of the repository's own ``mkdocs.yml``, shared by both corpora."""


SITE_URL = "https://example.org/corpus/"
"""Where both corpora say they are published (an example domain: nothing is fetched from it)."""


def make_corpus(root: Path, n: int, seed: int = 0, languages: tuple[str, ...] = ("en",)) -> SyntheticContent:
    """Write a complete ksite project of N records and N products into ``root``."""
    content = synthesize(n, seed)
    site = {
        "site_name": f"Synthetic ksite corpus, N = {n}",
        # A published site's address: canonical links, sitemaps, feeds and citations are written.
        "site_url": SITE_URL,
        "docs_dir": "content",
        "site_dir": "site",
        "use_directory_urls": True,
        "strict": True,
        "theme": THEME,
        "plugins": [
            "search",
            {"ksite": {"content_dir": "content", "templates_dir": "templates", "languages": list(languages)}},
        ],
        "markdown_extensions": [{"toc": {"permalink": False}}],
    }
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(dump_yaml(site), "utf-8")
    _write(root / "content/topics.yaml", dump_yaml(content.topics))
    for slug, place in content.places.items():
        _write(root / f"content/places/{slug}.yaml", dump_yaml(place))
    for project in content.projects:
        _write(root / f"content/projects/{project['number']}.yaml", dump_yaml(project))
    for product in content.products:
        text = f"---\n{dump_yaml(product.meta)}---\n\n{product.body}"
        _write(root / f"content/knowledge/{product.meta['id']}.md", text)
    return content


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("root", type=Path)
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--languages", default="en", help="comma-separated site languages, e.g. en,zh")
    args = parser.parse_args()
    make_corpus(args.root, args.n, args.seed, tuple(args.languages.split(",")))


if __name__ == "__main__":
    main()

"""Open data and IATI exports of the bundled content, made by the real pipeline and read back with
real parsers: jsonschema, csv, frictionless, lxml with the IATI 2.03 XSD and its codelists."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import frictionless
import jsonschema
import pytest
from lxml import etree

from generator.check import load_site
from generator.config import load_config
from generator.errors import ContentError
from generator.export.datafiles import export_data as language_files
from generator.export.iati import iati_problems
from generator.export.opendata import newest_date
from generator.i18n import load_catalogue
from generator.link import LinkedSite

from .builtsite import built_site, copy_project

REPO = Path(__file__).resolve().parents[1]
IATI = REPO.parent / "shared" / "iati-2.03"
if not IATI.is_dir():
    IATI = Path("/work/shared/iati-2.03")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@cache
def bundled() -> tuple[LinkedSite, dict[str, bytes]]:
    config = load_config(REPO / "mkdocs.yml")
    site, problems = load_site(config)
    assert problems == []
    return site, language_files(config, site, config.default_language)


PLANNED = ("  last_pds_update: 2020-09-16", "  last_pds_update: 2020-09-16\n  planned_start: 2021-01-04")
"""The bundled record with a planned start, as an editor would set it: the IATI schema needs a
start date, and the data sheet (not yet approved) has none."""


def codes(list_name: str) -> set[str]:
    tree = etree.parse(str(IATI / "codelists" / f"{list_name}.xml"))
    return {c.text or "" for c in tree.iterfind(".//codelist-item/code")}


def test_files_are_in_the_default_language_only() -> None:
    config = load_config(REPO / "mkdocs.yml")
    site, files = bundled()
    assert language_files(config, site, "zh") == {}
    assert set(files) == {
        f"data/{name}"
        for name in (
            "projects.json",
            "knowledge.json",
            "places.json",
            "topics.json",
            "projects.csv",
            "knowledge.csv",
            "projects.schema.json",
            "knowledge.schema.json",
            "places.schema.json",
            "topics.schema.json",
            "datapackage.json",
        )
    }


@pytest.mark.parametrize("name", ["projects", "knowledge", "places", "topics"])
def test_json_files_hold_every_record_and_match_their_schema(name: str) -> None:
    site, files = bundled()
    data = json.loads(files[f"data/{name}.json"])
    schema = json.loads(files[f"data/{name}.schema.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)
    collection = {"knowledge": site.library.products}.get(name) or getattr(site.library, name)
    assert len(data) == len(collection) > 0


def test_texts_are_in_every_language_and_amounts_as_the_sheet_gives_them() -> None:
    _, files = bundled()
    (project,) = json.loads(files["data/projects.json"])
    assert project["title"]["zh"] == "黑龙江资源枯竭型城市创新驱动绿色经济多元化发展"
    assert project["title"]["en"].startswith("Innovation-Driven Green Economic Diversification")
    assert project["funding"][0]["sources"] == [
        {"name": "Technical Assistance Special Fund", "amount": 400000, "currency": "USD", "kind": None}
    ]
    assert project["timetable"]["approval"] is None  # the sheet shows it empty
    assert project["pages"] == {"en": "projects/54037-001/", "zh": "zh/projects/54037-001/"}
    products = {p["id"]: p for p in json.loads(files["data/knowledge.json"])}
    smes = products["smes-and-green-industries"]
    assert smes["title"]["zh"] == "中小企业、融资与高附加值绿色产业"
    assert smes["authors"] == {
        "en": [{"name": "ksite example content", "family": None, "given": None}],
        "zh": [{"name": "ksite 示例内容", "family": None, "given": None}],
    }
    assert smes["translations"]["zh"]["machine_translated"] is True


def test_csv_files_have_a_bom_one_row_per_record_and_joined_lists() -> None:
    site, files = bundled()
    raw = files["data/projects.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r["number"] for r in rows] == sorted(site.library.projects)
    (row,) = rows
    assert row["title_zh"] == "黑龙江资源枯竭型城市创新驱动绿色经济多元化发展"
    assert row["strategic_agendas"] == "Environmentally sustainable growth; Inclusive economic growth"
    assert row["funding_amounts"] == "400000" and row["funding_currencies"] == "USD"
    assert row["approval"] == ""
    products = list(csv.DictReader(io.StringIO(files["data/knowledge.csv"].decode("utf-8-sig"), newline="")))
    assert sorted(r["id"] for r in products) == sorted(site.library.products)


def test_the_data_package_is_valid_for_frictionless(tmp_path: Path) -> None:
    _, files = bundled()
    for path, data in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    package = json.loads(files["data/datapackage.json"])
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert {r["path"] for r in package["resources"]} == {
        p.removeprefix("data/") for p in files if not p.endswith((".schema.json", "datapackage.json"))
    }
    report = frictionless.validate(str(tmp_path / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    tables = {t.name for t in report.tasks}
    assert {"projects-csv", "knowledge-csv"} <= tables


def test_the_licence_is_configurable_and_a_bad_one_is_a_positioned_error(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "p")
    text = config.config_file.read_text("utf-8")
    config.config_file.write_text(text.replace("data_licence: CC-BY-4.0", "data_licence: CC0-1.0"), "utf-8")
    assert load_config(config.config_file).exports.licence_url.endswith("/zero/1.0/")
    config.config_file.write_text(text.replace('"43030"', '"4303"'), "utf-8")
    with pytest.raises(ContentError) as caught:
        load_config(config.config_file)
    (problem,) = caught.value.problems
    line = next(i for i, s in enumerate(text.splitlines(), 1) if '"43030"' in s)
    assert (problem.pos.line, problem.pos.column) == (line, 11)
    assert "not a 5-digit purpose code" in problem.message


# -- IATI ----------------------------------------------------------------------------------------


def iati_tree(files: dict[str, bytes]) -> etree._Element:
    schema = etree.XMLSchema(etree.parse(str(IATI / "iati-activities-schema.xsd")))
    root = etree.fromstring(files["data/iati-activities.xml"])
    schema.assertValid(root)
    return root


def test_without_a_start_date_there_is_no_activity_to_publish() -> None:
    _, files = bundled()  # the schema needs one activity and an activity needs a start date
    assert "data/iati-activities.xml" not in files


def test_iati_file_is_valid_against_the_2_03_schema_and_codelists(tmp_path: Path) -> None:
    site, files, _ = edited_site(tmp_path, PLANNED)
    root = iati_tree(files)
    assert root.get("version") == "2.03"
    (activity,) = root.findall("iati-activity")
    assert len(root) == len(site.library.projects)
    assert activity.findtext("iati-identifier") == "XM-DAC-46004-54037-001"
    assert activity.find("reporting-org").get("ref") == "XM-DAC-46004"
    titles = {n.get(XML_LANG): n.text for n in activity.iterfind("title/narrative")}
    assert titles["zh"] == "黑龙江资源枯竭型城市创新驱动绿色经济多元化发展"
    assert set(titles) == {"en", "zh"}
    assert activity.find("activity-status").get("code") == "1"  # Proposed: pipeline
    assert activity.find("activity-date").get("type") == "1"  # not approved: the planned start
    assert activity.findall("transaction") == []  # no commitment before approval
    assert [(o.get("role"), o.findtext("narrative")) for o in activity.iterfind("participating-org")] == [
        ("1", "Asian Development Bank"),
        ("4", "Heilongjiang Provincial Finance Department"),
    ]
    sectors = [(s.get("vocabulary"), s.get("code"), s.get("percentage")) for s in activity.iterfind("sector")]
    assert sectors[1] == ("1", "43030", "100")
    assert sectors[0][0] == "99" and sectors[0][2] == "100"
    checks = {
        "ActivityStatus": activity.xpath("activity-status/@code"),
        "Country": activity.xpath("recipient-country/@code"),
        "Sector": activity.xpath("sector[@vocabulary='1']/@code"),
        "SectorVocabulary": activity.xpath("sector/@vocabulary"),
        "AidType": activity.xpath("default-aid-type/@code"),
        "OrganisationRole": activity.xpath("participating-org/@role"),
        "OrganisationType": activity.xpath(
            "*/@type[name(..)='reporting-org' or name(..)='participating-org']"
        ),
        "DocumentCategory": activity.xpath("document-link/category/@code"),
        "FileFormat": activity.xpath("document-link/@format"),
        "Language": activity.xpath("document-link/language/@code"),
        "ActivityDateType": activity.xpath("activity-date/@type"),
        "TransactionType": activity.xpath("transaction/transaction-type/@code"),
        "Currency": activity.xpath("transaction/value/@currency"),
    }
    assert activity.xpath("default-aid-type/@code") == ["D02"]
    for list_name, used in checks.items():
        assert set(used) <= codes(list_name), list_name


def ruleset_failures(root: etree._Element) -> list[str]:
    """The IATI Standard rules (rulesets/standard.json) that apply to what ksite writes, each
    evaluated on every activity; returns the ids of the rules broken."""
    rules = json.loads((IATI / "rulesets" / "standard.json").read_text("utf-8"))
    activity_rules = rules["/iati-activities/iati-activity"]
    broken = []
    today = date.today().isoformat()
    for activity in root.iterfind("iati-activity"):

        def xp(path: str, a: etree._Element = activity) -> list[str]:
            """Values at ``path``: attributes as they are, elements by their text."""
            return [v.text or "" if isinstance(v, etree._Element) else str(v) for v in a.xpath(path)]

        for case in activity_rules["unique"]["cases"]:  # 1.1.3
            values = [v for p in case["paths"] for v in xp(p)]
            if len(values) != len(set(values)):
                broken.append(case["ruleInfo"]["id"])
        for case in activity_rules["startswith"]["cases"][:1]:  # 1.1.21
            prefixes = [v for p in case["prefix"] for v in xp(p)]
            for value in (v for p in case["paths"] for v in xp(p)):
                if not any(value.startswith(prefix + case["separator"]) for prefix in prefixes):
                    broken.append(case["ruleInfo"]["id"])
        for case in activity_rules["regex_matches"]["cases"]:  # 1.3.13, 1.14.13
            for value in (v for p in case["paths"] for v in xp(p)):
                if not re.search(case["regex"], value):
                    broken.append(case["ruleInfo"]["id"])
        for case in activity_rules["no_spaces"]["cases"]:
            for value in (v for p in case["paths"] for v in xp(p)):
                if value != value.strip():
                    broken.append(case["ruleInfo"]["id"])
        for case in activity_rules["if_then"]["cases"]:  # XPath 1.0 conditions, as lxml reads them
            if activity.xpath(f"boolean({case['if']})") and not activity.xpath(f"boolean({case['then']})"):
                broken.append(case["ruleInfo"]["id"])
        for case in activity_rules["strict_sum"]["cases"]:
            if activity.xpath(f"boolean({case['condition']})"):
                total = sum(float(v) for p in case["paths"] for v in xp(p))
                if abs(total - case["sum"]) > 1e-9:
                    broken.append(case["ruleInfo"]["id"])
        for case in activity_rules["range"]["cases"]:
            for value in (float(v) for p in case["paths"] for v in xp(p)):
                if not case["min"] <= value <= case["max"]:
                    broken.append(case["ruleInfo"]["id"])
        for loop in activity_rules["loop"]["cases"]:  # per sector vocabulary: 2.1.1, 2.1.2, 2.1.4
            for vocabulary in set(xp(loop["foreach"])):
                for kind, body in loop["do"].items():
                    for case in body["cases"]:
                        sub = json.loads(json.dumps(case).replace("$1", vocabulary))
                        applies = kind == "if_then" and activity.xpath(f"boolean({sub['if']})")
                        if applies and not activity.xpath(f"boolean({sub['then']})"):
                            broken.append(case["ruleInfo"]["id"])
                        if kind == "strict_sum" and activity.xpath(f"boolean({sub['condition']})"):
                            total = sum(float(v) for p in sub["paths"] for v in xp(p))
                            if abs(total - sub["sum"]) > 1e-9:
                                broken.append(case["ruleInfo"]["id"])
        for path in ("//title", "//description"):  # 4.3.1, 4.4.1
            for case in rules[path]["atleast_one"]["cases"]:
                for element in activity.xpath("." + path):
                    if not any(t.strip() for t in element.xpath(case["paths"][0])):
                        broken.append(case["ruleInfo"]["id"])
        # 11.1.1: last-updated-datetime not in the future; 11.1.4 and 11.2.1: no actual start
        # or transaction after today.
        updated = activity.get("last-updated-datetime", "")[:10]
        if updated > today:
            broken.append("11.1.1")
        for when in xp("activity-date[@type='2']/@iso-date") + xp("transaction/transaction-date/@iso-date"):
            if when > today:
                broken.append("11.1.4")
        # 4.1.1: a language for the activity or every narrative; 7.8.1: a currency for every value.
        if activity.get(XML_LANG) is None and activity.xpath(".//narrative[not(@xml:lang)]"):
            broken.append("4.1.1")
        if activity.get("default-currency") is None and activity.xpath(".//value[not(@currency)]"):
            broken.append("7.8.1")
        # 6.2.2: sectors at activity level.
        if not activity.xpath("sector"):
            broken.append("6.2.2")
    return broken


def test_the_record_follows_the_standard_rules(tmp_path: Path) -> None:
    _, files, _ = edited_site(tmp_path, PLANNED)
    root = iati_tree(files)
    assert len(root) == 1
    assert ruleset_failures(root) == []


def edited_site(
    tmp_path: Path, *record_edits: tuple[str, str], site_url: str | None = None
) -> tuple[LinkedSite, dict[str, bytes], list[str]]:
    """The bundled content with the record edited, its data files and its IATI warnings."""
    config = copy_project(tmp_path / "p", site_url=site_url)
    path = config.content_dir / "projects" / "54037-001.yaml"
    text = path.read_text("utf-8")
    for old, new in record_edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, "utf-8")
    site, problems = load_site(config)
    assert [p for p in problems if p.severity == "error"] == [], problems
    files = language_files(config, site, config.default_language)
    return site, files, [str(p) for p in iati_problems(site.library, config.exports)]


def test_approval_starts_the_activity_and_commits_the_sheet_amount(tmp_path: Path) -> None:
    site, files, warnings = edited_site(tmp_path, ("  approval: null", "  approval: 2020-11-20"))
    assert warnings == []
    activity = iati_tree(files).find("iati-activity")
    assert [(d.get("type"), d.get("iso-date")) for d in activity.iterfind("activity-date")] == [
        ("2", "2020-11-20")
    ]
    (transaction,) = activity.iterfind("transaction")
    assert transaction.find("transaction-type").get("code") == "2"
    assert transaction.find("transaction-date").get("iso-date") == "2020-11-20"
    value = transaction.find("value")
    assert (value.text, value.get("currency"), value.get("value-date")) == ("400000", "USD", "2020-11-20")
    assert activity.get("last-updated-datetime") == "2020-11-20T00:00:00Z"
    assert ruleset_failures(iati_tree(files)) == []


def test_a_planned_start_before_approval_is_a_planned_date(tmp_path: Path) -> None:
    _, files, warnings = edited_site(
        tmp_path,
        ("  last_pds_update: 2020-09-16", "  last_pds_update: 2020-09-16\n  planned_start: 2021-01-04"),
    )
    assert warnings == []
    activity = iati_tree(files).find("iati-activity")
    assert [(d.get("type"), d.get("iso-date")) for d in activity.iterfind("activity-date")] == [
        ("1", "2021-01-04")
    ]
    assert activity.get("last-updated-datetime") == "2020-09-16T00:00:00Z"  # a plan is not an update


def test_no_start_date_is_a_warning_at_the_record(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "p")
    site, _ = load_site(config)
    (warning,) = iati_problems(site.library, config.exports)
    line = (config.content_dir / "projects" / "54037-001.yaml").read_text("utf-8").splitlines()
    assert warning.severity == "warning"
    assert warning.pos.path == "content/projects/54037-001.yaml"
    assert line[warning.pos.line - 2].startswith("timetable:") or line[warning.pos.line - 1].startswith(
        "timetable:"
    )
    assert "no start date" in warning.message


SECOND_SECTOR = (
    "      - Urban policy, institutional and capacity development\n",
    "      - Urban policy, institutional and capacity development\n  - sector: Public sector management\n",
)


def test_several_sectors_without_shares_have_no_percentages_and_warn(tmp_path: Path) -> None:
    _, files, warnings = edited_site(tmp_path, SECOND_SECTOR, PLANNED)
    assert any("2 sectors and no shares" in w for w in warnings)
    assert any("'Public sector management' has no DAC code" in w for w in warnings)
    activity = iati_tree(files).find("iati-activity")
    assert activity.xpath("sector/@percentage") == []


def test_shares_become_percentages_per_vocabulary(tmp_path: Path) -> None:
    edit = (
        SECOND_SECTOR[0],
        SECOND_SECTOR[0] + "    share: 60\n  - sector: Public sector management\n    share: 40\n",
    )
    site, files, warnings = edited_site(tmp_path, edit, PLANNED)
    assert [s.share for s in site.library.projects["54037-001"].sectors] == [60, 40]
    activity = iati_tree(files).find("iati-activity")
    assert activity.xpath("sector[@vocabulary='99']/@percentage") == ["60", "40"]
    assert ruleset_failures(iati_tree(files)) == []


def test_shares_that_do_not_add_up_are_an_error_at_the_sectors(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "p")
    path = config.content_dir / "projects" / "54037-001.yaml"
    text = path.read_text("utf-8")
    path.write_text(
        text.replace(
            SECOND_SECTOR[0],
            SECOND_SECTOR[0] + "    share: 60\n  - sector: Public sector management\n    share: 30\n",
        ),
        "utf-8",
    )
    _, problems = load_site(config)
    (problem,) = problems
    assert str(problem).startswith("content/projects/54037-001.yaml:")
    assert "add up to 90, not 100" in problem.message
    path.write_text(text.replace(SECOND_SECTOR[0], SECOND_SECTOR[0] + "    share: 0\n"), "utf-8")
    _, problems = load_site(config)
    assert [p.message for p in problems] == ["sectors[0].share must be more than 0, not 0"]


def test_document_links_need_a_site_url(tmp_path: Path) -> None:
    site, files, _ = edited_site(tmp_path, PLANNED, site_url="https://ksite.example.org/ta/")
    links = iati_tree(files).xpath("iati-activity/document-link/@url")
    assert links == [
        "https://ksite.example.org/ta/projects/54037-001/",
        "https://ksite.example.org/ta/zh/projects/54037-001/",
        "https://ksite.example.org/ta/projects/54037-001/54037-001.pdf",
        "https://www.adb.org/projects/54037-001/main",
    ]
    config = load_config(tmp_path / "p" / "mkdocs.yml")
    without = language_files(replace(config, site_url=""), site, "en")
    assert iati_tree(without).xpath("iati-activity/document-link/@url") == [
        "https://www.adb.org/projects/54037-001/main"
    ]


# -- the data page, in the built site -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_the_data_page_lists_each_file_with_its_size_licence_and_date(prefix: str) -> None:
    from bs4 import BeautifulSoup

    site = built_site()
    page = BeautifulSoup((site / prefix / "data" / "index.html").read_text("utf-8"), "html.parser")
    rows = page.select("table.ksite-data-files tbody tr")
    listed = {}
    for row in rows:
        link = row.select_one("a[download]")
        target = (site / prefix / "data" / link["href"]).resolve()
        size = row.select_one("[data-bytes]")
        assert int(size["data-bytes"]) == target.stat().st_size, link["href"]
        listed[target.name] = row
    on_disk = {p.name for p in (site / "data").iterdir() if p.is_file() and p.name != "index.html"}
    assert set(listed) == on_disk and len(on_disk) == 11
    as_of = newest_date(bundled()[0].library)  # the newest date in the content, not the clock's
    date_text = load_catalogue("en" if prefix == "" else "zh").date(as_of)
    assert as_of == max(p.updated for p in bundled()[0].library.products.values())
    assert all(date_text in row.get_text() for row in rows)
    assert all("CC-BY-4.0" in row.get_text() for row in rows)
    assert page.select_one("a[rel=license]")["href"] == "https://creativecommons.org/licenses/by/4.0/"
    assert not (site / "zh" / "data" / "projects.json").exists()

"""The PDS importer: the seed, the shared samples, and synthetic fixtures per layout and case."""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.importers import cli, import_pds
from generator.importers.merge import merge_records
from generator.importers.yaml_out import SCHEMA_COMMENT, dump_record
from generator.schemas import validator_for
from generator.yamlsource import coerce_to_schema, parse_yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "pds-samples"
SEED = HERE / "fixtures" / "seed" / "000_d0fddc08b20c077d.txt"
FIXTURES = HERE / "fixtures" / "pds"
BUNDLED = REPO / "content" / "projects" / "54037-001.yaml"

needs_shared = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/pds-samples not present")


def load_yaml_like_site(text: str, name: str = "record.yaml") -> dict[str, Any]:
    """Read YAML the way the site does: strict loader, scalars typed by the schema."""
    doc, problems = parse_yaml(text, name)
    assert doc is not None and not problems, problems
    validator = validator_for("project")
    while (coerced := coerce_to_schema(doc, list(validator.iter_errors(doc.data)))) is not None:
        doc = coerced
    data: dict[str, Any] = doc.data
    return data


def assert_valid_record(record: dict[str, Any]) -> None:
    """Valid against the schema, and unchanged by a trip through the YAML writer and the site's loader."""
    errors = [e.message for e in validator_for("project").iter_errors(record)]
    assert not errors, errors
    text = dump_record(record)
    assert text.startswith(SCHEMA_COMMENT + "\n")
    assert load_yaml_like_site(text) == record


def imported(path: Path) -> Any:
    result = import_pds(path.read_text("utf-8"), str(path), file_name=path.name)
    assert result.ok, [str(p) for p in result.problems]
    assert_valid_record(result.record)
    return result


def amounts(record: dict[str, Any]) -> list[int | float]:
    return [
        s["amount"] for f in record.get("funding", []) for s in f["sources"] if s.get("amount") is not None
    ]


def messages(result: Any) -> str:
    return "\n".join(str(p) for p in result.problems)


def english(value: Any) -> Any:
    """A record value with translations dropped and paragraph whitespace normalised."""
    if isinstance(value, dict):
        if "en" in value and set(value) <= {"en", "zh"}:
            return english(value["en"])
        return {k: english(v) for k, v in value.items()}
    if isinstance(value, list):
        return [english(v) for v in value]
    if isinstance(value, str):
        return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", value.strip()))
    return value


# --- The seed --------------------------------------------------------------------------------------------


def test_seed_reproduces_bundled_record_field_for_field() -> None:
    result = imported(SEED)
    bundled = load_yaml_like_site(BUNDLED.read_text("utf-8"), str(BUNDLED))
    record = result.record
    assert result.layout == "text-tab"
    for key, value in record.items():
        assert english(value) == english(bundled[key]), key
    assert set(bundled) - set(record) == {"places", "topics"}, "only editor-added fields are not imported"
    merged, notes = merge_records(bundled, record)
    assert merged == bundled
    assert not notes.stale


def test_seed_values_are_typed() -> None:
    record = imported(SEED).record
    assert record["funding"][0]["sources"][0] == {
        "name": "Technical Assistance Special Fund",
        "amount": 400000,
        "currency": "USD",
    }
    assert record["timetable"]["fact_finding"] == {"start": "2020-09-14", "end": "2020-09-15"}
    assert record["timetable"]["mrm"] is None
    assert [o["statement"].split()[-1] for o in record["outputs"]] == ["produced", "proposed", "enhanced"]
    assert record["description"].count("\n\n") == 1, "two <p> paragraphs stay two Markdown paragraphs"
    assert record["executing_agencies"] == [
        {
            "name": "Heilongjiang Provincial Finance Department",
            "address": "No. 146 Jianshe Street, Nangang District Harbin, 150001 P.R. China",
        }
    ]
    assert record["safeguards"]["summary"] is None and record["consultation"]["during_design"] is None
    assert record["source"]["incomplete"] is False
    assert "extra" not in record


# --- The shared samples ----------------------------------------------------------------------------------


def _expected() -> dict[str, Any]:
    if not (SAMPLES / "expected.json").is_file():
        return {}
    data: dict[str, Any] = json.loads((SAMPLES / "expected.json").read_text("utf-8"))
    return data


@needs_shared
@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_sample_imports_with_expected_values(name: str) -> None:
    result = imported(SAMPLES / name)
    record = result.record
    want = _expected().get(name, {})
    if "number" in want:
        assert record["number"] == want["number"]
    if "name" in want:
        assert record["title"] == want["name"]
    if want.get("name_empty"):
        assert record["title"] in (None, "")
    if "status" in want:
        assert record["status"] == want["status"]
    if "amounts_usd" in want:
        assert set(amounts(record)) == set(want["amounts_usd"])
        assert all(s["currency"] == "USD" for f in record["funding"] for s in f["sources"])
    if "country" in want:
        assert want["country"] in record["countries"]
    if "modalities" in want:
        assert record["modalities"] == want["modalities"]
    if "officer" in want:
        assert record["officer"]["name"] == want["officer"]
    if "sectors" in want:
        assert [s["sector"] for s in record["sectors"]] == want["sectors"]
    assert result.layout == name.rsplit("__", 1)[1].removesuffix(".txt")
    assert record["source"]["layout"] == result.layout
    assert record["source"]["url"].startswith("http")


@needs_shared
@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_truncated_sample_says_so(name: str) -> None:
    result = imported(SAMPLES / name)
    assert result.record["source"]["incomplete"] is True
    assert "source.incomplete" in messages(result)


@needs_shared
def test_samples_keep_empty_fields_empty() -> None:
    old = imported(SAMPLES / "30316-013__print-old.txt").record
    assert old["location"] is None, "the disclaimer after Geographical Location is chrome, not its value"
    assert old["gender"] is None and old["strategic_agendas"] == [] and old["funding"] == []
    new = imported(SAMPLES / "39265-012__new.txt").record
    assert new["drivers_of_change"] == []
    assert new["sectors"] == [{"sector": "Transport", "subsectors": ["Road transport (non-urban)"]}]
    assert "gender" not in new, "the text stops at 'Gende': the field is absent, not empty"


@needs_shared
def test_sample_funding_shapes() -> None:
    gms = imported(SAMPLES / "43165-012__new.txt").record
    kinds = [s.get("kind") for s in gms["funding"][0]["sources"]]
    assert kinds == [None, "supplementary", "supplementary", None]
    henan = imported(SAMPLES / "34473-013__print-old.txt").record
    assert henan["funding"][1]["sources"] == [
        {"name": "Counterpart", "amount": 72800000, "currency": "USD", "kind": "counterpart"}
    ]
    private = imported(SAMPLES / "49066-001__other.txt").record
    assert private["funding"][0]["status"] == "Approved"
    assert private["borrower"] == "Beijing Capital Co., Ltd."


@needs_shared
def test_sample_pdf_copy_repairs_labels_and_ligatures() -> None:
    result = imported(SAMPLES / "45509-001__other.txt")
    record = result.record
    assert record["modalities"] == ["Technical Assistance"]
    assert record["gender"] == "Effective gender mainstreaming"
    assert "benefits" in record["description"]
    assert "'ood' may be 'flood'" in messages(result)


# --- Synthetic fixtures, one per layout ------------------------------------------------------------------


def fixture(name: str) -> Any:
    return imported(FIXTURES / name)


def test_tab_layout_fixture() -> None:
    result = fixture("tab_layout.txt")
    record = result.record
    assert result.layout == "text-tab"
    assert record["funding"] == [
        {
            "instrument": "TA",
            "approval_number": "9901-VIE",
            "title": "Coastal Towns Drainage Pilot",
            "sources": [{"name": "Technical Assistance Special Fund", "amount": 750000, "currency": "USD"}],
        }
    ]
    assert record["strategic_agendas"] == ["Inclusive economic growth", "Regional integration"]
    assert record["outcome"] == [
        "Drainage planning in pilot towns strengthened",
        "Town finances for drainage operations enhanced",
    ]
    assert len(record["outputs"]) == 3
    assert "ADB's earlier" in record["description"]
    assert record["business_opportunities"]["procurement"] is None
    assert record["extra"] == {
        "Donor Coordination Note": "The pilot is coordinated with the province's water partners."
    }
    text = messages(result)
    assert "unknown label 'Donor Coordination Note'" in text
    assert "apostrophe shown as '?'" in text and "doubled apostrophe" in text


def test_new_layout_fixture() -> None:
    result = fixture("new_layout.txt")
    record = result.record
    assert result.layout == "new"
    assert record["countries"] == ["Mongolia", "Kazakhstan"]
    assert record["modalities"] == ["Technical Assistance", "Grant"]
    ta, grant = record["funding"]
    assert [s.get("kind") for s in ta["sources"]] == [None, "supplementary"]
    assert amounts(record) == [1250000, 300000, 2500000]
    assert grant["approval_number"] is None and grant["sources"][0]["kind"] == "cofinancing"
    assert record["drivers_of_change"] == [
        "Gender Equity and Mainstreaming",
        "Governance and capacity development",
    ]
    assert record["gender"] == "Some gender elements"
    assert record["sectors"][1] == {
        "sector": "Public sector management",
        "subsectors": ["Public administration"],
    }
    assert [o["statement"] for o in record["outputs"]][0] == "Road condition survey completed"
    assert record["safeguards"]["categories"] == {
        "environment": "C",
        "involuntary_resettlement": "C",
        "indigenous_peoples": "C",
    }
    assert record["safeguards"]["involuntary_resettlement"] is None
    assert (
        record["executing_agencies"][0]["address"]
        == "Government Building 2, United Nations Street 5, Ulaanbaatar"
    )
    assert record["rationale"] is None
    assert record["source"]["incomplete"] is False and record["source"]["date_generated"] == "2019-03-20"
    assert "Batbayar" not in json.dumps(record.get("extra", {})), "the Project Details bullets are chrome"
    assert not result.problems


def test_print_old_fixture() -> None:
    result = fixture("print_old.txt")
    record = result.record
    assert result.layout == "print-old"
    assert amounts(record) == [45000000, 12500000, 1250000, 9750000]
    assert record["funding"][2]["approval_number"] == "0099"
    assert record["sectors"] == [
        {
            "sector": "Water supply and other municipal infrastructure and services",
            "subsectors": ["Water Supply and Sanitation"],
        }
    ]
    assert record["timetable"] == {"last_pds_update": "2010-08-17"}
    assert record["extra"]["PDS Creation Date"] == "03 Mar 2005"
    assert record["consultation"]["during_design"] == "Town meetings were held in all six towns."
    assert "TOTAL" not in messages(result), "rows add up to the TOTAL row"


def test_web2023_fixture_with_cells() -> None:
    result = fixture("web2023.txt")
    record = result.record
    assert result.layout == "web2023"
    assert record["title"] == "Lake District Wastewater and Wetlands Project"
    assert len(record["operational_priorities"]) == 3
    assert record["operational_priorities"][1] == "OP4: Making cities more livable"
    assert [s["sector"] for s in record["sectors"]] == [
        "Water and other urban infrastructure and services",
        "Agriculture, natural resources and rural development",
    ]
    assert [o["statement"] for o in record["outputs"]] == [
        "Wastewater collection and treatment expanded",
        "Wetlands restored",
        "Institutional capacity for lake management strengthened",
    ]
    assert record["executing_agencies"] == [
        {"name": "Lakeside County Government", "address": "No. 8 Binhu Road, Lakeside County"}
    ]


def test_private_sector_fixture() -> None:
    result = fixture("private_sector.txt")
    record = result.record
    assert result.layout == "other"
    assert [(f["instrument"], f["approval_number"], f["status"]) for f in record["funding"]] == [
        ("Loan", "9905", "Approved"),
        ("Equity", "9906", "Committed"),
    ]
    assert amounts(record) == [75000000, 20000000]
    assert record["officer"] == {
        "name": "Santos, Maria",
        "department": "Private Sector Operations Department",
        "division": "Infrastructure Finance Division 1",
    }
    assert record["extra"] == {"Project Sponsor(s)": "Example Logistics Group"}


def test_pdf_wrapped_fixture() -> None:
    result = fixture("pdf_wrapped.txt")
    record = result.record
    assert result.layout == "other"
    assert record["modalities"] == ["Technical Assistance"]
    assert record["funding"][0]["approval_number"] == "9906-VIE"
    assert record["strategic_agendas"] == ["Environmentally sustainable growth", "Inclusive economic growth"]
    assert record["gender"] == "Effective gender mainstreaming"
    assert record["description"].endswith("all year and the benefits reach smaller farms.")
    assert "\n" not in record["description"], "lines a PDF wrapped are joined back"


def test_saved_html_fixture() -> None:
    result = fixture("saved_page.html")
    record = result.record
    assert result.layout == "html"
    assert record["title"] == "Mountain Schools Energy Efficiency"
    assert record["modalities"] == ["Grant", "Technical Assistance"]
    assert amounts(record) == [8500000, 500000]
    assert "**120 schools**" in record["description"]
    assert "[Energy Policy](https://www.adb.org/documents/energy-policy)" in record["description"]
    assert record["description"].count("\n\n") == 1
    assert [o["statement"] for o in record["outputs"]] == [
        "School buildings retrofitted",
        "School energy management strengthened",
    ]
    assert record["timetable"]["fact_finding"] is None
    assert record["links"] == {"project_page": "https://www.adb.org/projects/99909-001/main"}
    assert record["extra"] == {"Country Director Note": "Reviewed in 2022."}
    assert "tracking" not in json.dumps(record)


def test_label_without_value_stays_empty() -> None:
    result = fixture("name_empty.txt")
    record = result.record
    assert record["title"] == ""
    assert "'Project Name' has no value" in messages(result)
    assert record["number"] == "99907-001"
    assert record["strategic_agendas"] == [] and record["drivers_of_change"] == []
    assert record["gender"] is None and record["description"] is None
    assert record["funding"][0]["approval_number"] is None


def test_truncated_text_leaves_fields_absent() -> None:
    result = fixture("truncated.txt")
    record = result.record
    assert record["source"]["incomplete"] is True
    assert record["drivers_of_change"] == ["Governance and capacity development", "Partnerships"]
    assert "sectors" not in record and "gender" not in record
    assert "'Private sector dev' is cut off" in messages(result)
    cut = fixture("truncated_label.txt")
    assert "gender" not in cut.record
    assert "ends in 'Gende'" in messages(cut)


def test_not_a_pds_is_a_clear_error() -> None:
    path = FIXTURES / "not_a_pds.txt"
    result = import_pds(path.read_text("utf-8"), str(path))
    assert not result.ok and result.record == {}
    assert "not a project data sheet" in messages(result)


# --- Re-import and the command line ----------------------------------------------------------------------


def parse_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ksite import pds")
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def run_cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(parse_args(*argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_writes_record_and_reports_warnings(tmp_path: Path) -> None:
    code, _, err = run_cli(str(FIXTURES / "tab_layout.txt"), "-o", str(tmp_path))
    assert code == 0
    text = (tmp_path / "99901-001.yaml").read_text("utf-8")
    assert text.startswith(SCHEMA_COMMENT + "\n")
    assert load_yaml_like_site(text)["number"] == "99901-001"
    assert re.search(r"tab_layout\.txt:22:1: warning: unknown label 'Donor Coordination Note'", err)


def test_cli_reads_stdin_and_json_format(tmp_path: Path) -> None:
    text = (FIXTURES / "print_old.txt").read_text("utf-8")
    code, _, err = run_cli("-", "-o", str(tmp_path), "--format", "json", stdin=text)
    assert code == 0
    assert (tmp_path / "99903-013.yaml").is_file()
    problems = json.loads(err)
    assert {p["severity"] for p in problems} == {"warning"}
    assert all(p["path"] == "<stdin>" for p in problems)
    assert "file" not in load_yaml_like_site((tmp_path / "99903-013.yaml").read_text("utf-8"))["source"]


def test_cli_not_a_pds_fails(tmp_path: Path) -> None:
    code, _, err = run_cli(str(FIXTURES / "not_a_pds.txt"), "-o", str(tmp_path))
    assert code == 1
    assert "error: not a project data sheet" in err
    assert not list(tmp_path.iterdir())


def test_cli_missing_file_fails(tmp_path: Path) -> None:
    code, _, err = run_cli(str(tmp_path / "nope.txt"), "-o", str(tmp_path))
    assert code == 1 and "cannot read the file" in err


def _editor_touched(path: Path) -> dict[str, Any]:
    record = load_yaml_like_site(path.read_text("utf-8"))
    record["title"] = {"en": record["title"], "zh": "沿海城镇排水试点"}
    record["places"] = ["quang-ninh"]
    record["topics"] = ["drainage"]
    record["outputs"][0]["indicators"] = [{"text": "Designs approved by the province", "target": "2 towns"}]
    record["impact"] = [{"en": record["impact"][0], "zh": "沿海城镇韧性提高"}]
    record["gender"] = "Effective gender mainstreaming"
    return record


def test_reimport_keeps_editor_additions_and_updates_imported_fields(tmp_path: Path) -> None:
    assert run_cli(str(FIXTURES / "tab_layout.txt"), "-o", str(tmp_path))[0] == 0
    target = tmp_path / "99901-001.yaml"
    edited = _editor_touched(target)
    target.write_text("# Edited by hand.\n" + dump_record(edited), "utf-8")
    before = target.read_text("utf-8")

    code, diff, _ = run_cli(str(FIXTURES / "tab_layout.txt"), "-o", str(tmp_path), "--dry-run")
    assert code == 0
    assert target.read_text("utf-8") == before, "--dry-run writes nothing"
    assert "-gender: Effective gender mainstreaming" in diff and "+gender: No gender elements" in diff

    assert run_cli(str(FIXTURES / "tab_layout.txt"), "-o", str(tmp_path))[0] == 0
    after = target.read_text("utf-8")
    record = load_yaml_like_site(after)
    assert "# Edited by hand." in after.splitlines()[:3]
    assert record["title"] == {"en": "Coastal Towns Drainage Pilot", "zh": "沿海城镇排水试点"}
    assert record["places"] == ["quang-ninh"] and record["topics"] == ["drainage"]
    assert record["outputs"][0]["indicators"][0]["target"] == "2 towns"
    assert record["impact"] == [{"en": "Coastal town resilience improved", "zh": "沿海城镇韧性提高"}]
    assert record["gender"] == "No gender elements"
    assert_valid_record(record)

    code, diff, _ = run_cli(str(FIXTURES / "tab_layout.txt"), "-o", str(tmp_path), "--dry-run")
    assert "no change" in diff


def test_reimport_warns_about_stale_translation(tmp_path: Path) -> None:
    assert run_cli(str(FIXTURES / "tab_layout.txt"), "-o", str(tmp_path))[0] == 0
    target = tmp_path / "99901-001.yaml"
    record = load_yaml_like_site(target.read_text("utf-8"))
    record["impact"] = [{"en": "An older impact statement", "zh": "旧的影响陈述"}]
    target.write_text(dump_record(record), "utf-8")
    code, _, err = run_cli(str(FIXTURES / "tab_layout.txt"), "-o", str(tmp_path))
    assert code == 0
    assert "impact[1]: the en text changed; check its zh translation" in err
    assert load_yaml_like_site(target.read_text("utf-8"))["impact"] == [
        {"en": "Coastal town resilience improved", "zh": "旧的影响陈述"}
    ]


@needs_shared
def test_seed_import_over_bundled_record_changes_nothing(tmp_path: Path) -> None:
    shutil.copy(BUNDLED, tmp_path / BUNDLED.name)
    code, diff, _ = run_cli(str(SEED), "-o", str(tmp_path), "--dry-run")
    assert code == 0
    assert diff.strip().endswith("no change")


# --- Issue 19: real pages of every layout (small inline texts) -------------------------------------------


def inline(text: str, *, file_name: str | None = None, number: str | None = None) -> Any:
    result = import_pds(text, "sheet.txt", file_name=file_name, number=number)
    assert result.ok, [str(p) for p in result.problems]
    assert_valid_record(result.record)
    return result


PRIVATE_ROWS = """Project Name Harbour Cranes Facility
Project Number 99911-001
Country / Economy Viet Nam
Type or Modality of Assistance
Approval Number Facility Fund Source Amount Status
1234-001 Loan Ordinary capital resources USD 50.00 million Closed
45 B-Loan Complementary Loan USD 75.00 million Closed
a row the importer cannot read
Strategic Agendas Inclusive economic growth
"""


def test_every_private_row_survives_with_its_fund() -> None:
    result = inline(PRIVATE_ROWS)
    record = result.record
    assert [(f["instrument"], f["approval_number"], f["status"]) for f in record["funding"]] == [
        ("Loan", "1234-001", "Closed"),
        ("B-Loan", "45", "Closed"),
    ]
    assert [s["name"] for f in record["funding"] for s in f["sources"]] == [
        "Ordinary capital resources",
        "Complementary Loan",
    ]
    assert amounts(record) == [50000000, 75000000]
    assert record["modalities"] == ["Loan", "B-Loan"], "the rows' first column is the modality"
    assert "a row the importer cannot read" in record["extra"].values()
    assert "assistance row 'a row the importer cannot read' not understood" in messages(result)
    assert "Approval Number Facility" not in json.dumps(record), "the column header is not a row"


def test_old_assistance_rows_and_labels_above_the_number() -> None:
    text = """Home : Projects : Project Data Sheet

Country Thailand
Location Two provinces
Project Number 99912-001
Approval Number 7356/2875
Type of ADB Assistance / Amount
Others US$15.00  million
Private Sector Loan US$25.20  million
Responsible ADB Department Private Sector Operations Department
"""
    record = inline(text).record
    assert record["countries"] == ["Thailand"] and record["location"] == "Two provinces"
    assert record["modalities"] == ["Others", "Private Sector Loan"]
    assert amounts(record) == [15000000, 25200000]
    assert record["extra"]["Approval Number"] == "7356/2875"
    assert inline(text).layout == "other"


def test_financing_table_row_wrapped_over_lines() -> None:
    text = """PDS Creation Date 06 Apr 2006
Project Name Example Hydropower
Project/Program Number 99913-014
Financing

Type/Modality of Assistance Approval Number Source of Funding Approved Amount (thousand)
PS7210Political Risk Guarantee
(Fully Disbursed)
50,000
Loan7211Ordinary capital resources25,000
TOTAL USD 75,000
"""
    result = inline(text)
    assert amounts(result.record) == [50000000, 25000000]
    assert "TOTAL" not in messages(result) and "not understood" not in messages(result)


def test_private_sector_fields_have_their_own_entries() -> None:
    text = """Project Name Solar Parks
Project Number 99914-001
Description The project builds two solar parks.
Objectives and Scope The project will diversify the energy mix.
Status of Development Objectives To be determined.
Status of Operation/Construction Phase 1 has reached commercial operation.
Linkage to Country/Regional Strategy The project is in line with the country strategy.
Project Sponsor(s) Sun Holdings
Date Generated 11 November 2022
"""
    record = inline(text).record
    assert record["description"] == "The project builds two solar parks."
    assert record["rationale"] == "The project is in line with the country strategy."
    assert record["extra"] == {
        "Objectives and Scope": "The project will diversify the energy mix.",
        "Status of Development Objectives": "To be determined.",
        "Status of Operation/Construction": "Phase 1 has reached commercial operation.",
        "Project Sponsor(s)": "Sun Holdings",
    }


DETAILS_PAGE = """# source: https://www.adb.org/projects/details?page=details
99915-001: Valley Road Improvement Project, Phase 2

Project Data Sheet (PDS): Details


The project will rehabilitate 120 km of the valley road.

Project Rationale and Linkage to Country/Regional Strategy

The road links the two largest cities.
"""


def test_pds_details_page_imports_what_it_has() -> None:
    result = inline(DETAILS_PAGE)
    record = result.record
    assert result.layout == "other"
    assert record["number"] == "99915-001"
    assert record["title"] == "Valley Road Improvement Project, Phase 2"
    assert record["description"] == "The project will rehabilitate 120 km of the valley road."
    assert record["rationale"] == "The road links the two largest cities."
    assert record["source"]["incomplete"] is True
    assert "no label table" in messages(result) and "source.incomplete" in messages(result)
    assert "extra" not in record


PROJECT_DETAILS = """Tonga: Harbour Towns Project

Sovereign Project | 99916-002

Project Details

Project Officer
King, Grace Pacific Department Request for information
Country
  • Tonga
Approval Date
  • 8 October 2015
Sector
  • Water and other urban infrastructure and services

Project Name Harbour Towns Project
Project Number 99916-002
Country Tonga
Project Status Active
"""


def test_project_details_block_fills_what_the_table_lacks() -> None:
    result = inline(PROJECT_DETAILS)
    record = result.record
    assert record["officer"] == {"name": "King, Grace", "department": "Pacific Department"}
    assert record["sectors"] == [{"sector": "Water and other urban infrastructure and services"}]
    assert record["timetable"] == {"approval": "2015-10-08"}
    assert record["countries"] == ["Tonga"]
    assert not result.problems or "Project Details" not in messages(result)


def test_project_details_block_loses_to_the_table_with_a_warning() -> None:
    text = PROJECT_DETAILS.replace("Country Tonga\n", "Country Samoa\n") + (
        "Responsible ADB Officer Smith, Jane\n"
    )
    result = inline(text)
    assert result.record["countries"] == ["Samoa"]
    assert result.record["officer"]["name"] == "Smith, Jane"
    text_ = messages(result)
    assert "Project Details gives countries 'Tonga' but the data sheet gives 'Samoa'" in text_
    assert "Project Details gives officer.name 'King, Grace'" in text_
    assert "sheet.txt:10:5: warning: Project Details gives countries" in text_, "at the block's value"


def test_project_details_block_with_dash_separators() -> None:
    text = """Project Details
-
Project Officer
Cho, Terry
Sectors Group
Request for information -
Country/Economy
Maldives -
Modality
-
Sector
- Water and other urban infrastructure and services
Project Name | Island Waste Project | ||||
Project Number | 99917-002 | ||||
"""
    result = inline(text)
    assert result.layout == "web2023"
    assert result.record["officer"] == {"name": "Cho, Terry", "department": "Sectors Group"}
    assert result.record["countries"] == ["Maldives"]
    assert "modalities" not in result.record, "an empty Modality item gives nothing"


def test_empty_project_number_falls_back_with_a_warning() -> None:
    text = "Sovereign Project | 99918-001\n\nProject Name Hill Roads\nProject Number\nCountry Nepal\n"
    result = inline(text)
    assert result.record["number"] == "99918-001"
    assert "'Project Number' has no value" in messages(result)
    assert "99918-001 taken from the page header" in messages(result)
    from_url = inline(
        "# source: https://www.adb.org/projects/99918-002/main\nProject Name Hill Roads\n"
        "Project Number\nCountry Nepal\n"
    )
    assert from_url.record["number"] == "99918-002" and "taken from the source URL" in messages(from_url)
    from_name = inline(
        "Project Name Hill Roads\nProject Number\nCountry Nepal\n", file_name="99918-003__x.txt"
    )
    assert from_name.record["number"] == "99918-003" and "taken from the file name" in messages(from_name)
    given = inline("Project Name Hill Roads\nProject Number\nCountry Nepal\n", number="99918-004")
    assert given.record["number"] == "99918-004"


def test_cli_number_option(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.txt"
    sheet.write_text("Project Name Hill Roads\nProject Number\nCountry Nepal\n", "utf-8")
    code, _, err = run_cli(str(sheet), "-o", str(tmp_path / "out"))
    assert code == 1 and "no project number found" in err
    code, _, err = run_cli(str(sheet), "-o", str(tmp_path / "out"), "--number", "99919-001")
    assert code == 0, err
    assert (
        load_yaml_like_site((tmp_path / "out" / "99919-001.yaml").read_text("utf-8"))["title"] == "Hill Roads"
    )
    code, _, err = run_cli(str(sheet), str(sheet), "-o", str(tmp_path / "out"), "--number", "99919-001")
    assert code == 1 and "give one FILE" in err
    code, _, err = run_cli(str(sheet), "-o", str(tmp_path / "out"), "--number", "99919")
    assert code == 1 and "is not a project number" in err


def test_bulleted_values_and_labels_on_their_own_lines() -> None:
    text = """Project Name
Coastal Towns Project
Project Number
99920-001
Country / Economy
  • Cambodia
Project Type / Modality of Assistance
  • Grant
  • Loan
Source of Funding / Amount
MFF Facility Concept 0097-FIJ: Coastal Towns Program
Source Amount
Ordinary capital resources US$ 153.20 million
Loan: Coastal Towns Project
Source Amount
European Investment Bank US$ 70.80 million
Drivers of Change
  • Gender Equity and Mainstreaming
  • Partnerships
Sector / Subsector
  • Agriculture, natural resources and rural development /

Effective gender mainstreaming
"""
    result = inline(text)
    record = result.record
    assert result.layout == "web2023"
    assert record["countries"] == ["Cambodia"] and record["modalities"] == ["Grant", "Loan"]
    assert record["drivers_of_change"] == ["Gender Equity and Mainstreaming", "Partnerships"]
    assert [(f["instrument"], f["approval_number"], f["title"]) for f in record["funding"]] == [
        ("MFF Facility Concept", "0097-FIJ", "Coastal Towns Program"),
        ("Loan", None, "Coastal Towns Project"),
    ]
    assert record["sectors"] == [{"sector": "Agriculture, natural resources and rural development"}]
    assert record["gender"] == "Effective gender mainstreaming"
    assert "gender category printed without its label" in messages(result)


def test_unread_funding_line_before_a_header_is_kept() -> None:
    text = """Project Name Hill Roads
Project Number 99921-001
Source of Funding / Amount
TA 9901-NEP: Hill Roads
Technical Assistance Special Fund US$ 500,000.00
a line that is not a funding line
Loan 3001-NEP: Hill Roads
Asian Development Fund US$ 30.00 million
Strategic Agendas Inclusive economic growth
"""
    result = inline(text)
    assert "funding line 'a line that is not a funding line' not understood" in messages(result)
    assert "a line that is not a funding line" in result.record["extra"].values()

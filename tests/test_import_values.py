"""Value readers of the PDS importer: money, dates, statements, lists, sectors, agencies, repairs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.importers import vocab
from generator.importers.entries import Line
from generator.importers.funding import parse_financing_table, parse_private_rows
from generator.importers.repair import repair_text
from generator.importers.values import (
    Money,
    SectorEntry,
    parse_date,
    parse_date_range,
    parse_money,
    parse_number,
    parse_sector_line,
    split_agency,
    split_statements,
)


@pytest.mark.parametrize(
    ("text", "money"),
    [
        ("US$ 1.40 million", Money(1400000, "USD")),
        ("US$ 400,000.00", Money(400000, "USD")),
        ("USD 150.00 million", Money(150000000, "USD")),
        ("US$ 2.5 billion", Money(2500000000, "USD")),
        ("EUR 3,000", Money(3000, "EUR")),
    ],
)
def test_parse_money(text: str, money: Money) -> None:
    assert parse_money(text) == money


def test_parse_number_scales_thousands() -> None:
    assert parse_number("500,000.00") == 500000
    assert parse_number("87,000", 1000) == 87000000
    assert parse_number("1.5", 1000) == 1500
    assert parse_number("0.25") == 0.25


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_number_reads_grouped_digits(n: int) -> None:
    assert parse_number(f"{n:,}") == n
    assert parse_number(f"{Decimal(n) / 100:,.2f}", 100) == n


def test_dates() -> None:
    assert parse_date("14 Sep 2020") == "2020-09-14"
    assert parse_date("16 September 2020") == "2020-09-16"
    assert parse_date("8 October 2015") == "2015-10-08"
    assert parse_date("2021-01-05") == "2021-01-05"
    assert parse_date("Sep 2020") is None
    assert parse_date("-") is None
    assert parse_date_range("14 Sep 2020 to 15 Sep 2020") == ("2020-09-14", "2020-09-15")
    assert parse_date_range("14 Sep 2020") == ("2020-09-14", None)


def test_statements_split_after_participles() -> None:
    seed = (
        "Research on innovation-driven green economic diversification for resource-exhausted cities "
        "produced Innovation-driven green economic diversification strategy and policy framework for "
        "resource-exhausted cities proposed Knowledge on innovation-driven green economic diversification "
        "for resource-exhausted cities enhanced"
    )
    parts = split_statements(seed)
    assert [p.split()[-1] for p in parts] == ["produced", "proposed", "enhanced"]
    single = (
        "Innovation-driven green economic diversification development planning for resource-exhausted "
        "cities in Heilongjiang strengthened"
    )
    assert split_statements(single) == [single]
    assert split_statements("Integrated Urban Development Plan prepared") == [
        "Integrated Urban Development Plan prepared"
    ]
    assert split_statements("Research on selected Heilongjiang cities produced") == [
        "Research on selected Heilongjiang cities produced"
    ]


def test_run_together_lists() -> None:
    assert vocab.split_run_together(
        "Environmentally sustainable growth Inclusive economic growth", vocab.STRATEGIC_AGENDAS
    ) == ["Environmentally sustainable growth", "Inclusive economic growth"]
    assert vocab.split_run_together("Gender Equity and Mainstreaming Knowledge solutions", vocab.DRIVERS) == [
        "Gender Equity and Mainstreaming",
        "Knowledge solutions",
    ]
    assert vocab.split_by_vocabulary(
        "Regional Lao People's Democratic Republic Viet Nam", vocab.COUNTRIES
    ) == ["Regional", "Lao People's Democratic Republic", "Viet Nam"]
    assert vocab.split_by_vocabulary("China, People's Republic of", vocab.COUNTRIES) == [
        "China, People's Republic of"
    ]
    assert (
        vocab.repair_vocabulary("Eective gender mainstreaming", vocab.GENDER)
        == "Effective gender mainstreaming"
    )


def test_sector_lines() -> None:
    [one] = parse_sector_line(
        "Water and other urban infrastructure and services - Urban policy, institutional "
        "and capacity development"
    )
    assert one.subsectors == ("Urban policy, institutional and capacity development",)
    [two] = parse_sector_line("Transport / Urban public transport - Urban roads and traffic management")
    assert two.sector == "Transport" and len(two.subsectors) == 2
    run = parse_sector_line(
        "Transport - Urban roads and traffic management Water and other urban infrastructure "
        "and services - Urban sewerage"
    )
    assert [s.sector for s in run] == ["Transport", "Water and other urban infrastructure and services"]


def test_agency_and_address() -> None:
    assert split_agency("Heilongjiang Provincial Finance Department No. 146 Jianshe Street, Harbin") == (
        "Heilongjiang Provincial Finance Department",
        "No. 146 Jianshe Street, Harbin",
    )
    assert split_agency("Ministry of Finance") == ("Ministry of Finance", None)


def test_repairs_certain_and_doubtful() -> None:
    fixed, notes = repair_text("ADB?s policy and the people''s plan cost US\\$ 5")
    assert fixed == "ADB's policy and the people's plan cost US$ 5"
    assert len(notes) == 2
    fixed, notes = repair_text("ADB s policy")
    assert fixed == "ADB s policy" and "left as it is" in notes[0].message
    fixed, notes = repair_text("the projectâ€™s aim")
    assert fixed == "the project’s aim" and "mis-decoded" in notes[0].message
    fixed, notes = repair_text("the benets of ood control", ligatures=True)
    assert fixed == "the benefits of ood control"
    assert any("'ood' may be 'flood'" in n.message for n in notes)


def test_sector_with_empty_subsector() -> None:
    assert parse_sector_line("Agriculture, natural resources and rural development /") == [
        SectorEntry("Agriculture, natural resources and rural development", ())
    ]
    assert parse_sector_line("Transport /") == [SectorEntry("Transport", ())]


def test_private_rows_split_instrument_and_fund() -> None:
    rows = [
        Line("1234-001 Loan Ordinary capital resources USD 50.00 million Closed", 1),
        Line("CF87 B-Loan Other USD 30.00 million Approved", 2),
        Line("9906 Equity USD 20.00 million Committed", 3),
        Line("Private Sector Loan US$25.20  million", 4),
        Line("no amount here", 5),
    ]
    found, issues = parse_private_rows(rows)
    assert [
        (f["approval_number"], f["instrument"], f.get("status"), f["sources"][0]["name"]) for f in found
    ] == [
        ("1234-001", "Loan", "Closed", "Ordinary capital resources"),
        ("CF87", "B-Loan", "Approved", "Other"),
        ("9906", "Equity", "Committed", "Equity"),
        (None, "Private Sector Loan", None, "Private Sector Loan"),
    ]
    assert [i.line.line for i in issues] == [5]


def test_financing_table_rows_wrapped_over_lines() -> None:
    header = "Type/Modality of Assistance Approval Number Source of Funding Approved Amount (thousand)"
    lines = [Line("PS7210Political Risk Guarantee", 1), Line("(Fully Disbursed)", 2), Line("50,000", 3)]
    found, issues = parse_financing_table(header, lines)
    assert found[0]["approval_number"] == "7210"
    assert found[0]["sources"][0]["amount"] == 50000000 and not issues


def test_officer_and_department_on_one_line() -> None:
    assert vocab.split_department("Stefan Rau East Asia Department") == ("Stefan Rau", "East Asia Department")
    assert vocab.split_department("Tawisook, Witoon Southeast Asia Department") == (
        "Tawisook, Witoon",
        "Southeast Asia Department",
    )
    assert vocab.split_department("Someone Unknown Office") == ("Someone Unknown Office", None)

"""Closed value lists of ADB data sheets.

They let the importer split values a layout ran together ("Inclusive economic growth
Regional integration") and repair damaged ones ("Eective gender mainstreaming") with
certainty, instead of guessing from capital letters alone.
"""

from __future__ import annotations

import re

STATUSES = ("Proposed", "Approved", "Active", "Closed", "Dropped", "Terminated", "Archived", "Cancelled")

GENDER = (
    "No gender elements",
    "Some gender elements",
    "Effective gender mainstreaming",
    "Gender equity",
    "Gender equity theme",
    "Gender equity as a theme",
)

STRATEGIC_AGENDAS = (
    "Inclusive economic growth",
    "Environmentally sustainable growth",
    "Regional integration",
)

DRIVERS = (
    "Governance and capacity development",
    "Knowledge solutions",
    "Private sector development",
    "Partnerships",
    "Gender Equity and Mainstreaming",
    "Gender equity and mainstreaming",
)

MODALITIES = (
    "Technical Assistance",
    "Loan",
    "Grant",
    "Equity",
    "Guarantee",
    "Debt Security",
    "B-Loan",
    "Other",
)

DEPARTMENTS = (
    "Central and West Asia Department",
    "East Asia Department",
    "Pacific Department",
    "South Asia Department",
    "Southeast Asia Department",
    "Private Sector Operations Department",
    "Sectors Group",
    "Sustainable Development and Climate Change Department",
    "Climate Change and Sustainable Development Department",
    "Economic Research and Regional Cooperation Department",
    "Economic Research and Development Impact Department",
    "Regional and Sustainable Development Department",
    "Strategy, Policy and Partnerships Department",
    "Strategy, Policy and Review Department",
    "Procurement, Portfolio and Financial Management Department",
    "Office of Public-Private Partnership",
    "Office of Markets Development and Public-Private Partnership",
    "Climate Change, Resilience, and Environment Cluster",
)
"""ADB departments, to cut ``King, Grace Pacific Department`` into officer and department."""


def split_department(text: str) -> tuple[str, str | None]:
    """``Stefan Rau East Asia Department`` -> (``Stefan Rau``, ``East Asia Department``); the
    department is found by name, so a text that names none stays whole."""
    for name in sorted(DEPARTMENTS, key=len, reverse=True):
        if text.endswith(" " + name):
            return text[: -len(name) - 1].strip(), name
    return text, None


INSTRUMENTS = (
    *MODALITIES,
    "Others",
    "A-Loan",
    "Private Sector Loan",
    "Political Risk Guarantee",
    "Partial Credit Guarantee",
    "Credit Guarantee",
    "Technical Assistance Loan",
    "Policy-Based Loan",
    "Results-Based Loan",
    "Multitranche Financing Facility",
)
"""Instruments a funding row may open with, longest matched first (``B-Loan`` before ``Loan``)."""

SECTORS = (
    "Agriculture, natural resources and rural development",
    "Education",
    "Energy",
    "Finance",
    "Health",
    "Industry and trade",
    "Information and communication technology",
    "Multisector",
    "Public sector management",
    "Transport",
    "Water and other urban infrastructure and services",
)
"""ADB's top-level sectors since 2014; older sheets use other names, which still parse."""

COUNTRIES = (
    "Afghanistan",
    "Armenia",
    "Azerbaijan",
    "Bangladesh",
    "Bhutan",
    "Cambodia",
    "China, People's Republic of",
    "Cook Islands",
    "Fiji",
    "Georgia",
    "India",
    "Indonesia",
    "Kazakhstan",
    "Kiribati",
    "Kyrgyz Republic",
    "Lao People's Democratic Republic",
    "Malaysia",
    "Maldives",
    "Marshall Islands",
    "Micronesia, Federated States of",
    "Mongolia",
    "Myanmar",
    "Nauru",
    "Nepal",
    "Niue",
    "Pakistan",
    "Palau",
    "Papua New Guinea",
    "Philippines",
    "Samoa",
    "Solomon Islands",
    "Sri Lanka",
    "Tajikistan",
    "Thailand",
    "Timor-Leste",
    "Tonga",
    "Turkmenistan",
    "Tuvalu",
    "Uzbekistan",
    "Vanuatu",
    "Viet Nam",
    "Regional",
    "Korea, Republic of",
    "Hong Kong, China",
    "Taipei,China",
    "Singapore",
    "Brunei Darussalam",
)

_LIGATURES = ("ffi", "ffl", "ff", "fi", "fl")

LIGATURE_WORDS = (
    "effective",
    "effectively",
    "effectiveness",
    "efficiency",
    "efficient",
    "benefit",
    "benefits",
    "beneficiaries",
    "beneficiary",
    "financial",
    "finance",
    "financing",
    "financed",
    "official",
    "officials",
    "office",
    "offices",
    "officer",
    "significant",
    "significantly",
    "specific",
    "specifically",
    "identified",
    "identify",
    "identification",
    "difficult",
    "difficulties",
    "affected",
    "affect",
    "affecting",
    "effort",
    "efforts",
    "effect",
    "effects",
    "traffic",
    "staff",
    "flood",
    "floods",
    "flooding",
    "conflict",
    "conflicts",
    "influence",
    "reflect",
    "reflects",
    "inflow",
    "outflow",
    "classified",
    "classification",
    "modified",
    "diversified",
    "diversification",
    "certified",
    "sufficient",
    "insufficient",
    "profile",
    "profiles",
    "offer",
    "offers",
    "different",
    "differences",
    "difference",
    "facilities",
    "flexible",
    "flexibility",
    "field",
    "fields",
    "first",
    "five",
    "flow",
    "flows",
    "fiscal",
    "final",
    "finalized",
    "fleet",
    "qualified",
    "justified",
    "simplified",
    "intensified",
    "verified",
    "specified",
)
"""Words a PDF text extractor loses letters from when their fi/fl/ff ligature is dropped."""


def _damaged(word: str) -> set[str]:
    forms = set()
    for lig in _LIGATURES:
        if lig in word:
            forms.add(word.replace(lig, ""))
    return forms


_ENGLISH_SHORT = {"ow", "ood", "ve", "eld", "rst", "nal", "scal", "eet", "oer", "sta", "prole", "oce"}
"""Damaged forms that are words or too short to repair with certainty: reported, never replaced."""


def _ligature_table() -> tuple[dict[str, str], dict[str, str]]:
    certain: dict[str, str] = {}
    doubtful: dict[str, str] = {}
    for word in LIGATURE_WORDS:
        for form in _damaged(word):
            if not form:
                continue
            if form in _ENGLISH_SHORT or len(form) < 4:
                doubtful[form] = word
            else:
                certain[form] = word
    return certain, doubtful


LIGATURE_CERTAIN, LIGATURE_DOUBTFUL = _ligature_table()


def repair_vocabulary(value: str, choices: tuple[str, ...]) -> str | None:
    """The vocabulary entry ``value`` is, allowing for letters lost with a ligature."""
    low = value.strip().lower()
    for choice in choices:
        if choice.lower() == low:
            return choice
    for choice in choices:
        for lig in _LIGATURES:
            if lig in choice.lower() and choice.lower().replace(lig, "") == low:
                return choice
    return None


def split_by_vocabulary(text: str, choices: tuple[str, ...]) -> list[str] | None:
    """Cut ``text`` into vocabulary entries when it is nothing but entries run together."""
    rest = text.strip()
    found: list[str] = []
    ordered = sorted(choices, key=len, reverse=True)
    while rest:
        for choice in ordered:
            if rest.lower().startswith(choice.lower()) and (
                len(rest) == len(choice) or rest[len(choice)] in " ,;"
            ):
                found.append(rest[: len(choice)])
                rest = rest[len(choice) :].lstrip(" ,;")
                break
        else:
            return None
    return found


_CASE_BREAK = re.compile(r"(?<=[a-z)]) (?=[A-Z][a-z])")


def split_run_together(text: str, choices: tuple[str, ...]) -> list[str]:
    """Values of a list field written on one line: by vocabulary when possible, otherwise at
    each lower-case word followed by a capitalised one (list items are sentence-case)."""
    by_vocab = split_by_vocabulary(text, choices)
    if by_vocab is not None:
        return by_vocab
    return [part.strip() for part in _CASE_BREAK.split(text) if part.strip()]

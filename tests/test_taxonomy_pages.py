"""Related products on a product page; place and topic pages list what is tagged, newest first."""

from __future__ import annotations

import re

from .builtsite import built_site


def cards_after(path: str, anchor: str) -> list[str]:
    """Product ids of the cards after the heading ``id=anchor`` of a built page."""
    html = (built_site() / path / "index.html").read_text("utf-8")
    section = html.split(f'id="{anchor}"', 1)[1]
    section = section.split("</ul>", 1)[0]
    return re.findall(r'class="ksite-card__title" href="[^"]*?([^/"]+)/(?:index\.html)?"', section)


def test_related_products_share_output_place_or_topic_closest_first() -> None:
    related = cards_after("knowledge/smes-and-green-industries", "related")
    # Output 2 (3 points), Heilongjiang (2) and topics (1 each): 7, then 6 (one topic), then 5.
    assert related[:3] == ["innovation-enabling-systems", "ta-overview-presentation", "planning-beyond-2020"]
    assert "smes-and-green-industries" not in related
    assert len(related) == 5


def test_place_page_lists_tagged_products_newest_first() -> None:
    assert cards_after("places/harbin", "knowledge") == [
        "ta-overview-presentation",
        "fact-finding-september-2020",
    ]
    heilongjiang = cards_after("zh/places/heilongjiang", "knowledge")
    assert (
        heilongjiang[0] == "smes-and-green-industries"
        and heilongjiang[-1] == "project-list-agreed-january-2020"
    )
    assert len(heilongjiang) == 8


def test_topic_page_lists_tagged_products_newest_first() -> None:
    assert cards_after("topics/innovation", "knowledge") == [
        "smes-and-green-industries",
        "ta-overview-presentation",
        "innovation-enabling-systems",
    ]

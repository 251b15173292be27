"""Cleaning on the real seeds: boilerplate gone, facts kept, removals inspectable."""

from __future__ import annotations

import pytest

from rag.ingest.chunk import chunk_text
from rag.ingest.clean import clean_text
from tests.conftest import SEEDS

BOILERPLATE = [
    "cookie", "ADVERTISEMENT", "seeks local specialists", "redaktion@caucasuswatch.de",
    "Your point of view caught my eye", "I have a question for you", "||", "---|",
]
FACTS = {
    "000_4cf79fb7c8a49485.txt": ["usurp Moscow’s traditionally central position", "Maintain peacekeepers & bases"],
    "001_34da43b0d5ae8a06.txt": ["Back in 1994, Russia played a big part in brokering a ceasefire",
                                 "confidence-building measures"],
    "002_7e3677aedf6b0cb5.txt": ["86,000 square kilometers", "120,000 Armenians", "Jeyhun Bayramov"],
    "003_cb3a59321c21f76c.txt": ["Mikhail Galuzin", "fake monitors of the European Union mission",
                                 "signed an agreement in 2016"],
    "004_f1439a8cd7274eed.txt": ["94 per cent of arms imported into Armenia", "2000 troops",
                                 "Igor Chalenko is an Ukrainian political scientist"],
}


@pytest.mark.parametrize("name", sorted(FACTS))
def test_seed_chunks_hold_no_boilerplate_and_keep_facts(name: str) -> None:
    cleaned = clean_text((SEEDS / name).read_text(encoding="utf-8"))
    chunks = chunk_text("d", cleaned.text, 800, 160)
    for chunk in chunks:
        for junk in BOILERPLATE:
            assert junk.lower() not in chunk.text.lower(), (name, junk)
    for fact in FACTS[name]:
        assert fact in cleaned.text, fact


def test_repeated_table_keeps_one_full_copy() -> None:
    cleaned = clean_text((SEEDS / "000_4cf79fb7c8a49485.txt").read_text(encoding="utf-8")).text
    assert cleaned.count("Aspect | Russia’s Strategic Interest | Potential Outcome") == 1
    assert cleaned.count("Military Presence | Maintain peacekeepers & bases") == 1
    assert "Diplomatic Leverage | Control peace talks and mediate agreements" in cleaned
    assert "Diplomatic Leverage | Control peace talks\n" not in cleaned


def test_removed_pieces_are_recorded_with_reasons() -> None:
    cleaned = clean_text((SEEDS / "003_cb3a59321c21f76c.txt").read_text(encoding="utf-8"))
    reasons = {r.reason for r in cleaned.removed}
    assert {"cookie-notice", "newsletter-or-recruitment"} <= reasons
    assert any("I accept cookies" in r.text for r in cleaned.removed)


def test_comment_section_after_article_is_dropped() -> None:
    text = "Title\n" + "A sentence of the article.\n" * 6 + "3 Comments\nGreat stuff, visit my shop.\nMe too."
    cleaned = clean_text(text)
    assert "visit my shop" not in cleaned.text and "Me too" not in cleaned.text
    assert cleaned.removed[-1].reason == "reader-comments"


def test_article_text_mentioning_cookies_is_kept() -> None:
    text = "The bakery sold 300 cookies on Monday, its owner said."
    assert clean_text(text).text == text

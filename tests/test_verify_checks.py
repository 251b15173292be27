"""Fixed examples where the deterministic checks must fire, and where they must stay quiet."""

from __future__ import annotations

import pytest

from rag.verify.checks import deterministic_checks, extract_names, extract_numbers

PASSAGE = ("According to the Stockholm International Peace Research Institute (SIPRI), Russia accounted for "
           "94 per cent of arms imported into Armenia and 60 per cent into Azerbaijan. In autumn 2020 Russia "
           "deployed 2,000 troops. Blinken met the foreign ministers in Washington on May 1.")


@pytest.mark.parametrize("claim", [
    "SIPRI says Russia supplied 94 per cent of Armenia's arms imports.",
    "Russia deployed 2000 troops in autumn 2020.",
    "Blinken met the ministers in Washington on May 1.",
    "According to SIPRI, Russia accounted for 60 per cent of Azerbaijan's arms imports.",
])
def test_faithful_claims_pass(claim: str) -> None:
    assert deterministic_checks(claim, PASSAGE).ok, deterministic_checks(claim, PASSAGE).issues


@pytest.mark.parametrize(("claim", "issue"), [
    ("Russia accounted for 84 per cent of arms imported into Armenia.", "number 84"),
    ("Russia deployed 20,000 troops in autumn 2020.", "number 20000"),
    ("Blinken met the ministers in Washington on June 1.", "date (jun)"),
    ("Lavrov met the foreign ministers in Washington on May 1.", "Lavrov"),
    ("Russia did not deploy troops in autumn 2020.", "negation"),
])
def test_mismatches_fire(claim: str, issue: str) -> None:
    result = deterministic_checks(claim, PASSAGE)
    assert not result.ok
    assert any(issue in i for i in result.issues), result.issues


def test_number_and_negation_mismatches_are_contradictions() -> None:
    assert deterministic_checks("Russia deployed 3,000 troops in autumn 2020.", PASSAGE).contradiction
    assert deterministic_checks("Russia did not deploy troops.", PASSAGE).contradiction
    assert not deterministic_checks("Lavrov met them.", PASSAGE).contradiction


def test_extractors() -> None:
    assert extract_numbers("1.5 million people, 2,000 troops, twelve days, 94 per cent") >= {1.5e6, 2000, 12, 94}
    assert {"Zakharova", "CSTO"} <= extract_names("Then Maria Zakharova praised the CSTO.")
    assert "According" not in extract_names("According to Alwaght, talks failed.")


def test_negation_elsewhere_in_a_long_passage_does_not_fire() -> None:
    passage = PASSAGE + " Officials did not comment on the talks. There was no agreement on the border."
    assert deterministic_checks("Russia deployed 2,000 troops in autumn 2020.", passage).ok
    flipped = deterministic_checks("Russia did not deploy 2,000 troops in autumn 2020.", passage)
    assert flipped.contradiction and any("negation" in i for i in flipped.issues)


def test_a_number_missing_from_the_passage_is_unsupported_not_contradicted() -> None:
    result = deterministic_checks("The Kremlin called 300 of them peacekeepers.", PASSAGE)
    assert not result.ok and not result.contradiction


def test_negation_in_sentences_joined_without_spaces_does_not_fire() -> None:
    """Scraped text (FRANK's BBC articles) often joins sentences as "deal.Fishing": each is still its own
    sentence, so a negation in a neighbour is not read as a flip of the claim."""
    passage = ("Britain may have to allow EU boats to fish in UK waters as part of a deal.Fishing regions did not "
               "back the deal.The Lords report says fishing communities risk being marginalised in the talks.")
    assert deterministic_checks("A Lords report says fishing communities risk being marginalised in the talks.",
                                passage).ok
    assert deterministic_checks("The Lords report says fishing communities do not risk being marginalised in the "
                                "talks.", passage).contradiction


def test_a_name_in_the_possessive_counts_as_mentioned() -> None:
    passage = "Caucasus Watch: Galuzin said that Russia's role and Pashinyan’s offer matter."
    assert deterministic_checks("According to Caucasus Watch, Galuzin spoke of Russia and Pashinyan.", passage).ok


@pytest.mark.parametrize(("claim", "passage"), [
    ("The U.S. envoy met Pashinyan in Yerevan.", "The United States envoy met Pashinyan in Yerevan."),
    ("The United States envoy met Pashinyan in Yerevan.", "The U.S. envoy met Pashinyan in Yerevan."),
    ("Libyan officials met the envoy in Geneva.", "Officials from Libya met the envoy in Geneva."),
    ("The Presidential guard was sent to Baku.", "The President sent his guard to Baku."),
    ("Paterson died on November 10 at the age of 78.", "Liz Patterson died on November 10. She was 78."),
    ("Nazi groups marched in Charlottesville.", "Neo-Nazi groups marched in Charlottesville."),
])
def test_a_name_spelled_another_way_counts_as_mentioned(claim: str, passage: str) -> None:
    assert deterministic_checks(claim, passage).ok, deterministic_checks(claim, passage).issues


def test_a_different_name_or_an_acronym_read_as_a_pronoun_still_fires() -> None:
    assert "Blinken" in " ".join(deterministic_checks("Lavrov met Blinken in Moscow.",
                                                      "Lavrov met Bayramov in Moscow.").issues)
    assert "U.S" in " ".join(deterministic_checks("The U.S. imposed sanctions on Baku.",
                                                  "They told us that sanctions were imposed on Baku.").issues)


def test_a_month_is_left_to_the_date_check() -> None:
    issues = deterministic_checks("The talks resumed in June.", "The talks resumed in May.").issues
    assert any(i.startswith("date") for i in issues) and not any(i.startswith("name") for i in issues)


def test_a_short_name_one_letter_apart_still_fires() -> None:
    """Only names of six letters or more may differ by one letter (a spelling variant); shorter ones are
    too often other people."""
    for claim, passage, name in (("Lavrov met Smyth in Moscow.", "Lavrov met Smith in Moscow.", "Smyth"),
                                 ("Lavrov met Carl in Moscow.", "Lavrov met Karl in Moscow.", "Carl")):
        assert name in " ".join(deterministic_checks(claim, passage).issues)


def test_a_year_range_counts_both_years() -> None:
    passage = "Full implementation of the name change will take place over the 2018-2019 academic year."
    assert deterministic_checks("The change takes place during the 2018–19 academic year.", passage).ok
    assert deterministic_checks("The change takes place during the 2018–20 academic years.", passage).contradiction
    assert 5.0 in extract_numbers("the 2018-05 report")  # a year and a month, not a range


def test_a_negation_in_another_clause_of_the_sentence_is_not_a_flip() -> None:
    passage = ("Petiver eventually amassed the largest natural history collection in the world, and it never "
               "would have happened without slavery.")
    assert deterministic_checks("Petiver amassed the largest natural history collection in the world.", passage).ok
    assert deterministic_checks("Petiver never amassed the largest natural history collection in the world.",
                                passage).contradiction
    # A clause sharing one word with the claim is about something else (2026-12-04 probe "Who is Maria
    # Zakharova?", whose supported answer had been removed as a negation flip).
    passage = ("Maria Zakharova, the official spokesperson of the Russian Ministry of Foreign Affairs, highlighted "
               "during a recent press briefing a statement suggesting that, for various reasons, Russia cannot be "
               "Armenia's primary partner in certain sectors.")
    assert deterministic_checks("Maria Zakharova is the official spokesperson of the Russian Ministry of Foreign "
                                "Affairs.", passage).ok
    assert deterministic_checks("Maria Zakharova suggested that Russia can be Armenia's primary partner in "
                                "certain sectors.", passage).contradiction


def test_a_hyphenated_name_is_mentioned_where_each_part_is() -> None:
    passage = "Russia wants to mediate between Armenia and Azerbaijan."
    assert deterministic_checks("Russia mediates in the Armenia-Azerbaijan conflict.", passage).ok
    assert not deterministic_checks("Russia mediates in the Armenia-Turkey conflict.", passage).ok


def test_a_country_matches_its_people_and_a_title_is_no_name() -> None:
    """"Russia" where the passage says "Russian", "China" for "Chinese"; "Foreign Minister Bayramov" where it says
    "counterpart Jeyhun Bayramov". A name the passage lacks is still caught."""
    assert deterministic_checks("Russia condemned the talks.", "The Russian ministry condemned the talks.").ok
    assert deterministic_checks("China sent envoys.", "Chinese envoys were sent.").ok
    assert deterministic_checks("Lavrov met Azerbaijani Foreign Minister Jeyhun Bayramov.",
                                "Lavrov met his Azerbaijani counterpart Jeyhun Bayramov.").ok
    missed = deterministic_checks("Lavrov met Armenian Foreign Minister Ararat Mirzoyan.",
                                  "Lavrov met his Azerbaijani counterpart Jeyhun Bayramov.")
    assert missed.issues == ["name(s) Ararat, Armenian, Mirzoyan not in the passage"]


def test_a_cause_the_passage_never_gives_is_an_issue() -> None:
    """Two facts of one sentence joined by a "because" the sentence never makes (hand-labelled unsupported in
    evals/labels/seeds.yaml; the 1.5B judge passed it at 0.92); a cause or purpose the passage states is fine."""
    passage = ("Igor Chalenko: Besides maintaining the influence and military bases in South Caucasus, having "
               "leverage in Baku is now becoming especially important for the Kremlin.")
    joined = ("According to Igor Chalenko, having leverage in Baku is now becoming especially important for the "
              "Kremlin because it maintains the influence and military bases in South Caucasus.")
    assert "a cause or purpose the passage does not state" in deterministic_checks(joined, passage).issues
    assert deterministic_checks("According to Igor Chalenko, having leverage in Baku is becoming especially "
                                "important for the Kremlin.", passage).ok
    stated = "Azerbaijan has blocked the Lachin crossing in order to put pressure on Armenia."
    assert deterministic_checks("Azerbaijan blocked the Lachin crossing because it wanted to pressure Armenia.",
                                stated).ok
    assert deterministic_checks("Russia deployed troops, which led to a frozen conflict.",
                                "Russia was interested in freezing the conflict, so it deployed troops.").ok


def test_names_that_describe_the_document_are_no_claim() -> None:
    """"According to the Lavrov explainer, ..." names the document, not a fact: its "Lavrov" need not be in the
    lines (hand-labelled supported); a name in what the sentence says still must be."""
    passage = "the article “Russia Steps In…”: - Turkey’s role in the region complicates the peace process."
    assert deterministic_checks("According to the Lavrov explainer, Turkey's role in the region complicates the "
                                "peace process.", passage).ok
    assert not deterministic_checks("According to the Lavrov explainer, Lavrov says Turkey's role complicates the "
                                    "peace process.", passage).ok
    assert not deterministic_checks("According to Lavrov, Turkey's role complicates the peace process.", passage).ok

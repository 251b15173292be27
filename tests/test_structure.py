"""Table rows and list items as evidence: read with their header or heading, cited at their own offsets."""

from __future__ import annotations

from rag.embeddings import HashingEmbeddings
from rag.evidence import format_evidence, select_evidence
from rag.ingest.sentences import split_sentences
from rag.structure import line_contexts, read_with, structured_evidence, table_cells
from rag.types import Chunk, DocumentRecord, SearchHit

ARTICLE = """Moscow Condemns U.S. Involvement in Peace Negotiations
Moscow has openly criticized the United States for its recent engagement in the negotiations.
Party | Role in Negotiations | Current Stance |
---|---|---|
Russia | Primary mediator | Rejects U.S. involvement |
United States | Secondary mediator | Seeks expanded role |
Armenia & Azerbaijan | Negotiating parties | Cautiously receptive |
Analysts warn that the clash of interests risks overshadowing the core issues.
Key implications for regional stability include:
- Heightened rivalry: The competition could exacerbate tensions.
- Security vacuum risks: Reduced cooperation could lead to instability along the border.
Key Takeaways
- Russia offers to mediate peace talks
- Lavrov emphasizes confidence-building measures
- Yes
Potential Outcomes of Mediation
In late 2023 the two sides negotiated for weeks to finalise an agreement.
- A temporary ceasefire that might not address underlying issues
"""


def _contexts() -> dict[str, str]:
    sentences = split_sentences(ARTICLE)
    return {sentences[i].text: context for i, context in line_contexts(ARTICLE, sentences).items()}


def test_rows_are_read_under_their_header_and_items_under_their_heading() -> None:
    contexts = _contexts()
    header = "Party | Role in Negotiations | Current Stance |"
    assert contexts["Russia | Primary mediator | Rejects U.S. involvement |"] == header
    assert contexts["Armenia & Azerbaijan | Negotiating parties | Cautiously receptive |"] == header
    assert header not in contexts and "---|---|---|" not in contexts  # the header and the rule are no rows
    assert contexts["- Heightened rivalry: The competition could exacerbate tensions."] == \
        "Key implications for regional stability include:"
    assert contexts["- Russia offers to mediate peace talks"] == "Key Takeaways"
    # A list after a lead-in paragraph: the section heading above the paragraph is no more the list's than
    # the paragraph's, so the item is read alone.
    assert "- A temporary ceasefire that might not address underlying issues" not in contexts
    # Prose is read alone.
    assert not any(text.startswith(("Moscow has", "Analysts warn", "In late 2023")) for text in contexts)


def test_a_row_reads_with_its_header_names_and_an_item_after_its_heading() -> None:
    header = "Party | Role in Negotiations | Current Stance |"
    assert read_with("Russia | Primary mediator | Rejects U.S. involvement |", header) == \
        "Party: Russia; Role in Negotiations: Primary mediator; Current Stance: Rejects U.S. involvement"
    assert read_with("- Russia offers to mediate peace talks", "Key Takeaways") == \
        "Key Takeaways: Russia offers to mediate peace talks"
    assert read_with("Plain sentence.", "") == "Plain sentence."
    assert table_cells("a | b | c |||||") == ["a", "b", "c"] and table_cells("no pipes here") is None
    assert table_cells("---|---|") is None


def test_a_one_word_item_and_a_row_without_header_are_not_evidence() -> None:
    assert structured_evidence("- Russia offers to mediate peace talks", "Key Takeaways")
    assert not structured_evidence("- Yes", "Key Takeaways")
    assert not structured_evidence("Russia | Primary mediator |", "")  # no header: a row says nothing alone
    assert not structured_evidence("Moscow criticised Washington again.", "")  # prose is judged as prose


def _hits(text: str) -> list[SearchHit]:
    chunk = Chunk(id="c1", doc_id="d1", index=0, start=100, end=100 + len(text), text=text)
    return [SearchHit(chunk=chunk, file_name="a.txt", title="T", score=1.0)]


def test_a_table_row_is_chosen_as_evidence_shown_with_its_header_and_cited_at_its_offsets() -> None:
    records = {"d1": DocumentRecord(id="d1", file_name="a.txt", paths=("a.txt",), title="T", outlet="Outlet",
                                    format="txt", chars=len(ARTICLE) + 100, chunks=1, pipeline="p",
                                    ingested_at="2026-12-02")}
    picked = select_evidence("What is the current stance of the United States?", _hits(ARTICLE),
                             HashingEmbeddings(), records, max_sentences=2, max_chars=2000)
    row = next(e for e in picked if e.text.startswith("United States |"))
    document = " " * 100 + ARTICLE
    assert document[row.start:row.end] == row.text  # the quote is the row, verbatim at its offsets
    assert row.context == "Party | Role in Negotiations | Current Stance |"
    assert "Current Stance: Seeks expanded role" in format_evidence(picked)
    item = select_evidence("What could lead to instability along the border?", _hits(ARTICLE),
                           HashingEmbeddings(), records, max_sentences=1, max_chars=2000)[0]
    assert item.text.startswith("- Security vacuum risks") and item.reading.startswith("Key implications")


def test_a_chunk_that_starts_at_a_header_keeps_it_and_one_cut_inside_a_table_has_none() -> None:
    at_header = ("Aspect | Russia’s Strategic Interest | Potential Outcome\n"
                 "Energy Corridors | Secure transit routes | Leverage")
    sentences = split_sentences(at_header)
    assert line_contexts(at_header, sentences) == {1: "Aspect | Russia’s Strategic Interest | Potential Outcome"}
    inside = ("Regional Alliances | Strengthen partnerships with Armenia and Azerbaijan | Solidifies Moscow’s role\n"
              "Military Logistics | Maintain control over strategic military routes | Deters escalation")
    assert line_contexts(inside, split_sentences(inside)) == {}  # the first row is no header: nothing is guessed


def test_a_cited_row_is_printed_with_the_header_it_is_read_under() -> None:
    from rag.render import answer_lines, answer_markdown
    from rag.types import AnswerSentence, Citation, CitedAnswer

    row = "United States | Secondary mediator | Seeks expanded role"
    citation = Citation(n=3, doc_id="d1", file_name="a.txt", title="T", quote=row, start=10, end=10 + len(row),
                        context="Party | Role in Negotiations | Current Stance")
    answer = CitedAnswer(question="q", standalone_question="q", refused=False, evidence=(),
                         sentences=(AnswerSentence(text="The U.S. is a secondary mediator.", citations=(citation,)),))
    header = '(under "Party | Role in Negotiations | Current Stance")'
    assert any(line.endswith(header) for line in answer_lines(answer))
    assert f'"{row}" (under "Party | Role in Negotiations | Current Stance")' in answer_markdown(answer)
    assert citation.reading == "Party: United States; Role in Negotiations: Secondary mediator; Current Stance: " \
                               "Seeks expanded role"

"""Format detection from content, and clear one-line refusals for bad files."""

from __future__ import annotations

import io

import pytest

from rag.errors import InputError
from rag.ingest.load import detect_format, load_bytes

HTML = b"""<!DOCTYPE html><html><head><title>Peace talks resume</title>
<script>alert('x')</script></head><body><nav>Home | World | Sport</nav>
<article><h1>Peace talks resume</h1><p>Foreign ministers met in Moscow on Tuesday to discuss a peace treaty.
The talks lasted four hours, officials said.</p><p>Both sides agreed to meet again next month in Washington,
according to a statement released afterwards by the ministry.</p></article>
<footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"""


def _pdf_bytes(text: str) -> bytes:
    """A minimal one-page PDF with real text, built by pypdf itself."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=400, height=200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_html_main_text_is_extracted_without_scripts_or_nav() -> None:
    loaded = load_bytes(HTML)
    assert loaded.format == "html"
    assert "Foreign ministers met in Moscow" in loaded.text
    assert "alert(" not in loaded.text
    assert loaded.title == "Peace talks resume"


def test_pdf_is_detected_by_content_not_name() -> None:
    loaded = load_bytes(_pdf_bytes("Lavrov met Bayramov and Mirzoyan in Moscow."))
    assert loaded.format == "pdf"
    assert "Lavrov met Bayramov" in loaded.text


def test_markdown_and_text() -> None:
    assert detect_format(b"# Heading\n\nSome text with a [link](http://x).\n- item\n") == "md"
    assert detect_format(b"Plain prose, nothing else.\nSecond line.") == "txt"
    assert detect_format(HTML) == "html"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"   \n\t ", "empty"),
    (b"\x00\x01\x02binary\x00" * 50, "binary"),
    (b"caf\xe9 cr\xe8me " * 20, "UTF-8"),
    (b"%PDF-1.4 this is not really a pdf", "PDF"),
])
def test_bad_content_gets_a_one_line_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        load_bytes(data)
    assert message in str(info.value)
    assert "\n" not in str(info.value)

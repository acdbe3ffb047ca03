"""Checks shared by the letter tests: a PDF/A-3b identification in the XMP metadata, and the extractable text."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_bytes(doc) -> bytes:
    with doc.file.open("rb") as f:
        return f.read()


def text_of(data: bytes) -> str:
    """The text of every page, whitespace collapsed (so phrases can be matched across line breaks)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def check_pdfa(data: bytes, *, title: str = "", author: str = "") -> str:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    xmp = reader.xmp_metadata
    assert xmp is not None, "XMP metadata missing"
    raw = xmp.stream.get_data().decode()
    assert 'pdfaid:part="3"' in raw and 'pdfaid:conformance="B"' in raw  # PDF/A-3b identification
    assert "<dc:title>" in raw and "<dc:creator>" in raw
    if title:
        assert reader.metadata.title.startswith(title), reader.metadata.title
    if author:
        assert reader.metadata.author == author, reader.metadata.author
    return raw

"""The text of a document, for search: PDF (pypdf), Office Open XML (DOCX, XLSX,
PPTX) and OpenDocument (plain ZIP + XML, never expanding entities), text and CSV.

Bounded: at most :data:`MAX_PAGES` PDF pages, :data:`MAX_PART_BYTES` per XML
part (a ZIP bomb is cut off, not inflated) and :data:`MAX_CHARS` of text.
A file whose text cannot be read yields an empty text (it is still kept and
found by its title); the reason is returned beside it.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

MAX_PAGES = 300
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_CHARS = 1_000_000

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
}
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def extract_text(data: bytes, kind: str) -> tuple[str, str | None]:
    """``(text, problem)`` of a file of sniffed ``kind`` (see :mod:`openruimte.collab.files`)."""
    try:
        if kind == "pdf":
            text = _pdf(data)
        elif kind in ("docx", "xlsx", "pptx", "odt", "ods", "odp", "odg"):
            text = _office(data, kind)
        elif kind in ("text", "csv", "dxf", "ifc"):
            text = _plain(data) if kind in ("text", "csv") else ""
        else:
            return "", None
    except Exception as err:  # a damaged file is kept; only its text is missing
        return "", f"text not readable ({type(err).__name__}: {err})"
    return _tidy(text), None


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text.replace("\r\n", "\n").replace("\x00", ""))
    return _BLANK_LINES.sub("\n\n", text).strip()[:MAX_CHARS]


def _plain(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data[: MAX_CHARS * 4].decode(encoding)
        except UnicodeDecodeError:
            continue
    return data[: MAX_CHARS * 4].decode("utf-8", "replace")


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:  # a password-protected PDF: kept, not searchable
            return ""
    parts: list[str] = []
    size = 0
    for page in reader.pages[:MAX_PAGES]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > MAX_CHARS:
            break
    return "\n\n".join(parts)


def _local(el: etree._Element) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _xml_text(raw: bytes, paragraphs: tuple[str, ...], *, ooxml: bool) -> str:
    """The text of an XML part, one line per paragraph-like element (OOXML: its ``t``
    runs; ODF: all its text)."""
    if b"<!ENTITY" in raw[:65536]:
        raise ValueError("the XML declares entities (refused)")
    root = etree.fromstring(raw, etree.XMLParser(**_PARSER_OPTIONS))  # noqa: S320 - entities off, no network
    lines: list[str] = []
    for el in root.iter():
        if _local(el) not in paragraphs:
            continue
        if ooxml:
            lines.append("".join(t.text or "" for t in el.iter() if _local(t) == "t"))
        else:
            lines.append("".join(el.itertext()))
    return "\n".join(line for line in lines if line.strip())


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes:
    with zf.open(name) as fh:
        data = fh.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise ValueError(f"{name} unpacks to more than {MAX_PART_BYTES} bytes (refused)")
    return data


def _office(data: bytes, kind: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        if kind == "docx":
            parts = ["word/document.xml"] + sorted(
                n for n in names if re.fullmatch(r"word/(header|footer|footnotes)\d*\.xml", n)
            )
            return "\n".join(_xml_text(_read_part(zf, n), ("p",), ooxml=True) for n in parts if n in names)
        if kind == "xlsx":
            parts = [n for n in ("xl/sharedStrings.xml",) if n in names]
            parts += sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
            return "\n".join(_xml_text(_read_part(zf, n), ("si", "is"), ooxml=True) for n in parts)
        if kind == "pptx":
            slides = sorted(
                (n for n in names if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)),
                key=lambda n: int(re.findall(r"\d+", n)[-1]),
            )
            return "\n\n".join(_xml_text(_read_part(zf, n), ("p",), ooxml=True) for n in slides)
        return _xml_text(_read_part(zf, "content.xml"), ("p", "h"), ooxml=False)

"""What an uploaded file really is: sniffed from its bytes, never from the client.

:func:`sniff` reads the magic bytes (and, for ZIP containers, the parts that name
the format): PDF, PNG, JPEG, GIF, TIFF, Office Open XML (DOCX, XLSX, PPTX: a ZIP
with ``[Content_Types].xml``), OpenDocument (a ZIP whose first entry
``mimetype`` names it), DWG, DXF, IFC (STEP, ``ISO-10303-21;``), plain text and
CSV. :func:`check_upload` refuses what is not one of these (an executable, an
archive, an unknown binary), and a file whose name or declared content type
says something else than its bytes (``rapport.pdf`` that is a Windows program).
:func:`safe_name` refuses path traversal and control characters.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from openruimte.model.errors import OpenRuimteError


class FileRefused(OpenRuimteError):
    """An upload that is refused: the message says why and what is accepted."""

    code = "file_refused"
    status = 422


@dataclass(frozen=True)
class Sniffed:
    """The type of a file as its bytes say: a short kind, the media type, the usual extension."""

    kind: str
    mime: str
    extension: str

    @property
    def textual(self) -> bool:
        return self.kind in ("text", "csv", "dxf", "ifc")


TYPES: dict[str, Sniffed] = {
    s.kind: s
    for s in (
        Sniffed("pdf", "application/pdf", "pdf"),
        Sniffed("png", "image/png", "png"),
        Sniffed("jpeg", "image/jpeg", "jpg"),
        Sniffed("gif", "image/gif", "gif"),
        Sniffed("tiff", "image/tiff", "tif"),
        Sniffed("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        Sniffed("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        Sniffed("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
        Sniffed("odt", "application/vnd.oasis.opendocument.text", "odt"),
        Sniffed("ods", "application/vnd.oasis.opendocument.spreadsheet", "ods"),
        Sniffed("odp", "application/vnd.oasis.opendocument.presentation", "odp"),
        Sniffed("odg", "application/vnd.oasis.opendocument.graphics", "odg"),
        Sniffed("dwg", "image/vnd.dwg", "dwg"),
        Sniffed("dxf", "image/vnd.dxf", "dxf"),
        Sniffed("ifc", "application/x-step", "ifc"),
        Sniffed("csv", "text/csv", "csv"),
        Sniffed("text", "text/plain", "txt"),
    )
}

#: extension -> the kinds a file with that name may be
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "png": ("png",),
    "jpg": ("jpeg",),
    "jpeg": ("jpeg",),
    "gif": ("gif",),
    "tif": ("tiff",),
    "tiff": ("tiff",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "pptx": ("pptx",),
    "odt": ("odt",),
    "ods": ("ods",),
    "odp": ("odp",),
    "odg": ("odg",),
    "dwg": ("dwg",),
    "dxf": ("dxf",),
    "ifc": ("ifc",),
    "csv": ("csv", "text"),
    "txt": ("text", "csv"),
    "md": ("text", "csv"),
}

ACCEPTED = ", ".join(sorted(EXTENSIONS))

#: declared content types that say nothing (the browser's fallback): not held against a file
_GENERIC = {"", "application/octet-stream", "binary/octet-stream", "application/x-download"}
_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
    b"application/vnd.oasis.opendocument.graphics": "odg",
}
_EXECUTABLES = (
    (b"MZ", "a Windows program (MZ/PE)"),
    (b"\x7fELF", "a Linux program (ELF)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", "a macOS program (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"#!", "a script"),
)
_DXF_START = re.compile(rb"^\s*0\s*\r?\n\s*SECTION\s*\r?\n", re.S)
_DXF_COMMENT = re.compile(rb"^\s*999\s*\r?\n")


def sniff(head: bytes, open_zip: io.BufferedIOBase | None = None) -> Sniffed | None:
    """The type of a file from its first bytes (``head``, 8 KiB is plenty); a ZIP
    container is opened (``open_zip``: a seekable file of the whole upload) to tell
    DOCX/XLSX/PPTX/ODF apart. None: not a type OpenRuimte keeps."""
    if head.startswith(b"%PDF-"):
        return TYPES["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return TYPES["gif"]
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TYPES["tiff"]
    if head.startswith(b"AC10") and head[4:6].isdigit():
        return TYPES["dwg"]
    if head.startswith(b"AutoCAD Binary DXF\r\n\x1a\x00"):
        return TYPES["dxf"]
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(head, open_zip)
    return _sniff_text(head)


def _sniff_zip(head: bytes, whole: io.BufferedIOBase | None) -> Sniffed | None:
    # ODF: the first entry is an uncompressed "mimetype" holding the media type (ODF 1.2 part 3, 3.3)
    if head[30:38] == b"mimetype":
        for value, kind in _ODF.items():
            if head[38 : 38 + len(value)] == value:
                return TYPES[kind]
    if whole is None:
        return None
    try:
        whole.seek(0)
        with zipfile.ZipFile(whole) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        whole.seek(0)
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return TYPES["docx"]
        if "xl/workbook.xml" in names:
            return TYPES["xlsx"]
        if "ppt/presentation.xml" in names:
            return TYPES["pptx"]
    return None


def _decodes(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    sample = head[:-4] if len(head) >= 8192 else head  # a multi-byte character may be cut at the end
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        return controls <= len(text) // 100
    return False


def _sniff_text(head: bytes) -> Sniffed | None:
    if not head or not _decodes(head):
        return None
    body = head.removeprefix(b"\xef\xbb\xbf")
    if body.lstrip().startswith(b"ISO-10303-21;"):
        return TYPES["ifc"]
    stripped = body
    while _DXF_COMMENT.match(stripped):  # DXF may start with 999 comment groups
        stripped = stripped.split(b"\n", 2)[-1]
    if _DXF_START.match(stripped):
        return TYPES["dxf"]
    lines = [line for line in body.splitlines()[:20] if line.strip()]
    if len(lines) >= 2:
        for sep in (b";", b",", b"\t"):
            counts = {line.count(sep) for line in lines[:-1] or lines}
            if len(counts) == 1 and counts.pop() >= 1:
                return TYPES["csv"]
    return TYPES["text"]


def safe_name(name: str | None) -> str:
    """The client's file name, checked: no folders (``/``, ``\\``), no ``..``, no control
    characters, not empty or hidden, at most 200 characters; NFC-normalised."""
    if name is None or not name.strip():
        raise FileRefused("the file has no name; send it with a file name such as rapport.pdf")
    value = unicodedata.normalize("NFC", name.strip())
    if "/" in value or "\\" in value or value in (".", "..") or ".." in value.split("."):
        raise FileRefused(f"file name '{value}' holds a folder or '..' (path traversal); send the bare file name")
    if value.startswith(".") or ".." in value:
        raise FileRefused(f"file name '{value}' starts with a dot or holds '..'; rename the file")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value) or ":" in value:
        raise FileRefused(f"file name {value!r} holds control characters or ':'; rename the file")
    if len(value) > 200:
        raise FileRefused(f"file name is {len(value)} characters long; at most 200 are kept, rename the file")
    return value


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(
    name: str | None,
    head: bytes,
    *,
    declared: str | None = None,
    size: int,
    limit: int,
    whole: io.BufferedIOBase | None = None,
) -> tuple[str, Sniffed]:
    """Check an upload: its name (:func:`safe_name`), size (at most ``limit`` bytes),
    type sniffed from its bytes, and that the name's extension and the declared
    content type (when it says anything) agree with the bytes. Returns the safe
    name and the sniffed type; raises :class:`FileRefused` saying why."""
    clean = safe_name(name)
    if size > limit:
        raise FileRefused(
            f"{clean} is {size} bytes; at most {limit} bytes may be uploaded",
        )
    if size == 0:
        raise FileRefused(f"{clean} is empty")
    ext = extension(clean)
    if ext not in EXTENSIONS:
        raise FileRefused(f"{clean}: files of type '.{ext}' are not kept; accepted are {ACCEPTED}")
    for magic, what in _EXECUTABLES:
        if head.startswith(magic):
            raise FileRefused(f"{clean} is {what}, not a .{ext} file; programs and scripts are refused")
    found = sniff(head, whole)
    if found is None:
        raise FileRefused(f"{clean} is not a readable .{ext} file (its content matches none of {ACCEPTED})")
    if found.kind not in EXTENSIONS[ext]:
        raise FileRefused(
            f"{clean} is named .{ext} but its content is {found.kind.upper()} ({found.mime}); "
            f"rename it to .{found.extension} or send the right file"
        )
    given = (declared or "").split(";")[0].strip().lower()
    if given not in _GENERIC and not _declared_matches(given, found):
        raise FileRefused(
            f"{clean} was sent as '{given}' but its content is {found.kind.upper()} ({found.mime}); "
            "the declared type must match the file"
        )
    return clean, found


def _declared_matches(given: str, found: Sniffed) -> bool:
    if given == found.mime:
        return True
    aliases = {
        "pdf": {"application/x-pdf"},
        "jpeg": {"image/jpg", "image/pjpeg"},
        "csv": {"text/plain", "application/csv", "text/x-csv", "application/vnd.ms-excel"},
        "text": {"text/markdown", "text/csv"},
        "dwg": {"application/acad", "application/x-dwg", "image/x-dwg", "application/dwg"},
        "dxf": {"application/dxf", "image/x-dxf", "application/x-dxf", "text/plain"},
        "ifc": {"application/ifc", "model/ifc", "text/plain", "application/x-ifc"},
        "tiff": {"image/tif"},
    }
    return given in aliases.get(found.kind, set())

"""The pure core of working together (openruimte.collab): content sniffing of every accepted
format (real IFC files from ../shared/data; images made with Pillow, office files with
openpyxl and zipfile), lying names and types refused, safe names, text extraction,
mentions, subjects and the agenda builder."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from openruimte.collab import FileRefused, check_upload, extract_text, mentions, safe_name, sniff
from openruimte.collab.agenda import PlanEvent, build_agenda, plan_changes
from openruimte.collab.contacts import Contact
from openruimte.collab.pdfgen import text_pdf
from openruimte.collab.threads import Subject, split_mentions
from openruimte.model.errors import FieldError


def _image(fmt: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format=fmt)
    return buf.getvalue()


def _zip(parts: dict[str, str], *, mimetype: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if mimetype:  # ODF: first, stored uncompressed
            zf.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for name, text in parts.items():
            zf.writestr(name, text)
    return buf.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
ODF_TEXT = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
    "<text:h>Omgevingsplan</text:h><text:p>Bomen langs de <text:span>Singel</text:span> blijven staan.</text:p>"
    "</office:text></office:body></office:document-content>"
)


def _xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "Kabeltracé Dorpsstraat"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


FILES = {
    "pdf": ("nota.pdf", lambda: text_pdf("Nota", ["Herinrichting plein."])),
    "png": ("foto.png", lambda: _image("PNG")),
    "jpeg": ("foto.jpg", lambda: _image("JPEG")),
    "gif": ("foto.gif", lambda: _image("GIF")),
    "tiff": ("scan.tif", lambda: _image("TIFF")),
    "docx": (
        "brief.docx",
        lambda: _zip(
            {
                "[Content_Types].xml": "<Types/>",
                "word/document.xml": f"<w:document {W}><w:body><w:p><w:r><w:t>Beste bewoners</w:t></w:r></w:p></w:body></w:document>",
            }
        ),
    ),
    "xlsx": ("lijst.xlsx", _xlsx),
    "pptx": (
        "tafel.pptx",
        lambda: _zip(
            {
                "[Content_Types].xml": "<Types/>",
                "ppt/presentation.xml": "<p/>",
                "ppt/slides/slide1.xml": f"<p:sld xmlns:p='p' {A}><a:p><a:r><a:t>Koppelkansen Noord</a:t></a:r></a:p></p:sld>",
            }
        ),
    ),
    "odt": ("plan.odt", lambda: _zip({"content.xml": ODF_TEXT}, mimetype="application/vnd.oasis.opendocument.text")),
    "ods": (
        "lijst.ods",
        lambda: _zip({"content.xml": "<x/>"}, mimetype="application/vnd.oasis.opendocument.spreadsheet"),
    ),
    "dwg": ("tekening.dwg", lambda: b"AC1032\x00\x00\x00\x00\x00\x06\x01" + bytes(200)),
    "dxf": ("tekening.dxf", lambda: b"999\nmade by hand\n  0\nSECTION\n  2\nHEADER\n  0\nENDSEC\n  0\nEOF\n"),
    "ifc": (
        "model.ifc",
        lambda: b"ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\nENDSEC;\nEND-ISO-10303-21;\n",
    ),
    "csv": (
        "planning.csv",
        lambda: b"fase;start;einde\nontwerp;2027-01-01;2027-06-30\nrealisatie;2027-07-01;2028-01-31\n",
    ),
    "text": ("notitie.txt", lambda: b"Afspraak met de netbeheerder over de sleuf in de Kerkstraat.\n"),
}


@pytest.mark.parametrize("kind", sorted(FILES))
def test_every_accepted_format_is_sniffed_from_its_bytes(kind):
    name, make = FILES[kind]
    data = make()
    clean, found = check_upload(name, data[:8192], size=len(data), limit=10**7, whole=io.BytesIO(data))
    assert (clean, found.kind) == (name, kind)
    # the same bytes under a name of another type are refused, naming what they are
    other = "rapport.pdf" if kind != "pdf" else "rapport.docx"
    with pytest.raises(FileRefused, match="named"):
        check_upload(other, data[:8192], size=len(data), limit=10**7, whole=io.BytesIO(data))


def test_real_ifc_files_are_ifc(shared_data):
    files = sorted((shared_data / "ifc").rglob("*.ifc"))
    assert len(files) > 10
    for path in files:
        head = path.read_bytes()[:8192]
        assert sniff(head) is not None and sniff(head).kind == "ifc", path


@pytest.mark.parametrize(
    ("name", "data", "declared", "says"),
    [
        ("factuur.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04", None, "Windows program"),
        ("x.txt", b"\x7fELF\x02\x01\x01", None, "Linux program"),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n", None, "script"),
        ("archief.docx", b"PK\x03\x04" + bytes(100), None, "not a readable .docx"),
        ("foto.png", b"\x89PNG\r\n\x1a\n" + bytes(30), "application/pdf", "sent as 'application/pdf'"),
        ("data.bin", b"\x00\x01\x02", None, "not kept"),
        ("leeg.txt", b"", None, "empty"),
    ],
)
def test_lying_and_unkept_files_are_refused(name, data, declared, says):
    with pytest.raises(FileRefused, match=says):
        check_upload(name, data, declared=declared, size=len(data), limit=10**6, whole=io.BytesIO(data))


def test_size_limit():
    with pytest.raises(FileRefused, match="at most 100 bytes"):
        check_upload("a.txt", b"a" * 101, size=101, limit=100)


@pytest.mark.parametrize(
    "name",
    [
        "../x.pdf",
        "..\\x.pdf",
        "a/b.pdf",
        "/etc/passwd",
        "..",
        ".htaccess",
        "a..pdf",
        "x\x00.pdf",
        "c:boot.txt",
        "a\u202egpj.exe",
        " ",
    ],
)
def test_unsafe_names_are_refused(name):
    with pytest.raises(FileRefused):
        safe_name(name)


def test_safe_names_are_kept():
    assert safe_name("Ontwerpnota Kerkstraat (v2).pdf") == "Ontwerpnota Kerkstraat (v2).pdf"
    assert safe_name("cafe\u0301.txt") == "café.txt"  # NFC


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("pdf", "Herinrichting plein"),
        ("docx", "Beste bewoners"),
        ("xlsx", "Kabeltracé Dorpsstraat"),
        ("pptx", "Koppelkansen Noord"),
        ("odt", "Bomen langs de Singel blijven staan"),
        ("csv", "realisatie;2027-07-01"),
        ("text", "netbeheerder"),
    ],
)
def test_text_is_extracted(kind, words):
    text, problem = extract_text(FILES[kind][1](), kind)
    assert problem is None and words in text


def test_hostile_office_xml_is_not_expanded():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    data = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": bomb})
    text, problem = extract_text(data, "docx")
    assert text == "" and "entities" in problem
    damaged, problem = extract_text(b"%PDF-1.4 rubbish", "pdf")
    assert damaged == "" and problem


def test_mentions_and_their_organisations():
    text = "Graag @netbeheer-noord en @Jan.de.Vries@gemeente.nl, niet e-mail@adres.nl. Ook @onbekend."
    tokens = mentions(text)
    assert tokens == ["netbeheer-noord", "jan.de.vries@gemeente.nl", "onbekend"]
    found, unknown = split_mentions(tokens, ["netbeheer-noord", "gemeente"], {"jan.de.vries@gemeente.nl": "gemeente"})
    assert found == {"netbeheer-noord": "netbeheer-noord", "jan.de.vries@gemeente.nl": "gemeente"}
    assert unknown == ["onbekend"]


def test_subjects():
    assert Subject("coupling", "a:1|b:2").plan_keys == ("a:1", "b:2")
    assert Subject("model", "a:1@3").plan_keys == ("a:1",)
    assert Subject("area", "BU0001").plan_keys == ()
    for kind, key in (("plan", "nokey"), ("coupling", "a:1"), ("model", "a:1"), ("street", "x")):
        with pytest.raises(FieldError):
            Subject(kind, key)


def test_contacts_are_checked():
    assert Contact(org="a", name="Jan", role="Projectleider").role == "projectleider"
    with pytest.raises(FieldError, match="e-mail"):
        Contact(org="a", name="Jan", role="projectleider", email="jan")
    with pytest.raises(FieldError, match="role"):
        Contact(org="a", name="Jan", role="<script>")


def test_agenda_from_what_changed():
    at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    events = [
        PlanEvent("a:1", "Riool", "update", at, {"phase": "ontwerp"}, {"phase": "voorbereiding"}),
        PlanEvent(
            "a:1", "Riool", "update", at + dt.timedelta(days=1), {"start": "2027-01-01"}, {"start": "2027-04-01"}
        ),
        PlanEvent("b:2", "Kabel", "insert", at, {}, {"phase": "idee", "hardness": "optie"}),
        PlanEvent("c:3", "Weg", "delete", at, {"name": "Weg"}, {}),
        PlanEvent("d:4", "Gas", "update", at, {"budget_eur": 1}, {"budget_eur": 2}),  # not a watched field
    ]
    changes = {k: (title, detail) for k, title, detail in plan_changes(events)}
    assert changes["a:1"] == ("Plan gewijzigd: Riool", "fase: ontwerp → voorbereiding; start: 2027-01-01 → 2027-04-01")
    assert changes["b:2"][0] == "Nieuw plan: Kabel" and "fase idee" in changes["b:2"][1]
    assert changes["c:3"][0] == "Plan ingetrokken: Weg"
    assert "d:4" not in changes
    agenda = build_agenda(
        dt.date(2026, 10, 1),
        names={"a:1": "Riool", "b:2": "Kabel", "e:5": "Gas"},
        couplings=[{"a": "a:1", "b": "b:2"}, {"a": "a:1", "b": "e:5"}],
        couplings_before=[{"a": "e:5", "b": "a:1"}],  # known before the date: not new
        conflicts=[{"renewal": "a:1", "plan": "b:2"}],
        plan_events=events,
        open_threads=[{"id": 7, "title": "Sleuf", "subject_key": "a:1", "plans": ["a:1"]}],
    )
    kinds = [i.kind for i in agenda.items]
    assert kinds == ["coupling", "conflict", "plan", "plan", "plan", "thread"]
    assert [i.number for i in agenda.items] == list(range(1, 7))
    assert agenda.items[0].title == "Koppelkans: Riool en Kabel"
    html = agenda.to_html()
    assert "Nieuwe koppelkansen" in html and "Open discussies" in html
    assert (
        "<script>"
        not in build_agenda(dt.date(2026, 1, 1), names={}, open_threads=[{"id": 1, "title": "<script>x"}]).to_html()
    )

"""The demo's working together (``openruimte demo``): discussions, documents, contact
persons and one past programming table with its decisions, made deterministically from
the demo's own plans and couplings (small PDFs and text files generated in code)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openruimte.collab import Contact, Subject
from openruimte.collab.agenda import Decision, build_agenda
from openruimte.collab.pdfgen import text_pdf
from openruimte.model.access import Principal, Role
from openruimte.services import collab

#: the demo's past programming table
MEETING_DATE = dt.date(2026, 11, 16)
ROLES = ("projectleider", "assetmanager", "omgevingsmanager")
FIRST_NAMES = ("Anouk", "Bram", "Charlotte", "Daan", "Eva", "Freek", "Gijs", "Hanna", "Iris", "Joost")
LAST_NAMES = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos")


def _as(org: str) -> Principal:
    return Principal(org=org, role=Role.ADMIN, actor="demo", at_table=True, system=True, auth="system")


def _pairs(store: Any) -> list[tuple[Any, Any]]:
    """Coupled plan pairs of two organisations, both shared and not sensitive (sorted: deterministic)."""
    saved = store.latest_analysis("plans")
    plans = {p.key: p for p in store.plans()}
    out = []
    for c in sorted((saved or {}).get("result", {}).get("couplings", []), key=lambda c: (c["a"], c["b"])):
        a, b = plans.get(c["a"]), plans.get(c["b"])
        if a is None or b is None or a.owner == b.owner:
            continue
        if any(str(p.visibility) != "shared" or p.sensitive for p in (a, b)):
            continue
        out.append((a, b))
    return out


def add_collab_demo(store: Any) -> list[str]:
    """Threads, documents, contacts and a past meeting with decisions; one summary line each."""
    pairs = _pairs(store)
    orgs = [o.code for o in store.organisations()]
    lines = []
    contacts = 0
    for i, org in enumerate(orgs):
        name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(3 * i) % len(LAST_NAMES)]}"
        email = f"{name.split()[0].lower()}@{org}.example"
        collab.add_contact(store, _as(org), Contact(org=org, name=name, role=ROLES[i % len(ROLES)], email=email))
        contacts += 1
    if not pairs:
        return [f"contactpersonen / contacts: {contacts} (no coupled shared plans for discussions)"]
    threads, documents = [], 0
    for n, (a, b) in enumerate(pairs[:3]):
        street = a.area or "het gebied"
        th = collab.start_thread(
            store,
            _as(a.owner),
            Subject.plan(a.owner, a.id),
            f"Samen graven: {a.name} en {b.name}",
            f"Ons plan '{a.name}' ligt naast '{b.name}' van @{b.owner}. "
            f"Kunnen we de sleuf in {street} delen en de bestrating één keer openen?",
        )
        collab.reply(
            store,
            _as(b.owner),
            th["id"],
            f"Graag. Wij kunnen onze start verschuiven naar {a.start or 'uw start'}; @{a.owner} stuurt u het ontwerp?",
        )
        threads.append((th["id"], a, b))
        pdf = text_pdf(
            f"Ontwerpnota {a.name}",
            [
                f"Plan {a.key} van {a.owner}: {a.name}.",
                f"Koppelkans met {b.key} ({b.name}) van {b.owner}: gezamenlijke sleuf en één keer herbestraten.",
                "Uitgangspunten: graafrust na herinrichting vijf jaar; verkeersmaatregelen afgestemd met de omgeving.",
            ],
        )
        collab.add_document(
            store, _as(a.owner), Subject.plan(a.owner, a.id), f"ontwerpnota-{a.id}.pdf", io.BytesIO(pdf)
        )
        documents += 1
        if n == 0:
            v2 = text_pdf(
                f"Ontwerpnota {a.name} (versie 2)", ["Aangepast na overleg: gedeelde sleuf aan de oostzijde."]
            )
            collab.add_document(
                store,
                _as(a.owner),
                Subject.plan(a.owner, a.id),
                f"ontwerpnota-{a.id}.pdf",
                io.BytesIO(v2),
            )
            csv = f"fase;start;einde\nontwerp;{a.start};{a.end}\nrealisatie;{b.start};{b.end}\n".encode()
            collab.add_document(store, _as(b.owner), Subject.plan(b.owner, b.id), "planning.csv", io.BytesIO(csv))
            documents += 1
            collab.add_contact(
                store,
                _as(a.owner),
                Contact(
                    org=a.owner,
                    name="Kim van Dijk",
                    role="projectleider",
                    email="kim@voorbeeld.example",
                    plan_key=a.key,
                ),
            )
            contacts += 1
            restricted = collab.start_thread(
                store,
                _as(a.owner),
                Subject("coupling", f"{a.key}|{b.key}"),
                "Kostenverdeling gezamenlijke sleuf",
                f"Voorstel: de kosten van de sleuf 50/50 tussen {a.owner} en {b.owner}.",
                restricted_to=[b.owner],
            )
            threads.append((restricted["id"], a, b))
    # one past programming table: its agenda (the first couplings and discussions) and decisions
    names = {p.key: p.name for pair in pairs[:3] for p in pair}
    agenda = build_agenda(
        MEETING_DATE - dt.timedelta(days=28),
        names=names,
        couplings=[{"a": a.key, "b": b.key} for a, b in pairs[:3]],
        open_threads=[
            {"id": t, "title": f"Samen graven: {a.name}", "subject_key": a.key, "plans": [a.key]}
            for t, a, _ in threads[:1]
        ],
        meeting_date=MEETING_DATE,
    )
    coordinator = _as(orgs[0])
    meeting = collab.save_meeting(store, coordinator, agenda, MEETING_DATE, "Programmeertafel november 2026")
    first_thread, a, b = threads[0]
    collab.decide(
        store,
        coordinator,
        Decision(
            text=f"{a.owner} en {b.owner} graven samen in één sleuf; {a.owner} trekt de voorbereiding.",
            decided_on=MEETING_DATE,
            plans=(a.key, b.key),
            thread=first_thread,
            meeting=meeting,
            item=1,
        ),
    )
    collab.resolve(
        store, _as(a.owner), first_thread, "Besloten op de programmeertafel van 16 november 2026: samen graven."
    )
    for number, (x, y) in enumerate(pairs[1:3], 2):
        collab.decide(
            store,
            coordinator,
            Decision(
                text=f"Koppelkans {x.key} / {y.key} uitwerken; terugkoppeling op de volgende tafel.",
                decided_on=MEETING_DATE,
                plans=(x.key, y.key),
                meeting=meeting,
                item=number,
            ),
        )
    lines.append(
        f"discussies / discussions: {len(threads)}; documenten / documents: {documents}; "
        f"contactpersonen / contacts: {contacts}"
    )
    lines.append(
        f"programmeertafel / programming table {MEETING_DATE}: {len(agenda.items)} agendapunten, "
        f"{1 + len(pairs[1:3])} besluiten"
    )
    return lines

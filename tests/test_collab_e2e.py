"""The browser UI of working together (Playwright, Debian's Chromium, offline but for
127.0.0.1), over the demo store: the plan panel's Discussie and Documenten tabs
(start a discussion, upload a document, a lying file refused), decisions in the
overview and the history, the search box finding document text, and the
programming table's page /agenda."""

# ruff: noqa: F811 - the fixtures of tests/test_web_e2e.py are imported and then used as arguments

from __future__ import annotations

import pytest

from tests.test_web_e2e import (  # noqa: F401 - the fixtures
    HEADERS,
    LOAD_TIMEOUT_MS,
    api,
    browser,
    server,
    ui,
)


def demo_thread(server: str) -> dict:
    threads = [t for t in api(server, "/api/threads")["threads"] if t["subject_kind"] == "plan"]
    assert threads, "the demo has discussions"
    return sorted(threads, key=lambda t: t["id"])[0]


def open_plan(ui, key: str) -> None:
    ui.open_map()
    ui.page.evaluate("k => window.openruimte.selectPlan(k)", key)
    ui.page.wait_for_selector('[data-testid="tab-discussion-button"]', timeout=LOAD_TIMEOUT_MS)


def test_discussion_tab_shows_and_starts_threads(ui, server):
    thread = demo_thread(server)
    key = thread["plans"][0]
    open_plan(ui, key)
    page = ui.page
    assert page.is_visible('[data-testid="tab-overview"]')
    page.click('[data-testid="tab-discussion-button"]')
    page.wait_for_selector('[data-testid="thread"]', timeout=LOAD_TIMEOUT_MS)
    assert not page.is_visible('[data-testid="tab-overview"]')
    titles = page.locator('[data-testid="thread"] h4').all_inner_texts()
    assert any(thread["title"] in t for t in titles)
    page.locator('[data-testid="thread"] .link-btn').first.click()
    page.wait_for_selector('[data-testid="thread"] ol.posts li')
    page.fill('[data-testid="thread-title"]', "Verkeersmaatregelen tijdens het werk")
    page.fill('[data-testid="thread-body"]', "Wie regelt de omleiding voor de bus?")
    page.click('[data-testid="thread-form"] button[type="submit"]')
    page.wait_for_selector(
        '[data-testid="thread"]:has-text("Verkeersmaatregelen tijdens het werk")', timeout=LOAD_TIMEOUT_MS
    )
    # the decisions of the programming table: in the overview and in the history
    page.click('[data-testid="tab-overview-button"]')
    page.wait_for_selector('[data-testid="plan-decisions"] .decision', timeout=LOAD_TIMEOUT_MS)
    assert "sleuf" in page.inner_text('[data-testid="plan-decisions"]')
    assert page.locator('[data-testid="history-decision"]').count() >= 1
    ui.shot("collab-discussion")
    ui.assert_clean()


def test_documents_tab_lists_uploads_and_refuses_a_lying_file(ui, server, tmp_path):
    thread = demo_thread(server)
    key = thread["plans"][0]
    open_plan(ui, key)
    page = ui.page
    page.click('[data-testid="tab-documents-button"]')
    page.wait_for_selector('[data-testid="documents"] li', timeout=LOAD_TIMEOUT_MS)
    before = page.locator('[data-testid="documents"] li').count()
    link = page.locator('[data-testid="documents"] li a').first.get_attribute("href")
    assert link.startswith("/api/documents/") and link.endswith("/file")
    good = tmp_path / "bewonersbrief.txt"
    good.write_text("Beste bewoners, in maart start het werk aan de Lindelaan.\n", encoding="utf-8")
    page.set_input_files('[data-testid="document-file"]', str(good))
    page.click('[data-testid="document-form"] button[type="submit"]')
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=documents] li').length > n", arg=before, timeout=LOAD_TIMEOUT_MS
    )
    assert "bewonersbrief.txt" in page.inner_text('[data-testid="documents"]')
    bad = tmp_path / "tekening.pdf"
    bad.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    page.set_input_files('[data-testid="document-file"]', str(bad))
    page.click('[data-testid="document-form"] button[type="submit"]')
    page.wait_for_selector('[data-testid="document-status"]:has-text("Geweigerd")', timeout=LOAD_TIMEOUT_MS)
    assert "Windows program" in page.inner_text('[data-testid="document-status"]')
    assert page.locator('[data-testid="plan-contacts"]').count() == 1
    ui.shot("collab-documents")
    # the 422 of the refused upload is the only console error (the browser logs failed requests)
    ui.errors = [e for e in ui.errors if "422" not in e]
    ui.assert_clean()


def test_search_box_finds_document_text_and_opens_the_documents(ui, server):
    ui.open_map()
    page = ui.page
    page.fill("#search", "gezamenlijke")
    page.wait_for_selector('[data-testid="fulltext-result"]', timeout=LOAD_TIMEOUT_MS)
    result = page.locator('[data-testid="fulltext-result"]').first
    assert "gezamenlijke" in result.locator("mark").first.inner_text().lower()
    result.click()
    page.wait_for_selector(
        '[data-testid="tab-documents"]:not([hidden]) [data-testid="documents"] li', timeout=LOAD_TIMEOUT_MS
    )
    ui.assert_clean()


def test_agenda_page_shows_the_agenda_and_the_past_table(ui, server):
    page = ui.page
    page.goto(server + "/agenda")
    page.wait_for_selector('[data-testid="meeting-decision"]', timeout=LOAD_TIMEOUT_MS)
    assert "Programmeertafel november 2026" in page.inner_text('[data-testid="agenda-meetings"]')
    page.fill('[data-testid="agenda-since"]', "2000-01-01")
    page.dispatch_event('[data-testid="agenda-since"]', "change")
    page.wait_for_selector('[data-testid="agenda-item"]', timeout=LOAD_TIMEOUT_MS)
    assert "Open discussies" in page.inner_text('[data-testid="agenda-items"]')
    ui.shot("collab-agenda")
    ui.assert_clean()


@pytest.mark.parametrize("path", ["/api/search?q=gezamenlijke", "/api/table/meetings"])
def test_the_api_the_ui_reads(server, path):
    assert HEADERS
    import httpx

    r = httpx.get(server + path, headers=HEADERS, timeout=30)
    assert r.status_code == 200

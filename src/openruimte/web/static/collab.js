/* OpenRuimte UI: working together in the plan panel (tabs Overzicht / Discussie / Documenten,
 * decisions in the overview and the history), full-text results in the search box, and the
 * programming table's page (/agenda). Everything the API returns is already filtered by the
 * visibility rule; snippets are inserted as text with <mark> for the matched words. */
(function () {
  "use strict";
  const OR = (window.OR = window.OR || {});
  const { h, clear, getJSON } = OR.util;
  const i18n = OR.i18n;
  const t = (k, v) => i18n.t(k, v);

  function planUrl(key) {
    const i = key.indexOf(":");
    return "/api/plans/" + encodeURIComponent(key.slice(0, i)) + "/" + encodeURIComponent(key.slice(i + 1));
  }

  /** A snippet "… <mark>word</mark> …" (already escaped by the server) as DOM text and <mark> nodes. */
  function snippet(html) {
    const out = h("span", { class: "snippet" });
    const parts = String(html || "").split(/(<mark>|<\/mark>)/);
    let marked = false;
    const text = document.createElement("textarea"); // decodes &amp; etc. without running anything
    parts.forEach((p) => {
      if (p === "<mark>") { marked = true; return; }
      if (p === "</mark>") { marked = false; return; }
      text.innerHTML = p;
      out.appendChild(marked ? h("mark", null, text.value) : document.createTextNode(text.value));
    });
    return out;
  }

  async function send(url, method, body) {
    const opts = { method };
    if (body instanceof FormData) opts.body = body;
    else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers = { "Content-Type": "application/json" }; }
    const resp = await fetch(url, Object.assign(opts, { headers: Object.assign({ Accept: "application/json",
      "X-CSRF-Token": OR.util.csrfToken() }, opts.headers || {}) }));
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error((data.error && data.error.message) || "HTTP " + resp.status);
    return data;
  }

  /* ------------------------------------------------------------------ plan panel */

  function planPanel(key, body, stillSelected, hooks) {
    const overview = h("div", { class: "tab-pane", "data-pane": "overview", "data-testid": "tab-overview" });
    while (body.firstChild) overview.appendChild(body.firstChild);
    const discussion = h("div", { class: "tab-pane", "data-pane": "discussion", "data-testid": "tab-discussion", hidden: true });
    const documents = h("div", { class: "tab-pane", "data-pane": "documents", "data-testid": "tab-documents", hidden: true });
    const tabs = h("div", { class: "tabs", role: "tablist" });
    const panes = { overview, discussion, documents };
    ["overview", "discussion", "documents"].forEach((name) => {
      tabs.appendChild(h("button", { type: "button", role: "tab", class: "tab" + (name === "overview" ? " active" : ""),
        "data-tab": name, "data-testid": "tab-" + name + "-button",
        onclick: () => show(name) }, t("collab.tab." + name)));
    });
    function show(name) {
      tabs.querySelectorAll(".tab").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
      Object.entries(panes).forEach(([n, el]) => { el.hidden = n !== name; });
      if (name === "discussion" && !discussion.dataset.loaded) loadDiscussion(key, discussion, stillSelected);
      if (name === "documents" && !documents.dataset.loaded) loadDocuments(key, documents, stillSelected);
    }
    body.appendChild(tabs);
    body.appendChild(overview);
    body.appendChild(discussion);
    body.appendChild(documents);
    loadDecisions(key, overview, stillSelected);
    if (hooks && hooks.tab) show(hooks.tab);
    return { show };
  }

  async function loadDecisions(key, overview, stillSelected) {
    let data;
    try { data = await getJSON(planUrl(key) + "/decisions"); } catch (e) { return; }
    if (!stillSelected()) return;
    const list = data.decisions || [];
    const sec = h("section", { class: "sec", id: "plan-decisions", "data-testid": "plan-decisions" },
      h("h3", null, t("collab.decisions"), " ", h("span", { class: "badge" }, String(list.length))));
    if (!list.length) sec.appendChild(h("p", { class: "muted" }, t("collab.none.decisions")));
    list.forEach((d) => sec.appendChild(h("article", { class: "decision" },
      h("p", null, h("strong", null, i18n.date(d.decided_on)), " · ", d.text),
      d.thread ? h("p", { class: "muted small" }, t("collab.decision.thread", { id: d.thread })) : null)));
    const history = overview.querySelector("#plan-history");
    overview.insertBefore(sec, history || null);
    const ol = history && history.querySelector("ol.history");
    if (ol) list.forEach((d) => ol.insertBefore(h("li", { class: "decision", "data-testid": "history-decision" },
      h("div", null, h("strong", null, t("collab.history.decision")), " · ", i18n.date(d.decided_on)),
      h("div", { class: "muted small" }, d.text)), ol.firstChild));
  }

  async function loadDiscussion(key, pane, stillSelected) {
    pane.dataset.loaded = "1";
    clear(pane).appendChild(h("p", { class: "muted" }, t("plan.loading")));
    let data;
    try { data = await getJSON(planUrl(key) + "/threads"); } catch (e) {
      clear(pane).appendChild(h("p", { class: "error" }, t("collab.error")));
      return;
    }
    if (!stillSelected()) return;
    clear(pane);
    const threads = data.threads || [];
    if (!threads.length) pane.appendChild(h("p", { class: "muted" }, t("collab.none.threads")));
    threads.forEach((th) => pane.appendChild(threadCard(th, key, pane, stillSelected)));
    const title = h("input", { type: "text", name: "title", required: true, maxlength: "300", "data-testid": "thread-title",
      placeholder: t("collab.thread.title") });
    const text = h("textarea", { name: "body", required: true, rows: "3", "data-testid": "thread-body",
      placeholder: t("collab.thread.body") });
    const status = h("p", { class: "muted small", "aria-live": "polite" });
    pane.appendChild(h("form", { class: "collab-form", "data-testid": "thread-form", onsubmit: async (e) => {
      e.preventDefault();
      try {
        await send(planUrl(key) + "/threads", "POST", { title: title.value, body: text.value });
        pane.dataset.loaded = "";
        loadDiscussion(key, pane, stillSelected);
      } catch (err) { status.textContent = err.message; }
    } }, h("h4", null, t("collab.thread.new")), title, text,
    h("button", { type: "submit", class: "btn" }, t("collab.thread.start")), status));
  }

  function threadCard(th, key, pane, stillSelected) {
    const card = h("article", { class: "thread " + th.status, "data-thread": th.id, "data-testid": "thread" },
      h("h4", null, th.title, " ", h("span", { class: "pill" }, t("collab.status." + th.status))),
      h("p", { class: "muted small" }, th.author_org, " · ", i18n.dateTime(th.created_at), " · ",
        t("collab.messages", { n: th.posts }),
        th.restricted_to && th.restricted_to.length ? " · " + t("collab.restricted", { orgs: th.restricted_to.join(", ") }) : ""));
    if (th.conclusion) card.appendChild(h("p", { class: "conclusion" }, h("strong", null, t("collab.conclusion")), " ", th.conclusion));
    const more = h("button", { type: "button", class: "link-btn", onclick: async () => {
      more.remove();
      const full = await getJSON("/api/threads/" + th.id);
      const ol = h("ol", { class: "posts" });
      full.messages.forEach((m) => ol.appendChild(h("li", null,
        h("div", { class: "muted small" }, m.author_org, " · ", i18n.dateTime(m.created_at)), h("p", null, m.body))));
      card.appendChild(ol);
      if (full.status === "open") {
        const reply = h("textarea", { rows: "2", required: true, "data-testid": "reply-body", placeholder: t("collab.reply") });
        card.appendChild(h("form", { class: "collab-form", onsubmit: async (e) => {
          e.preventDefault();
          try { await send("/api/threads/" + th.id + "/replies", "POST", { body: reply.value }); pane.dataset.loaded = ""; loadDiscussion(key, pane, stillSelected); }
          catch (err) { alert(err.message); }
        } }, reply, h("button", { type: "submit", class: "btn" }, t("collab.reply.send"))));
      }
    } }, t("collab.thread.open"));
    card.appendChild(more);
    return card;
  }

  async function loadDocuments(key, pane, stillSelected) {
    pane.dataset.loaded = "1";
    clear(pane).appendChild(h("p", { class: "muted" }, t("plan.loading")));
    let docs, people;
    try {
      [docs, people] = await Promise.all([getJSON(planUrl(key) + "/documents"), getJSON(planUrl(key) + "/contacts")]);
    } catch (e) {
      clear(pane).appendChild(h("p", { class: "error" }, t("collab.error")));
      return;
    }
    if (!stillSelected()) return;
    clear(pane);
    const list = docs.documents || [];
    if (!list.length) pane.appendChild(h("p", { class: "muted" }, t("collab.none.documents")));
    const ul = h("ul", { class: "documents", "data-testid": "documents" });
    list.forEach((d) => {
      const v = d.versions[d.versions.length - 1] || {};
      ul.appendChild(h("li", { "data-document": d.id },
        h("a", { href: "/api/documents/" + d.id + "/file", download: v.filename || "" }, d.title),
        h("span", { class: "muted small" }, " · " + (v.kind || "").toUpperCase() + " · " + i18n.number((v.size || 0) / 1024, 0) +
          " kB · " + t("collab.version", { v: d.current_version }) + " · " + d.owner_org)));
    });
    pane.appendChild(ul);
    const file = h("input", { type: "file", name: "file", required: true, "data-testid": "document-file" });
    const status = h("p", { class: "muted small", "aria-live": "polite", "data-testid": "document-status" });
    pane.appendChild(h("form", { class: "collab-form", "data-testid": "document-form", onsubmit: async (e) => {
      e.preventDefault();
      const form = new FormData();
      form.append("file", file.files[0]);
      try {
        await send(planUrl(key) + "/documents", "POST", form);
        pane.dataset.loaded = "";
        loadDocuments(key, pane, stillSelected);
      } catch (err) { status.textContent = t("collab.upload.refused") + " " + err.message; }
    } }, h("h4", null, t("collab.document.add")), file, h("button", { type: "submit", class: "btn" }, t("collab.upload")), status));
    const contacts = people.contacts || [];
    const sec = h("section", { class: "sec", "data-testid": "plan-contacts" }, h("h3", null, t("collab.contacts")));
    if (!contacts.length) sec.appendChild(h("p", { class: "muted" }, t("collab.none.contacts")));
    contacts.forEach((c) => sec.appendChild(h("p", null, h("strong", null, c.name || t("collab.contact.hidden")),
      " · ", c.role, " · ", c.org, c.email ? " · " : "", c.email ? h("a", { href: "mailto:" + c.email }, c.email) : "",
      c.phone ? " · " + c.phone : "")));
    pane.appendChild(sec);
  }

  /* ------------------------------------------------------------------ search box */

  let seq = 0;
  async function searchResults(list, q, hooks) {
    const mine = ++seq;
    if (q.trim().length < 3) return;
    let data;
    try { data = await getJSON("/api/search?q=" + encodeURIComponent(q)); } catch (e) { return; }
    if (mine !== seq || list.hidden) return;
    const results = (data.results || []).filter((r) => r.kind !== "plan" || !list.querySelector('li[data-key="' + CSS.escape(r.key) + '"]'));
    if (!results.length) return;
    list.querySelectorAll("li.muted").forEach((li) => li.remove());
    list.appendChild(h("li", { class: "group", role: "presentation" }, t("collab.search.fulltext")));
    results.slice(0, 10).forEach((r) => {
      list.appendChild(h("li", { role: "option", "data-result": r.kind + ":" + r.key, "data-testid": "fulltext-result",
        "data-key-fulltext": r.plan || "", onclick: () => {
          hooks.closeSearch();
          if (r.plan) hooks.selectPlan(r.plan, r.kind === "thread" ? "discussion" : r.kind === "document" ? "documents" : null);
        } },
      h("span", { class: "tag" }, t("collab.kind." + r.kind)), " ", h("span", { class: "sr-name" }, r.title), " ",
      h("span", { class: "muted small" }, snippet(r.snippet))));
    });
  }

  /* ------------------------------------------------------------------ the agenda page */

  async function agendaPage() {
    const root = document.getElementById("agenda-root");
    if (!root) return;
    const since = document.getElementById("agenda-since");
    const d = new Date(Date.now() - 30 * 86400000);
    since.value = d.toISOString().slice(0, 10);
    async function render() {
      const out = clear(document.getElementById("agenda-items"));
      out.appendChild(h("p", { class: "muted" }, t("plan.loading")));
      let data;
      try { data = await getJSON("/api/table/agenda?since=" + encodeURIComponent(since.value)); } catch (e) {
        clear(out).appendChild(h("p", { class: "error" }, t("collab.error")));
        return;
      }
      clear(out);
      document.getElementById("agenda-html").href = "/api/table/agenda?format=html&since=" + encodeURIComponent(since.value);
      if (!data.items.length) out.appendChild(h("p", { class: "muted" }, t("collab.agenda.empty")));
      let section = null;
      let ol = null;
      data.items.forEach((i) => {
        if (i.section !== section) {
          section = i.section;
          out.appendChild(h("h3", null, i18n.lang === "en" ? t("collab.section." + i.kind) : section));
          ol = h("ol", { start: String(i.number) });
          out.appendChild(ol);
        }
        ol.appendChild(h("li", { "data-testid": "agenda-item" }, h("strong", null, i.title),
          i.detail ? h("div", { class: "muted small" }, i.detail) : null,
          i.plans.length ? h("div", { class: "plans small" }, i.plans.join(", ")) : null));
      });
    }
    since.addEventListener("change", render);
    await render();
    const meetings = clear(document.getElementById("agenda-meetings"));
    const data = await getJSON("/api/table/meetings").catch(() => ({ meetings: [] }));
    if (!data.meetings.length) meetings.appendChild(h("p", { class: "muted" }, t("collab.none.meetings")));
    data.meetings.forEach((m) => {
      const sec = h("section", { class: "meeting", "data-testid": "meeting" }, h("h3", null, m.title, " · ", i18n.date(m.held_on)));
      const items = h("ol", null);
      m.items.forEach((i) => items.appendChild(h("li", null, i.title)));
      sec.appendChild(items);
      sec.appendChild(h("h4", null, t("collab.decisions")));
      const dl = h("ul", { class: "decisions" });
      m.decisions.forEach((x) => dl.appendChild(h("li", { "data-testid": "meeting-decision" },
        x.item ? t("collab.item", { n: x.item }) + ": " : "", x.text, x.plans.length ? h("span", { class: "muted small" }, " (" + x.plans.join(", ") + ")") : "")));
      if (!m.decisions.length) dl.appendChild(h("li", { class: "muted" }, t("collab.none.decisions")));
      sec.appendChild(dl);
      meetings.appendChild(sec);
    });
  }

  OR.collab = { planPanel, searchResults, snippet, agendaPage };
  if (document.getElementById("agenda-root")) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => { i18n.apply(); agendaPage(); });
    else { i18n.apply(); agendaPage(); }
  }
})();

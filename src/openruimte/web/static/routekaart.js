/* The BIM roadmap page: one organisation's metro map, the poster wall and progress
 * between two dates. Reads /api/roadmap/... as the logged-in user (or anonymously:
 * then only public assessments show). Works offline: no external requests. */
(function () {
  "use strict";
  const OR = window.OR;
  const $ = (id) => document.getElementById(id);
  let i18n, util;
  const state = { roadmap: null, tab: "map", wall: null, status: null, seq: 0 };
  /** Is a render that started as number ``n`` still the newest one? (older answers are dropped) */
  const current = (n) => n === state.seq;

  function today() { return new Date().toISOString().slice(0, 10); }
  function shift(iso, years) { const d = new Date(iso + "T00:00:00Z"); d.setUTCFullYear(d.getUTCFullYear() + years); return d.toISOString().slice(0, 10); }
  function q(params) { return Object.entries(params).filter(([, v]) => v).map(([k, v]) => k + "=" + encodeURIComponent(v)).join("&"); }
  function base() { return "/api/roadmap/" + encodeURIComponent(state.roadmap); }

  async function svgText(url) {
    const resp = await fetch(url, { headers: { Accept: "image/svg+xml" } });
    if (!resp.ok) throw new Error(url + ": HTTP " + resp.status);
    return resp.text();
  }

  /** Put an SVG document (our own, from the API) into an element. */
  function putSvg(el, text) {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    util.clear(el);
    el.appendChild(document.importNode(doc.documentElement, true));
  }

  function showError(err) {
    const el = $("rm-error");
    el.hidden = false;
    el.textContent = i18n.t("rm.error") + ": " + (err && err.message ? err.message : err);
  }

  function fillOrgs(select, orgs, keep) {
    const before = keep || select.value;
    util.clear(select);
    for (const o of orgs) select.appendChild(util.h("option", { value: o.org }, o.name));
    if (orgs.some((o) => o.org === before)) select.value = before;
  }

  async function loadWall() {
    state.wall = await util.getJSON(base() + "/wall?" + q({ date: $("rm-date").value }));
    const orgs = state.wall.organisations;
    fillOrgs($("rm-org"), orgs, new URLSearchParams(location.hash.slice(1)).get("org"));
    fillOrgs($("rm-porg"), orgs, $("rm-org").value);
    $("rm-wall-count").textContent = orgs.length ? i18n.t("rm.orgs", { n: orgs.length }) : i18n.t("rm.none");
  }

  function indexText(index) {
    return i18n.t("rm.index") + ": " + i18n.number(index.overall, 1) + " / 100";
  }

  async function renderMap(n) {
    const org = $("rm-org").value;
    const el = $("rm-map");
    el.dataset.loaded = "false";
    if (!org) { util.clear(el); el.textContent = i18n.t("rm.none"); $("rm-index").textContent = ""; el.dataset.loaded = "true"; return; }
    const params = q({ org, date: $("rm-date").value });
    const [svg, st] = await Promise.all([
      svgText(base() + "/map.svg?" + params + "&lang=" + i18n.lang),
      util.getJSON(base() + "/status?" + params),
    ]);
    if (!current(n)) return;
    state.status = st;
    putSvg(el, svg);
    $("rm-index").textContent = st.org_name + " · " + indexText(st.index);
    $("rm-reading").textContent = i18n.t("rm.reading") + ": " + st.reading;
    el.querySelectorAll("g.station").forEach((g) => {
      g.addEventListener("click", () => detail(g.dataset.station, g));
      g.addEventListener("keydown", (e) => { if (e.key === "Enter") detail(g.dataset.station, g); });
    });
    $("rm-detail").hidden = true;
    el.dataset.loaded = "true";
    el.dataset.org = org;
  }

  function detail(id, g) {
    const s = state.status.stations.find((x) => x.station === id);
    if (!s) return;
    $("rm-map").querySelectorAll("g.station.selected").forEach((x) => x.classList.remove("selected"));
    g.classList.add("selected");
    const box = $("rm-detail");
    util.clear(box);
    const name = i18n.lang === "en" && s.name_en ? s.name_en : s.name;
    box.appendChild(util.h("h3", null, name));
    box.appendChild(util.h("p", { "data-testid": "rm-detail-state" }, i18n.term("rmstate", s.state)));
    const a = s.assessment;
    box.appendChild(util.h("p", null, a ? i18n.t("rm.assessed", { date: i18n.date(a.assessed_on), author: a.author }) : i18n.t("rm.notassessed")));
    if (a && a.note) box.appendChild(util.h("p", null, a.note));
    if (a && a.evidence.length) {
      box.appendChild(util.h("ul", null, a.evidence.map((e) => util.h("li", null, e.text || e.ref))));
    }
    const dl = util.h("dl");
    for (const [k, v] of Object.entries(s.criteria)) {
      if (v) { dl.appendChild(util.h("dt", null, i18n.term("rmstate", k))); dl.appendChild(util.h("dd", null, v)); }
    }
    box.appendChild(util.h("h3", null, i18n.t("rm.criteria")));
    box.appendChild(dl);
    box.hidden = false;
  }

  async function renderWall(n) {
    const el = $("rm-wall");
    el.dataset.loaded = "false";
    const lines = state.wall.lines;
    const date = $("rm-date").value;
    const cards = await Promise.all(state.wall.organisations.map(async (o) => {
      const svg = await svgText(base() + "/map.svg?" + q({ org: o.org, date }) + "&legend=false&lang=" + i18n.lang);
      const bars = util.h("div", { class: "bars" });
      for (const line of lines) {
        const v = o.index.lines[line.id];
        bars.appendChild(util.h("span", null, line.name));
        bars.appendChild(util.h("div", { class: "bar" }, util.h("span", { style: { width: v + "%", background: line.colour } })));
        bars.appendChild(util.h("span", null, i18n.number(v, 0)));
      }
      const card = util.h("article", { class: "card", "data-org": o.org, "data-index": o.index.overall },
        util.h("h3", null, util.h("span", null, o.name), util.h("span", null, i18n.number(o.index.overall, 1))), bars);
      const holder = util.h("div");
      putSvg(holder, svg);
      card.appendChild(holder);
      return card;
    }));
    if (!current(n)) return;
    util.clear(el);
    cards.forEach((c) => el.appendChild(c));
    el.dataset.loaded = "true";
    el.dataset.count = String(cards.length);
  }

  async function renderProgress(n) {
    const el = $("rm-progress");
    el.dataset.loaded = "false";
    const org = $("rm-porg").value;
    if (!org) { util.clear(el); el.textContent = i18n.t("rm.none"); el.dataset.loaded = "true"; return; }
    const p = await util.getJSON(base() + "/progress?" + q({ org, since: $("rm-since").value, until: $("rm-until").value }));
    if (!current(n)) return;
    util.clear(el);
    el.appendChild(util.h("p", { class: "delta", "data-testid": "rm-delta" },
      p.org_name + " · " + i18n.t("rm.index") + ": " + i18n.number(p.index_since.overall, 1) + " → " + i18n.number(p.index_until.overall, 1)));
    if (!p.changes.length) {
      el.appendChild(util.h("p", null, i18n.t("rm.nochanges")));
    } else {
      el.appendChild(util.h("p", null, i18n.t("rm.changes", { n: p.changes.length })));
      const table = util.h("table", { class: "changes" },
        util.h("thead", null, util.h("tr", null, util.h("th", null, i18n.t("rm.line")), util.h("th", null, i18n.t("rm.station")),
          util.h("th", null, i18n.t("rm.from")), util.h("th", null, i18n.t("rm.to")))),
        util.h("tbody", null, p.changes.map((c) => util.h("tr", { "data-station": c.station },
          util.h("td", null, c.line), util.h("td", null, c.name),
          util.h("td", null, i18n.term("rmstate", c.from)), util.h("td", null, i18n.term("rmstate", c.to))))));
      el.appendChild(table);
    }
    el.dataset.loaded = "true";
    el.dataset.changes = String(p.changes.length);
  }

  async function render() {
    $("rm-error").hidden = true;
    const n = ++state.seq;
    try {
      if (state.tab === "map") await renderMap(n);
      else if (state.tab === "wall") await renderWall(n);
      else await renderProgress(n);
    } catch (err) { if (current(n)) showError(err); }
  }

  function selectTab(tab) {
    state.tab = tab;
    document.querySelectorAll(".tabs button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === tab)));
    for (const name of ["map", "wall", "progress"]) $("panel-" + name).hidden = name !== tab;
    render();
  }

  async function start() {
    i18n = OR.i18n;
    util = OR.util;
    i18n.apply();
    $("lang-switch").addEventListener("click", () => { i18n.toggle(); render(); });
    $("rm-print").addEventListener("click", () => window.print());
    const params = new URLSearchParams(location.hash.slice(1));
    $("rm-date").value = params.get("date") || today();
    $("rm-until").value = $("rm-date").value;
    $("rm-since").value = params.get("since") || shift($("rm-date").value, -1);
    try {
      const defs = await util.getJSON("/api/roadmap/definitions");
      const names = [...new Set(defs.definitions.map((d) => d.name))];
      for (const d of names) {
        const def = defs.definitions.filter((x) => x.name === d).pop();
        $("rm-roadmap").appendChild(util.h("option", { value: d }, def.title));
      }
      if (params.get("roadmap") && names.includes(params.get("roadmap"))) $("rm-roadmap").value = params.get("roadmap");
      state.roadmap = $("rm-roadmap").value;
      await loadWall();
    } catch (err) { showError(err); return; }
    $("rm-roadmap").addEventListener("change", async () => { state.roadmap = $("rm-roadmap").value; await loadWall(); render(); });
    $("rm-date").addEventListener("change", async () => { await loadWall(); render(); });
    $("rm-org").addEventListener("change", render);
    ["rm-porg", "rm-since", "rm-until"].forEach((id) => $(id).addEventListener("change", render));
    document.querySelectorAll(".tabs button").forEach((b) => b.addEventListener("click", () => selectTab(b.dataset.tab)));
    selectTab(params.get("tab") || "map");
  }

  document.addEventListener("DOMContentLoaded", start);
})();

/* OpenRuimte programming map (programmeerkaart).
 *
 * One MapLibre map with the store's own base map (areas + street tiles) or
 * PDOK, the filtered plans from /api/map (one start-up request; /api/map/plans on a change of filters), the analysis results (couplings,
 * no-dig conflicts, replacement candidates, grid capacity, underground space),
 * environment layers and asset tiles; a plan panel, a timeline (timeline.js)
 * and downloads of the filtered selection.
 *
 * For tests: window.openruimte exposes the map and helpers; #map carries
 * data-plans-loaded="true" and data-plans-count once the plans are drawn.
 */
(function () {
  "use strict";
  const OR = window.OR;
  const { h, clear, getJSON } = OR.util;
  const i18n = OR.i18n;
  const t = i18n.t;
  const T0 = performance.now();
  const mark = (name) => { S.perf.steps[name] = Math.round(performance.now()); };

  const YEAR_MIN = 2026;
  const YEAR_MAX = 2040;
  const FILTER_KEYS = ["phase", "hardness", "owner", "asset_type", "theme"];
  const PLAN_LAYERS = ["plans-fill", "plans-outline", "plans-outline-dashed", "plans-line", "plans-point"];

  const S = {
    config: null,
    orgName: {},
    ownerColor: {},
    areas: null,
    areaName: {},
    buurten: [],
    all: new Map(), // key -> feature (unfiltered)
    plans: [], // filtered features
    matched: 0,
    filters: { phase: new Set(), hardness: new Set(), owner: new Set(), asset_type: new Set(), theme: new Set(), from: YEAR_MIN, to: YEAR_MAX, q: "" },
    colorBy: "owner",
    analysis: { plans: null, candidates: null, capacity: null, space: null },
    vital: null,
    streets: null, // lazily loaded FeatureCollection of /api/streets
    envMeta: [],
    envData: {},
    layers: { couplings: true, conflicts: true, candidates: false, capacity: false, space: false, assets: false, areas: true, streets: true, bim: true, rules: true },
    env: {},
    selected: null,
    hover: null,
    selectedBuurt: null,
    loadSeq: 0,
    perf: { firstRenderMs: null, steps: {} },
  };

  let map = null;
  let popup = null;
  let hoverPopup = null;
  let timeline = null;
  const labelMarkers = [];

  /* ============================================================ start-up */

  async function start() {
    OR.util.setupMapLibre();
    i18n.apply();
    readHash();
    bindChrome();
    // one start-up request: configuration, areas, the analysis and the filtered plans (/api/map);
    // sent at the page's start by map-early.js when the link has no filters
    const startUrl = "/api/map?" + filterParams().toString();
    const early = window.OR_EARLY_MAP;
    window.OR_EARLY_MAP = null;
    const startup = early && early.url === startUrl ? early.json : getJSON(startUrl);
    const mapLoaded = createMap(); // the map (and its worker) starts while the data comes in
    const { config, areas, analysis: analysisPlans, plans } = await startup;
    S.firstPlans = plans;
    mark("config");
    S.config = config;
    S.analysis.plans = analysisPlans ? analysisPlans.result : null;
    S.analysis.plansAt = analysisPlans ? analysisPlans.created_at : null;
    config.organisations.forEach((o) => { S.orgName[o.code] = o.name; });
    S.ownerColor = OR.util.ownerColors(config.organisations.map((o) => o.code));
    S.areas = areas;
    areas.features.forEach((f) => { S.areaName[f.properties.code] = f.properties.name; });
    S.buurten = areas.features.filter((f) => f.properties.level === "buurt")
      .sort((a, b) => a.properties.name.localeCompare(b.properties.name));
    const gemeente = areas.features.find((f) => f.properties.level === "gemeente");
    if (gemeente) document.getElementById("municipality").textContent = gemeente.properties.name;

    document.getElementById("color-by").value = S.colorBy;
    buildFilters();
    buildLayerList();
    buildTimelineScope();
    await mapLoaded;
    initMap(gemeente);
  }

  /* ============================================================ URL hash (shareable view) */

  function readHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    FILTER_KEYS.forEach((k) => {
      const v = params.get(k);
      if (v) v.split(",").filter(Boolean).forEach((x) => S.filters[k].add(x));
    });
    const from = parseInt(params.get("start") || params.get("from"), 10);
    const to = parseInt(params.get("end") || params.get("to"), 10);
    if (from >= YEAR_MIN && from <= YEAR_MAX) S.filters.from = from;
    if (to >= YEAR_MIN && to <= YEAR_MAX && to >= S.filters.from) S.filters.to = to;
    if (params.get("q")) S.filters.q = params.get("q");
    if (["owner", "phase", "asset_type"].includes(params.get("color"))) S.colorBy = params.get("color");
    const plan = params.get("plan");
    if (plan) S.pendingSelect = plan;
  }

  function writeHash() {
    const params = filterParams();
    if (S.colorBy !== "owner") params.set("color", S.colorBy);
    if (S.selected) params.set("plan", S.selected);
    const s = params.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
    history.replaceState(null, "", s ? "#" + s : location.pathname + location.search);
  }

  /** The filters as API query parameters (same for /api/plans and the export). */
  function filterParams() {
    const p = new URLSearchParams();
    FILTER_KEYS.forEach((k) => { if (S.filters[k].size) p.set(k, Array.from(S.filters[k]).join(",")); });
    if (S.filters.from !== YEAR_MIN || S.filters.to !== YEAR_MAX) {
      p.set("start", String(S.filters.from));
      p.set("end", String(S.filters.to));
    }
    if (S.filters.q.trim()) p.set("q", S.filters.q.trim());
    return p;
  }

  function filtersActive() {
    return FILTER_KEYS.some((k) => S.filters[k].size) || S.filters.from !== YEAR_MIN || S.filters.to !== YEAR_MAX || !!S.filters.q.trim();
  }

  /* ============================================================ chrome: header, search, language */

  function bindChrome() {
    document.getElementById("lang-switch").addEventListener("click", () => i18n.toggle());
    i18n.onChange(() => {
      buildFilters();
      buildLayerList();
      buildTimelineScope();
      renderCount();
      renderLegend();
      if (S.selected) renderPlanPanel(S.selected);
      renderTimeline();
      if (popup) popup.remove();
    });

    const sidebarToggle = document.getElementById("sidebar-toggle");
    sidebarToggle.addEventListener("click", () => {
      const collapsed = document.body.classList.toggle("sidebar-collapsed");
      sidebarToggle.setAttribute("aria-expanded", String(!collapsed));
      if (map) setTimeout(() => map.resize(), 220);
    });
    if (window.matchMedia("(max-width: 760px)").matches) {
      S.legendCollapsed = true;
      document.body.classList.add("sidebar-collapsed");
      sidebarToggle.setAttribute("aria-expanded", "false");
    }

    document.getElementById("filter-reset").addEventListener("click", () => {
      FILTER_KEYS.forEach((k) => S.filters[k].clear());
      S.filters.from = YEAR_MIN;
      S.filters.to = YEAR_MAX;
      S.filters.q = "";
      document.getElementById("search").value = "";
      buildFilters();
      loadPlans();
    });

    document.getElementById("color-by").addEventListener("change", (e) => {
      S.colorBy = e.target.value;
      recolour();
      writeHash();
    });

    document.getElementById("plan-close").addEventListener("click", () => selectPlan(null));
    document.addEventListener("keydown", (e) => {
      if (e.key !== "Escape" || e.target.closest("input, select")) return;
      if (popup && popup.isOpen()) popup.remove();
      else if (S.selected) selectPlan(null);
    });
    document.getElementById("timeline-toggle").addEventListener("click", () => toggleTimeline());
    document.getElementById("timeline-close").addEventListener("click", () => toggleTimeline(false));
    document.getElementById("timeline-group").addEventListener("change", () => renderTimeline());
    document.getElementById("timeline-scope").addEventListener("change", (e) => {
      const v = e.target.value;
      S.selectedBuurt = v.startsWith("buurt:") ? v.slice(6) : null;
      S.timelineScope = v.startsWith("buurt:") ? "buurt" : v;
      updateBuurtHighlight();
      if (S.selectedBuurt) flyToArea(S.selectedBuurt);
      renderTimeline();
    });

    // Search: filters the map (q) and offers matching plans and buurten to jump to.
    const search = document.getElementById("search");
    search.value = S.filters.q;
    let timer = null;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        S.filters.q = search.value;
        S.searchOpen = !!search.value.trim();
        loadPlans();
      }, 250);
    });
    search.addEventListener("keydown", (e) => {
      const list = document.getElementById("search-results");
      const items = Array.from(list.querySelectorAll("li[data-key], li[data-area]"));
      const idx = items.findIndex((li) => li.classList.contains("active"));
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!items.length) return;
        const next = e.key === "ArrowDown" ? Math.min(items.length - 1, idx + 1) : Math.max(0, idx - 1);
        items.forEach((li, i) => li.classList.toggle("active", i === next));
      } else if (e.key === "Enter") {
        e.preventDefault();
        const pick = items[idx >= 0 ? idx : 0];
        if (pick) pick.click();
      } else if (e.key === "Escape") {
        closeSearch();
      }
    });
    search.addEventListener("focus", () => { if (search.value.trim()) { S.searchOpen = true; renderSearchResults(); } });
    document.addEventListener("click", (e) => { if (!e.target.closest(".search")) closeSearch(); });
  }

  function closeSearch() {
    S.searchOpen = false;
    const list = document.getElementById("search-results");
    list.hidden = true;
    document.getElementById("search").setAttribute("aria-expanded", "false");
  }

  function renderSearchResults() {
    const list = clear(document.getElementById("search-results"));
    const q = S.filters.q.trim().toLowerCase();
    if (!S.searchOpen || !q) { closeSearch(); return; }
    const areas = S.buurten.filter((f) => f.properties.name.toLowerCase().includes(q)).slice(0, 3);
    const plans = S.plans.slice().sort((a, b) => a.properties.name.localeCompare(b.properties.name)).slice(0, 8);
    areas.forEach((f) => {
      list.appendChild(h("li", { role: "option", "data-area": f.properties.code, onclick: () => {
        closeSearch();
        S.selectedBuurt = f.properties.code;
        S.timelineScope = "buurt";
        document.getElementById("timeline-scope").value = "buurt:" + f.properties.code;
        updateBuurtHighlight();
        flyToArea(f.properties.code);
        renderTimeline();
      } }, h("span", { class: "tag" }, t("field.area")), " ", f.properties.name));
    });
    plans.forEach((f) => {
      const p = f.properties;
      list.appendChild(h("li", { role: "option", "data-key": p.key, onclick: () => { closeSearch(); selectPlan(p.key, { fly: true }); } },
        h("span", { class: "swatch", style: { background: p._c } }),
        h("span", { class: "sr-name" }, p.name),
        h("span", { class: "muted small" }, " · " + (S.orgName[p.owner] || p.owner))));
    });
    if (!areas.length && !plans.length) list.appendChild(h("li", { class: "muted" }, t("search.none")));
    list.hidden = false;
    document.getElementById("search").setAttribute("aria-expanded", "true");
    // Full-text results (discussions, documents, plans) from /api/search (collab.js).
    if (OR.collab) OR.collab.searchResults(list, S.filters.q, { closeSearch,
      selectPlan: (k, tab) => { S.collabTab = tab; selectPlan(k, { fly: true }); } });
  }

  /* ============================================================ filters */

  function chip(kind, value, label, color) {
    const id = "f-" + kind + "-" + value.replace(/[^a-z0-9_-]/gi, "_");
    const input = h("input", { type: "checkbox", id, value, "data-kind": kind });
    input.checked = S.filters[kind].has(value);
    input.addEventListener("change", () => {
      if (input.checked) S.filters[kind].add(value); else S.filters[kind].delete(value);
      updateBadges();
      loadPlans();
    });
    return h("label", { class: "chip", for: id, "data-value": value },
      input, color ? h("span", { class: "swatch", style: { background: color } }) : null, h("span", null, label));
  }

  function buildFilters() {
    const cfg = S.config;
    if (!cfg) return;
    const phase = clear(document.getElementById("filter-phase"));
    cfg.phases.forEach((p) => phase.appendChild(chip("phase", p, i18n.term("phase", p), OR.util.PHASE_COLORS[p])));
    const hard = clear(document.getElementById("filter-hardness"));
    cfg.hardness.forEach((p) => hard.appendChild(chip("hardness", p, i18n.term("hardness", p))));
    const owner = clear(document.getElementById("filter-owner"));
    cfg.organisations.forEach((o) => owner.appendChild(chip("owner", o.code, o.name, S.ownerColor[o.code])));

    const groups = clear(document.getElementById("filter-asset-type"));
    Object.entries(cfg.asset_groups).forEach(([group, types]) => {
      const all = h("input", { type: "checkbox", "data-group": group, "aria-label": i18n.term("group", group) });
      const sync = () => {
        const n = types.filter((x) => S.filters.asset_type.has(x)).length;
        all.checked = n === types.length;
        all.indeterminate = n > 0 && n < types.length;
      };
      all.addEventListener("change", () => {
        types.forEach((x) => { if (all.checked) S.filters.asset_type.add(x); else S.filters.asset_type.delete(x); });
        box.querySelectorAll("input[data-kind]").forEach((i) => { i.checked = all.checked; });
        updateBadges();
        loadPlans();
      });
      const box = h("div", { class: "chips" }, types.map((x) => chip("asset_type", x, i18n.term("asset", x), OR.util.ASSET_COLORS[x])));
      box.addEventListener("change", sync);
      const det = h("details", { class: "asset-group", "data-group": group },
        h("summary", null, all, " ", i18n.term("group", group)), box);
      if (types.some((x) => S.filters.asset_type.has(x))) det.open = true;
      groups.appendChild(det);
      sync();
    });

    const themes = clear(document.getElementById("filter-theme"));
    const known = new Set(cfg.themes);
    S.all.forEach((f) => (f.properties.themes || []).forEach((x) => known.add(x)));
    Array.from(known).forEach((x) => themes.appendChild(chip("theme", x, i18n.term("theme", x))));

    const from = document.getElementById("filter-from");
    const to = document.getElementById("filter-to");
    from.value = S.filters.from;
    to.value = S.filters.to;
    from.setAttribute("aria-label", t("field.start"));
    to.setAttribute("aria-label", t("field.end"));
    if (!from.dataset.bound) {
      from.dataset.bound = "1";
      const onRange = (which) => () => {
        let a = parseInt(from.value, 10);
        let b = parseInt(to.value, 10);
        if (a > b) { if (which === "from") b = a; else a = b; from.value = a; to.value = b; }
        S.filters.from = a;
        S.filters.to = b;
        renderPeriod();
      };
      from.addEventListener("input", onRange("from"));
      to.addEventListener("input", onRange("to"));
      from.addEventListener("change", () => loadPlans());
      to.addEventListener("change", () => loadPlans());
    }
    renderPeriod();
    updateBadges();
  }

  function renderPeriod() {
    const active = S.filters.from !== YEAR_MIN || S.filters.to !== YEAR_MAX;
    const label = document.getElementById("period-label");
    label.textContent = S.filters.from === S.filters.to ? String(S.filters.from) : S.filters.from + "–" + S.filters.to;
    label.classList.toggle("active", active);
    const wrap = document.querySelector(".dual-range");
    const span = YEAR_MAX - YEAR_MIN;
    wrap.style.setProperty("--from", ((S.filters.from - YEAR_MIN) / span) * 100 + "%");
    wrap.style.setProperty("--to", ((S.filters.to - YEAR_MIN) / span) * 100 + "%");
  }

  function updateBadges() {
    FILTER_KEYS.forEach((k) => {
      const b = document.querySelector('[data-count-for="' + k + '"]');
      if (b) b.textContent = S.filters[k].size ? String(S.filters[k].size) : "";
    });
  }

  /* ============================================================ map */

  /** The map with empty sources; resolves when its style has loaded. */
  function createMap() {
    const origin = location.origin;
    const style = {
      version: 8,
      sources: {
        areas: { type: "geojson", data: emptyFC() },
        streets: { type: "vector", tiles: [origin + "/tiles/streets/{z}/{x}/{y}.pbf"], minzoom: 10, maxzoom: 16 },
        assets: { type: "vector", tiles: [origin + "/tiles/assets/{z}/{x}/{y}.pbf"], minzoom: 14, maxzoom: 18 },
        plans: { type: "geojson", data: emptyFC() },
        // the selected, hovered and partner plans' outlines: a small source of its own, so a click or a
        // hover never makes the worker re-lay out every plan (filters on "plans" would, at 10k plans)
        halo: { type: "geojson", data: emptyFC() },
        couplings: { type: "geojson", data: emptyFC() },
        conflicts: { type: "geojson", data: emptyFC() },
        candidates: { type: "geojson", data: emptyFC() },
        capacity: { type: "geojson", data: emptyFC() },
      },
      layers: [{ id: "background", type: "background", paint: { "background-color": "#eceee8" } }],
    };
    map = new maplibregl.Map({
      container: "map",
      style,
      center: [5.3, 52.1],
      zoom: 7,
      attributionControl: { compact: true },
      dragRotate: false,
      pitchWithRotate: false,
      maxZoom: 20,
      fadeDuration: 0, // no cross-fade frames: the map is idle (and drawn) one frame after its data
    });
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
    map.on("error", (e) => {
      // Tiles of an empty area come back empty; other errors are shown, not thrown.
      if (e && e.error && !/aborted/i.test(String(e.error.message))) console.warn("map:", e.error.message || e.error);
    });
    return new Promise((resolve) => map.on("load", () => { mark("mapLoad"); resolve(); }));
  }

  /** Once the configuration and areas are in: the base map, our layers, the first view and the plans. */
  function initMap(gemeente) {
    const pdok = S.config.base_map === "pdok";
    if (pdok) {
      map.setPaintProperty("background", "background-color", "#f4f4f1");
      map.addSource("pdok", OR.util.pdokSource());
      map.addLayer({ id: "pdok", type: "raster", source: "pdok" });
    }
    map.getSource("areas").setData(S.areas);
    let bounds = gemeente ? OR.util.bbox(gemeente.geometry) : null;
    if (!bounds || !isFinite(bounds[0])) bounds = [3.3, 50.7, 7.3, 53.6];
    map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]], { padding: 30, duration: 0 });
    addLayers(pdok);
    bindMapEvents();
    S.streetLabels = OR.util.streetLabels(map, "streets");
    if (pdok) S.streetLabels.setVisible(false);
    addAreaLabels();
    loadPlans(true);
    showStatus(pdok ? t("status.pdok") : null);
    map.on("zoomend", () => updateAssetHint());
    map.on("moveend", () => {
      if (!document.getElementById("timeline").hidden && (S.timelineScope || "view") === "view") renderTimeline();
      if (S.layers.candidates) renderCandidateList();
    });
  }

  function emptyFC() {
    return { type: "FeatureCollection", features: [] };
  }

  const IS_POLY = ["match", ["geometry-type"], ["Polygon", "MultiPolygon"], true, false];
  const IS_LINE = ["match", ["geometry-type"], ["LineString", "MultiLineString"], true, false];
  const IS_POINT = ["match", ["geometry-type"], ["Point", "MultiPoint"], true, false];

  function assetColorExpr() {
    const m = ["match", ["get", "asset_type"]];
    Object.entries(OR.util.ASSET_COLORS).forEach(([k, v]) => m.push(k, v));
    m.push(OR.util.FALLBACK);
    return m;
  }

  function addLayers(pdok) {
    const L = (layer, before) => map.addLayer(layer, before);
    // Areas: buurten as a light fill so the map is never blank; wijken as stronger outlines.
    L({ id: "areas-fill", type: "fill", source: "areas", filter: ["==", ["get", "level"], "buurt"],
      paint: { "fill-color": pdok ? "#ffffff" : "#fbfbf8", "fill-opacity": pdok ? 0.01 : 0.9 } });
    L({ id: "areas-selected", type: "fill", source: "areas", filter: ["==", ["get", "code"], "__none__"],
      paint: { "fill-color": "#fff3bf", "fill-opacity": 0.55 } });
    L({ id: "env-anchor", type: "background", layout: { visibility: "none" }, paint: { "background-opacity": 0 } });
    // Streets (vector tiles): casing + line, width by kind.
    const width = ["match", ["get", "kind"], "ring", 7, "main", 5.5, "centre", 3.5, 3];
    L({ id: "streets-casing", type: "line", source: "streets", "source-layer": "streets",
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": "#c9cbc3", "line-width": ["interpolate", ["exponential", 1.6], ["zoom"], 12, ["*", width, 0.35], 16, ["*", width, 2.4], 19, ["*", width, 7]] } });
    L({ id: "streets", type: "line", source: "streets", "source-layer": "streets",
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": ["match", ["get", "kind"], "ring", "#fde7b0", "main", "#fff4d6", "#ffffff"],
        "line-width": ["interpolate", ["exponential", 1.6], ["zoom"], 12, ["*", width, 0.22], 16, ["*", width, 2], 19, ["*", width, 6.2]] } });
    if (pdok) {
      map.setLayoutProperty("streets-casing", "visibility", "none");
      map.setLayoutProperty("streets", "visibility", "none");
      S.layers.streets = false;
    }
    L({ id: "areas-wijk", type: "line", source: "areas", filter: ["==", ["get", "level"], "wijk"],
      paint: { "line-color": "#7a7f87", "line-width": 1.6, "line-dasharray": [4, 2] } });
    L({ id: "areas-buurt", type: "line", source: "areas", filter: ["==", ["get", "level"], "buurt"],
      paint: { "line-color": "#9aa0a6", "line-width": 0.8 } });
    L({ id: "areas-gemeente", type: "line", source: "areas", filter: ["==", ["get", "level"], "gemeente"],
      paint: { "line-color": "#495057", "line-width": 2.2 } });

    // Underground space problems: the streets where the planned network does not fit.
    L({ id: "space", type: "line", source: "streets", "source-layer": "streets", filter: ["in", ["get", "id"], ["literal", []]],
      layout: { visibility: "none", "line-cap": "round" },
      paint: { "line-color": "#e8590c", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 5, 17, 16], "line-opacity": 0.75 } });

    // Assets (vector tiles from zoom 14).
    L({ id: "assets-fill", type: "fill", source: "assets", "source-layer": "assets", minzoom: 14, filter: IS_POLY,
      layout: { visibility: "none" }, paint: { "fill-color": assetColorExpr(), "fill-opacity": 0.35 } });
    L({ id: "assets-line", type: "line", source: "assets", "source-layer": "assets", minzoom: 14, filter: IS_LINE,
      layout: { visibility: "none" }, paint: { "line-color": assetColorExpr(), "line-width": ["interpolate", ["linear"], ["zoom"], 14, 1, 18, 3] } });
    L({ id: "assets-point", type: "circle", source: "assets", "source-layer": "assets", minzoom: 14, filter: IS_POINT,
      layout: { visibility: "none" },
      paint: { "circle-color": assetColorExpr(), "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 2, 18, 5],
        "circle-stroke-color": "#fff", "circle-stroke-width": 0.6 } });

    // Replacement candidates: one dot per street, coloured by the first year.
    L({ id: "candidates", type: "circle", source: "candidates", layout: { visibility: "none" },
      paint: { "circle-color": ["get", "_c"], "circle-opacity": 0.85, "circle-stroke-color": "#fff", "circle-stroke-width": 1,
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 12, ["min", 4, ["+", 1.5, ["*", 0.25, ["get", "assets"]]]],
          15, ["min", 9, ["+", 3, ["*", 0.5, ["get", "assets"]]]], 18, ["min", 18, ["+", 6, ["get", "assets"]]]] } });

    // Plans: a halo for the selected plan and its partners, then fills, outlines, lines and points.
    const halo = (id, color, w, role) => [
      { id: id + "-line", type: "line", source: "halo", filter: ["all", ["!", IS_POINT], ["==", ["get", "_role"], role || id]],
        layout: { "line-cap": "round", "line-join": "round" }, paint: { "line-color": color, "line-width": w, "line-opacity": 0.9 } },
      { id: id + "-point", type: "circle", source: "halo", filter: ["all", IS_POINT, ["==", ["get", "_role"], role || id]],
        paint: { "circle-color": color, "circle-radius": w, "circle-opacity": 0.9 } },
    ];
    halo("halo-partner", "#12b886", 11).forEach((l) => L(l));
    halo("halo-hover", "#74c0fc", 12).forEach((l) => L(l));
    halo("halo-selected", "#fcc419", 14).forEach((l) => L(l));
    // Constant opacities and dashes: a data-driven paint property costs the worker a value per
    // feature and vertex at 10k plans; indicative plans' dashed outline is a layer of its own.
    const INDICATIVE = ["==", ["get", "hardness"], "indicatief"];
    L({ id: "plans-fill", type: "fill", source: "plans", filter: IS_POLY,
      paint: { "fill-color": ["get", "_c"], "fill-opacity": 0.38 } });
    L({ id: "plans-outline", type: "line", source: "plans", filter: ["all", IS_POLY, ["!", INDICATIVE]],
      paint: { "line-color": ["get", "_c"], "line-width": 2 } });
    L({ id: "plans-outline-dashed", type: "line", source: "plans", filter: ["all", IS_POLY, INDICATIVE],
      paint: { "line-color": ["get", "_c"], "line-width": 2, "line-dasharray": [2, 1.5] } });
    // the white casing only where streets are told apart (it doubles the lines to draw at city scale)
    L({ id: "plans-line-casing", type: "line", source: "plans", filter: IS_LINE, minzoom: 13,
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 4.5, 17, 10] } });
    L({ id: "plans-line", type: "line", source: "plans", filter: IS_LINE,
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": ["get", "_c"], "line-width": ["interpolate", ["linear"], ["zoom"], 12, 3, 17, 7] } });
    L({ id: "plans-point", type: "circle", source: "plans", filter: IS_POINT,
      paint: { "circle-color": ["get", "_c"], "circle-radius": ["interpolate", ["linear"], ["zoom"], 12, 5, 17, 9],
        "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 } });
    halo("halo-selected-top", "#fcc419", 3, "halo-selected").forEach((l) => {
      l.paint = l.type === "line" ? { "line-color": "#e67700", "line-width": 2, "line-dasharray": [2, 1.2] }
        : { "circle-color": "rgba(0,0,0,0)", "circle-radius": 11, "circle-stroke-color": "#e67700", "circle-stroke-width": 2.5 };
      L(l);
    });

    // Couplings (teal) and no-dig conflicts (red): a link between the two plans and a node in the middle.
    L({ id: "couplings-line", type: "line", source: "couplings", filter: ["==", ["geometry-type"], "LineString"],
      paint: { "line-color": "#0ca678", "line-width": ["case", ["boolean", ["get", "_hl"], false], 4, 2], "line-dasharray": [2, 1] } });
    L({ id: "couplings-node", type: "circle", source: "couplings", filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-color": "#fff", "circle-stroke-color": "#0ca678",
        "circle-stroke-width": ["case", ["boolean", ["get", "_hl"], false], 4, 2.5],
        "circle-radius": ["interpolate", ["linear"], ["get", "score"], 0, 4, 1, 9] } });
    L({ id: "conflicts-line", type: "line", source: "conflicts", filter: ["==", ["geometry-type"], "LineString"],
      paint: { "line-color": "#e03131", "line-width": ["case", ["boolean", ["get", "_hl"], false], 4, 2.5] } });
    L({ id: "conflicts-node", type: "circle", source: "conflicts", filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-color": "#e03131", "circle-stroke-color": "#fff", "circle-stroke-width": 2,
        "circle-radius": ["case", ["boolean", ["get", "_hl"], false], 9, 7] } });

    // Plan rules (issue 15): bestemmingsvlakken and bouwvlakken under the models.
    if (!map.getSource("rules")) map.addSource("rules", { type: "geojson", data: emptyFC() });
    if (!map.getSource("rule-outside")) map.addSource("rule-outside", { type: "geojson", data: emptyFC() });
    L({ id: "rules-vlak", type: "fill", source: "rules", filter: ["==", ["get", "kind"], "bestemmingsvlak"],
      paint: { "fill-color": "#f59f00", "fill-opacity": 0.12 } });
    L({ id: "rules-vlak-line", type: "line", source: "rules", filter: ["==", ["get", "kind"], "bestemmingsvlak"],
      paint: { "line-color": "#e67700", "line-width": 1.2, "line-dasharray": [3, 2] } });
    L({ id: "rules-bouwvlak", type: "line", source: "rules", filter: ["==", ["get", "kind"], "bouwvlak"],
      paint: { "line-color": "#364fc7", "line-width": 2 } });
    // BIM models (issue 14): the footprint of the newest version of every model the user may see.
    if (!map.getSource("bim")) map.addSource("bim", { type: "geojson", data: emptyFC() });
    L({ id: "bim-fill", type: "fill", source: "bim", paint: { "fill-color": "#495057", "fill-opacity": 0.55 } });
    L({ id: "bim-outline", type: "line", source: "bim", paint: { "line-color": "#212529", "line-width": 1.5 } });
    // The part of a checked design outside its bouwvlak (issue 15), in red on top.
    L({ id: "rule-outside-fill", type: "fill", source: "rule-outside", paint: { "fill-color": "#e03131", "fill-opacity": 0.75 } });
    L({ id: "rule-outside-line", type: "line", source: "rule-outside", paint: { "line-color": "#c92a2a", "line-width": 2 } });

    // Grid capacity: network elements; substations coloured by the year their capacity is exceeded.
    L({ id: "capacity", type: "circle", source: "capacity", layout: { visibility: "none" },
      paint: { "circle-color": ["get", "_c"], "circle-stroke-color": "#212529", "circle-stroke-width": 1.5,
        "circle-radius": ["case", ["==", ["get", "kind"], "onderstation"], 11, 5] } });
  }

  function setVisible(ids, on) {
    ids.forEach((id) => { if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", on ? "visible" : "none"); });
  }

  function showStatus(text) {
    const el = document.getElementById("status");
    el.textContent = text || "";
    el.hidden = !text;
  }

  /* ============================================================ plans */

  async function loadPlans(first) {
    const seq = ++S.loadSeq;
    const mapEl = document.getElementById("map");
    mapEl.dataset.plansLoaded = "false";
    updateDownloads();
    writeHash();
    let fc;
    try {
      fc = await (first && S.firstPlans ? S.firstPlans : getJSON(plansUrl()));
      S.firstPlans = null;
    } catch (err) {
      if (seq !== S.loadSeq) return;
      document.getElementById("plan-count").textContent = t("count.error");
      showStatus(t("error.load", { what: "plannen" }));
      return;
    }
    if (seq !== S.loadSeq) return; // a newer request is under way
    if (first) mark("plansFetched");
    if (first || !S.all.size) {
      if (!filtersActive()) fc.features.forEach((f) => S.all.set(f.properties.key, f));
      else await loadAllPlans();
    }
    S.plans = fc.features;
    S.matched = fc.numberMatched !== undefined ? fc.numberMatched : fc.features.length;
    S.plans.forEach((f) => { f.properties._c = colourOf(f.properties); });
    map.getSource("plans").setData({ type: "FeatureCollection", features: S.plans });
    if (first) mark("plansSet");
    if (first) {
      buildFilters(); // themes present in the data
      // Perceived speed: the first frame with the plans on it (the base map's tiles may still be coming in).
      const onData = (e) => {
        if (e.sourceId !== "plans" || !map.isSourceLoaded("plans")) return;
        map.off("sourcedata", onData);
        map.once("render", () => { S.perf.plansDrawnMs = Math.round(performance.now()); });
      };
      map.on("sourcedata", onData);
    }
    renderCount();
    renderLegend();
    renderCouplings();
    renderTimeline();
    if (S.searchOpen) renderSearchResults();
    if (S.pendingSelect) {
      const key = S.pendingSelect;
      S.pendingSelect = null;
      if (S.all.has(key)) selectPlan(key, { fly: true });
    } else {
      updateHalos();
    }
    if (first) mark("panelsDone");
    // MapLibre emits 'idle' only at the end of a frame; when the last thing to happen was a failed
    // tile (PDOK offline) no frame follows, so a watchdog asks for one until the map is idle.
    const watchdog = setInterval(() => { if (seq !== S.loadSeq) clearInterval(watchdog); else map.triggerRepaint(); }, 1000);
    map.once("idle", () => {
      clearInterval(watchdog);
      if (seq !== S.loadSeq) return;
      mapEl.dataset.plansLoaded = "true";
      mapEl.dataset.plansCount = String(S.plans.length);
      mapEl.dataset.plansSeq = String(seq);
      if (S.perf.firstRenderMs === null) {
        mark("idle");
        // From navigation start to the first complete frame with the plans drawn.
        S.perf.firstRenderMs = Math.round(performance.now());
        S.perf.scriptToRenderMs = Math.round(performance.now() - T0);
        mapEl.dataset.firstRenderMs = String(S.perf.firstRenderMs);
        loadAnalysisLayers(); // the secondary layers' data after the first render
      }
    });
  }

  /** The map's plans: the fields it styles, filters, counts and lists (the panel reads the whole plan). */
  function plansUrl() {
    return "/api/map/plans?" + filterParams().toString();
  }

  async function loadAllPlans() {
    try {
      const fc = await getJSON("/api/map/plans");
      fc.features.forEach((f) => S.all.set(f.properties.key, f));
    } catch (e) { /* partner names fall back to their keys */ }
  }

  function colourOf(p) {
    if (S.colorBy === "phase") return OR.util.PHASE_COLORS[p.phase] || OR.util.FALLBACK;
    if (S.colorBy === "asset_type") return OR.util.ASSET_COLORS[(p.asset_types || [])[0]] || OR.util.FALLBACK;
    return S.ownerColor[p.owner] || OR.util.FALLBACK;
  }

  function recolour() {
    S.plans.forEach((f) => { f.properties._c = colourOf(f.properties); });
    S.all.forEach((f) => { f.properties._c = colourOf(f.properties); });
    if (map && map.getSource("plans")) map.getSource("plans").setData({ type: "FeatureCollection", features: S.plans });
    renderLegend();
    renderTimeline();
    if (S.selected) document.getElementById("plan-swatch").style.background = colourOf(S.all.get(S.selected).properties);
  }

  function renderCount() {
    const el = document.getElementById("plan-count");
    el.textContent = t("count.plans", { n: i18n.number(S.matched, 0), total: i18n.number(S.all.size || S.matched, 0) });
    el.dataset.count = String(S.matched);
    document.getElementById("filter-reset").hidden = !filtersActive();
  }

  function updateDownloads() {
    const p = filterParams();
    ["geojson", "xlsx"].forEach((fmt) => {
      const q = new URLSearchParams(p);
      q.set("format", fmt);
      document.getElementById("download-" + fmt).href = "/api/plans/export?" + q.toString();
    });
  }

  /* ============================================================ couplings and conflicts */

  function planFeature(key) {
    return S.all.get(key) || S.plans.find((f) => f.properties.key === key) || null;
  }

  function pairFeatures(items, aKey, bKey, kind) {
    const shown = new Set(S.plans.map((f) => f.properties.key));
    const out = [];
    items.forEach((c, i) => {
      const a = c[aKey];
      const b = c[bKey];
      if (!shown.has(a) && !shown.has(b)) return;
      const fa = planFeature(a);
      const fb = planFeature(b);
      if (!fa || !fb) return;
      const pa = OR.util.anchor(fa.geometry);
      const pb = OR.util.anchor(fb.geometry);
      const hl = S.selected === a || S.selected === b || S.hoverPair === kind + ":" + i;
      const props = { i, kind, a, b, score: c.score === undefined ? 1 : c.score, _hl: hl };
      out.push({ type: "Feature", geometry: { type: "LineString", coordinates: [pa, pb] }, properties: props });
      out.push({ type: "Feature", geometry: { type: "Point", coordinates: [(pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2] }, properties: props });
    });
    return out;
  }

  function renderCouplings() {
    if (!map || !map.getSource("couplings")) return;
    const res = S.analysis.plans;
    const cp = res && S.layers.couplings ? pairFeatures(res.couplings, "a", "b", "coupling") : [];
    const cf = res && S.layers.conflicts ? pairFeatures(res.conflicts, "renewal", "plan", "conflict") : [];
    map.getSource("couplings").setData({ type: "FeatureCollection", features: cp });
    map.getSource("conflicts").setData({ type: "FeatureCollection", features: cf });
  }

  function partnersOf(key) {
    const res = S.analysis.plans;
    if (!res || !key) return [];
    const out = new Set();
    res.couplings.forEach((c) => { if (c.a === key) out.add(c.b); if (c.b === key) out.add(c.a); });
    res.conflicts.forEach((c) => { if (c.renewal === key) out.add(c.plan); if (c.plan === key) out.add(c.renewal); });
    return Array.from(out);
  }

  function updateHalos() {
    if (!map || !map.getSource("halo")) return;
    const partners = S.hoverKeys || partnersOf(S.selected);
    const roles = [
      ["halo-partner", partners],
      ["halo-hover", S.hover && S.hover !== S.selected ? [S.hover] : []],
      ["halo-selected", S.selected ? [S.selected] : []],
    ];
    const features = [];
    roles.forEach(([role, keys]) => keys.forEach((key) => {
      const f = planFeature(key);
      if (f) features.push({ type: "Feature", geometry: f.geometry, properties: { key: key, _role: role } });
    }));
    map.getSource("halo").setData({ type: "FeatureCollection", features: features });
  }

  /* ============================================================ selection and plan panel */

  function selectPlan(key, opts) {
    const options = opts || {};
    S.selected = key;
    S.hoverKeys = null;
    updateHalos();
    renderCouplings();
    writeHash();
    const panel = document.getElementById("plan-panel");
    if (!key) {
      panel.hidden = true;
      document.body.classList.remove("panel-open");
      if (timeline) timeline.setSelected(null, []);
      return;
    }
    panel.hidden = false;
    document.body.classList.add("panel-open");
    if (timeline) timeline.setSelected(key, partnersOf(key));
    if (options.fly) flyToPlan(key);
    renderPlanPanel(key);
  }

  function flyToPlan(key) {
    const f = planFeature(key);
    if (!f) return;
    const b = OR.util.bbox(f.geometry);
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: fitPadding(), maxZoom: 17, duration: 600 });
  }

  function flyToArea(code) {
    const f = S.areas.features.find((x) => x.properties.code === code);
    if (!f) return;
    const b = OR.util.bbox(f.geometry);
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: fitPadding(), maxZoom: 16, duration: 600 });
  }

  function fitPadding() {
    const panelOpen = !document.getElementById("plan-panel").hidden;
    const tlOpen = !document.getElementById("timeline").hidden;
    const mapEl = document.getElementById("map");
    const mapH = mapEl.clientHeight;
    const narrow = mapEl.clientWidth < 760;
    let bottom = tlOpen ? Math.min(mapH * 0.45, 360) : 60;
    if (narrow && panelOpen) bottom = Math.max(bottom, mapH * 0.58); // the panel is a bottom sheet on a phone
    const right = panelOpen && !narrow ? 420 : 40;
    return { top: 40, left: 40, right, bottom: Math.min(bottom, mapH - 100) };
  }

  async function renderPlanPanel(key) {
    const body = clear(document.getElementById("plan-body"));
    const base = planFeature(key);
    const [owner, id] = splitKey(key);
    const title = document.getElementById("plan-title");
    title.textContent = base ? base.properties.name : key;
    document.getElementById("plan-owner").textContent = S.orgName[owner] || owner;
    document.getElementById("plan-swatch").style.background = base ? colourOf(base.properties) : OR.util.FALLBACK;
    body.appendChild(h("p", { class: "muted" }, t("plan.loading")));
    const url = "/api/plans/" + encodeURIComponent(owner) + "/" + encodeURIComponent(id);
    let feat, analysis, hist, models;
    try {
      [feat, analysis, hist, models] = await Promise.all([
        getJSON(url),
        getJSON(url + "/analysis").catch(() => ({ couplings: [], conflicts: [], analysed_at: null })),
        getJSON(url + "/history").catch(() => ({ history: [] })),
        getJSON("/api/bim/plans/" + encodeURIComponent(owner) + "/" + encodeURIComponent(id) + "/models").catch(() => []),
      ]);
    } catch (err) {
      if (S.selected !== key) return;
      clear(body).appendChild(h("p", { class: "error" }, t("plan.error")));
      return;
    }
    if (S.selected !== key) return; // another plan was chosen meanwhile
    const p = feat.properties;
    title.textContent = p.name;
    clear(body);
    body.dataset.key = key;

    // Key facts.
    const badges = h("div", { class: "badges" },
      h("span", { class: "pill", style: { background: OR.util.PHASE_COLORS[p.phase] } }, i18n.term("phase", p.phase)),
      h("span", { class: "pill hard-" + p.hardness }, i18n.term("hardness", p.hardness)),
      h("span", { class: "pill vis" }, i18n.term("visibility", p.visibility)));
    const period = p.start ? i18n.date(p.start) + " – " + i18n.date(p.end) : t("legend.unscheduled");
    body.appendChild(badges);
    body.appendChild(h("p", { class: "facts" }, h("strong", null, period),
      p.budget_eur ? " · " + i18n.euro(p.budget_eur) : "", " · ",
      (p.asset_types || []).map((a) => i18n.term("asset", a)).join(", ")));
    body.appendChild(h("button", { type: "button", class: "link-btn", onclick: () => flyToPlan(key) }, t("plan.zoom")));
    const proposed = S.analysis.programme && S.analysis.programme.get(key);
    if (proposed) {
      const shift = proposed.shift_periods || 0;
      const own = i18n.date(proposed.own_start) + " – " + i18n.date(proposed.own_end);
      body.appendChild(h("p", { class: "facts programme", "data-testid": "plan-programme" },
        t("plan.programme", { period: proposed.period, from: i18n.date(proposed.start), to: i18n.date(proposed.end) }), " · ",
        shift ? t("plan.programme.shift", { n: Math.abs(shift), own,
          dir: t(shift < 0 ? "plan.programme.earlier" : "plan.programme.later") }) : t("plan.programme.same")));
    }

    // Couplings and conflicts with their explanations.
    const analysed = analysis.analysed_at ? t("plan.analysed", { at: i18n.dateTime(analysis.analysed_at) }) : t("plan.notanalysed");
    const cSec = h("section", { class: "sec", id: "plan-couplings", "data-testid": "plan-couplings" },
      h("h3", null, t("plan.couplings"), " ", h("span", { class: "badge green" }, String(analysis.couplings.length))));
    if (!analysis.couplings.length) cSec.appendChild(h("p", { class: "muted" }, t("plan.none.couplings")));
    analysis.couplings.slice().sort((a, b) => b.score - a.score).forEach((c) => {
      const other = c.a === key ? c.b : c.a;
      const ex = c.explanation || {};
      const meta = [t("plan.distance", { d: i18n.number(c.distance_m) }), t("plan.gap", { d: c.gap_days })];
      if (ex.saving_eur) meta.push(t("plan.saving", { v: i18n.number(ex.saving_eur, 0) }));
      meta.push(t("plan.score", { s: i18n.number(c.score, 2) }));
      cSec.appendChild(h("article", { class: "pair coupling", "data-partner": other,
        onmouseenter: () => { S.hoverKeys = [other]; updateHalos(); },
        onmouseleave: () => { S.hoverKeys = null; updateHalos(); } },
      partnerLink(other),
      h("p", { class: "coupling-text", "data-testid": "coupling-text" }, ex.text || ""),
      h("p", { class: "muted small" }, meta.join(" · "))));
    });
    body.appendChild(cSec);

    const fSec = h("section", { class: "sec", id: "plan-conflicts", "data-testid": "plan-conflicts" },
      h("h3", null, t("plan.conflicts"), " ", h("span", { class: "badge red" }, String(analysis.conflicts.length))));
    if (!analysis.conflicts.length) fSec.appendChild(h("p", { class: "muted" }, t("plan.none.conflicts")));
    analysis.conflicts.forEach((c) => {
      const other = c.renewal === key ? c.plan : c.renewal;
      const role = c.renewal === key ? t("plan.digger") : t("plan.renewal");
      fSec.appendChild(h("article", { class: "pair conflict", "data-partner": other,
        onmouseenter: () => { S.hoverKeys = [other]; updateHalos(); },
        onmouseleave: () => { S.hoverKeys = null; updateHalos(); } },
      partnerLink(other, role),
      h("p", { class: "conflict-text", "data-testid": "conflict-text" }, (c.explanation || {}).text || ""),
      h("p", { class: "muted small" }, t("plan.overlap", { d: c.overlap_days }))));
    });
    body.appendChild(fSec);

    // Pairs with plans this user may not see: only area and quarter ("een niet-genoemde partij ...").
    const hidden = analysis.undisclosed || [];
    if (hidden.length) {
      const uSec = h("section", { class: "sec", id: "plan-undisclosed", "data-testid": "plan-undisclosed" },
        h("h3", null, t("undisclosed.title"), " ", h("span", { class: "badge" }, String(hidden.length))));
      hidden.forEach((u) => uSec.appendChild(h("p", { class: "undisclosed-text" }, i18n.lang === "en" ? u.text_en : u.text)));
      body.appendChild(uSec);
    }
    body.appendChild(h("p", { class: "muted small" }, analysed));

    // All attributes.
    const dl = h("dl", { class: "attrs" });
    const fields = ["id", "owner", "phase", "hardness", "asset_types", "themes", "programme", "area", "start", "end",
      "earliest_start", "latest_end", "duration_days", "phase_planning", "excavation", "surface_renewal", "budget_eur",
      "dwellings", "contact", "visibility", "version", "updated_at", "source"];
    fields.forEach((k) => {
      const v = formatField(k, p[k]);
      if (v === "" || v === null) return;
      dl.appendChild(h("dt", null, t("field." + k)));
      dl.appendChild(h("dd", { "data-field": k }, v));
    });
    body.appendChild(h("section", { class: "sec" }, h("h3", null, t("plan.attributes")), dl));

    // History.
    const hSec = h("section", { class: "sec", id: "plan-history", "data-testid": "plan-history" }, h("h3", null, t("plan.history")));
    const entries = (hist.history || []).slice().reverse();
    if (!entries.length) hSec.appendChild(h("p", { class: "muted" }, t("plan.none.history")));
    const ol = h("ol", { class: "history" });
    entries.forEach((e) => {
      const changed = changedFields(e.before, e.after);
      ol.appendChild(h("li", null,
        h("div", null, h("strong", null, t("history." + e.action) || e.action), " · ", i18n.dateTime(e.at), " · ",
          t("history.by", { actor: e.actor }), e.version ? " · " + t("history.version", { v: e.version }) : ""),
        changed.length ? h("div", { class: "muted small" }, t("history.changed", { fields: changed.map((k) => t("field." + k)).join(", ") })) : null));
    });
    hSec.appendChild(ol);
    body.appendChild(hSec);

    // IDS check of a version (bim-ids): the newest report (Dutch HTML) and its BCF, filled in when known.
    function idsLinks(versionId) {
      const span = h("span", { class: "ids-links", "data-testid": "ids-links" });
      getJSON("/api/bim/versions/" + versionId + "/checks").then((checks) => {
        const last = checks.filter((c) => c.status !== "error").pop();
        if (!last) return;
        const base = "/api/bim/versions/" + versionId + "/checks/" + last.id;
        span.append(" · ", h("a", { href: base + "/report.html", target: "_blank", rel: "noopener" },
          t(last.status === "pass" ? "bim.ids.pass" : "bim.ids.fail")),
        " · ", h("a", { href: base + "/report.bcf", download: "ids-" + versionId + ".bcf" }, t("bim.ids.bcf")));
      }).catch(() => {});
      return span;
    }

    // BIM models (issue 14): every version, newest first, with the original to download.
    const bSec = h("section", { class: "sec", id: "plan-bim", "data-testid": "plan-bim" }, h("h3", null, t("plan.bim")));
    if (!models.length) bSec.appendChild(h("p", { class: "muted" }, t("plan.none.bim")));
    models.forEach((m) => {
      const list = h("ol", { class: "history" });
      m.versions.slice().reverse().forEach((v) => {
        list.appendChild(h("li", { "data-version": String(v.id) },
          h("div", null, h("strong", null, m.label), " · ", t("bim.version", { v: v.version }), " · ", i18n.dateTime(v.created_at)),
          h("div", { class: "muted small" }, v.schema + " · " + v.file_name + " · " + (v.metadata.footprint_area_m2 || "-") + " m² · "
            + (v.top_m === null ? "" : v.top_m + " m")),
          h("a", { href: "/api/bim/versions/" + v.id + "/file", download: v.file_name }, t("bim.download")),
          idsLinks(v.id)));
      });
      bSec.appendChild(list);
    });
    body.appendChild(bSec);
    body.appendChild(ruleCheckSection(p.owner, p.id));
    // Working together (collab.js): tabs Discussie and Documenten, decisions in the overview and history.
    if (OR.collab) OR.collab.planPanel(key, body, () => S.selected === key, { tab: S.collabTab });
    S.collabTab = null;
    if (OR.reactions) body.appendChild(await OR.reactions.section(key)); // residents' reactions (#16)
    if (OR.rulesEnv) body.appendChild(OR.rulesEnv.section(key)); // clearance and shadow (#15, rules-env.js)
  }

  /** Plan rules (issue 15): the newest check of the plan's design, its results and history, a button to check now. */
  function ruleCheckSection(owner, id) {
    const base = "/api/plans/" + encodeURIComponent(owner) + "/" + encodeURIComponent(id) + "/rulecheck";
    const sec = h("section", { class: "sec", id: "plan-rulecheck", "data-testid": "plan-rulecheck" }, h("h3", null, t("rules.title")));
    const content = h("div", { "data-testid": "rulecheck-content" }, h("p", { class: "muted" }, "…"));
    sec.appendChild(content);
    const statusClass = { pass: "good", fail: "red", cannot_check: "warn", not_applicable: "" };
    const render = (doc, hist) => {
      clear(content);
      if (!doc) {
        content.appendChild(h("p", { class: "muted" }, t("rules.none")));
      } else {
        content.appendChild(h("p", null,
          h("span", { class: "badge " + (statusClass[doc.status] || ""), "data-testid": "rulecheck-status", "data-status": doc.status },
            t("rules.status." + doc.status)),
          " · ", doc.model ? (doc.model.ref || doc.model.file_name) : t("rules.subject.plan"),
          " · ", i18n.dateTime(doc.created_at)));
        const ul = h("ul", { class: "rulecheck-results" });
        doc.results.forEach((r) => {
          ul.appendChild(h("li", { "data-check": r.check, "data-status": r.status, class: "rc-" + r.status },
            h("strong", null, i18n.lang === "en" ? r.name_en : r.name_nl), ": ",
            h("span", { class: "badge " + (statusClass[r.status] || "") }, t("rules.status." + r.status)), " ",
            h("span", { class: "small" }, i18n.lang === "en" ? r.message_en : r.message_nl),
            r.plan_id ? h("div", { class: "muted small" }, r.plan_id + (r.article ? " · " + r.article : "")) : null));
        });
        content.appendChild(ul);
        if (hist && hist.length > 1) {
          const steps = hist.slice().reverse().map((x) => t("rules.status." + x.status));
          content.appendChild(h("p", { class: "muted small", "data-testid": "rulecheck-history" }, t("rules.history") + ": " + steps.join(" → ")));
        }
        content.appendChild(h("a", { href: base + "?format=html", target: "_blank", rel: "noopener" }, t("rules.report")));
      }
      content.appendChild(h("button", { type: "button", class: "btn small", "data-testid": "rulecheck-run", onclick: async (ev) => {
        ev.target.disabled = true;
        try {
          await getJSON(base, { method: "POST" });
          await load();
          loadRules();
        } catch (err) {
          content.appendChild(h("p", { class: "muted small error" }, String(err.message || err)));
          ev.target.disabled = false;
        }
      } }, t("rules.run")));
    };
    // the history first (an unchecked plan has none: no 404 in the console), then its newest run
    const load = () => getJSON(base + "/history").catch(() => [])
      .then((hist) => (hist.length ? getJSON(base + "/" + hist[0].id).catch(() => null) : Promise.resolve(null))
        .then((doc) => render(doc, hist)));
    load();
    return sec;
  }

  function partnerLink(other, role) {
    const f = planFeature(other);
    const [owner] = splitKey(other);
    const name = f ? f.properties.name : other;
    return h("div", { class: "pair-head" },
      h("span", { class: "swatch", style: { background: f ? colourOf(f.properties) : OR.util.FALLBACK } }),
      h("button", { type: "button", class: "link-btn strong", "data-key": other, onclick: () => selectPlan(other, { fly: true }) }, name),
      h("span", { class: "muted small" }, " · " + (S.orgName[owner] || owner) + (role ? " (" + role + ")" : "")));
  }

  function changedFields(before, after) {
    if (!before || !after) return [];
    return Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  }

  function splitKey(key) {
    const i = key.indexOf(":");
    return [key.slice(0, i), key.slice(i + 1)];
  }

  function formatField(k, v) {
    if (v === null || v === undefined || (Array.isArray(v) && !v.length)) return "";
    switch (k) {
      case "owner": return S.orgName[v] || v;
      case "phase": return i18n.term("phase", v);
      case "hardness": return i18n.term("hardness", v);
      case "visibility": return i18n.term("visibility", v);
      case "asset_types": return v.map((x) => i18n.term("asset", x)).join(", ");
      case "themes": return v.map((x) => i18n.term("theme", x)).join(", ");
      case "area": return S.areaName[v] ? S.areaName[v] + " (" + v + ")" : v;
      case "start": case "end": case "earliest_start": case "latest_end": return i18n.date(v);
      case "updated_at": return i18n.dateTime(v);
      case "budget_eur": return i18n.euro(v);
      case "excavation": case "surface_renewal": return v ? t("yes") : t("no");
      case "phase_planning":
        return String(v).split(";").map((part) => {
          const [ph, w] = part.split(":");
          const [s, e] = (w || "").split("/");
          return i18n.term("phase", ph) + ": " + (s === ".." ? "…" : i18n.date(s)) + " – " + (e === ".." ? "…" : i18n.date(e));
        }).join("; ");
      default: return typeof v === "number" ? i18n.number(v, 2) : String(v);
    }
  }

  /* ============================================================ map interaction */

  function bindMapEvents() {
    popup = new maplibregl.Popup({ closeButton: true, maxWidth: "340px", className: "or-popup" });
    hoverPopup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, offset: 12, className: "or-tip" });
    const hoverable = PLAN_LAYERS.concat(["couplings-node", "conflicts-node", "candidates", "capacity"]);
    map.on("mousemove", (e) => {
      const layers = hoverable.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, "visibility") !== "none");
      const feats = map.queryRenderedFeatures(pad(e.point, 4), { layers });
      map.getCanvas().style.cursor = feats.length ? "pointer" : "";
      const f = feats[0];
      let key = null;
      let hoverPair = null;
      if (f && PLAN_LAYERS.includes(f.layer.id)) {
        key = f.properties.key;
        hoverPopup.setLngLat(e.lngLat).setText(f.properties.name).addTo(map);
      } else if (f && (f.layer.id === "couplings-node" || f.layer.id === "conflicts-node")) {
        hoverPair = f.properties.kind + ":" + f.properties.i;
        hoverPopup.setLngLat(e.lngLat).setText(pairTitle(f.properties)).addTo(map);
      } else if (f && f.layer.id === "capacity") {
        hoverPopup.setLngLat(e.lngLat).setText(f.properties.name).addTo(map);
      } else {
        hoverPopup.remove();
      }
      if (key !== S.hover || hoverPair !== S.hoverPair) {
        S.hover = key;
        const changedPair = hoverPair !== S.hoverPair;
        S.hoverPair = hoverPair;
        S.hoverKeys = hoverPair ? [f.properties.a, f.properties.b] : null;
        updateHalos();
        if (changedPair) renderCouplings();
        if (timeline) timeline.setHover(key || null);
      }
    });
    map.getCanvas().addEventListener("mouseleave", () => { hoverPopup.remove(); });

    map.on("click", (e) => {
      hoverPopup.remove();
      const order = ["couplings-node", "conflicts-node", "capacity", "candidates"].concat(PLAN_LAYERS,
        ["space", "assets-point", "assets-line", "assets-fill"], envLayerIds(), ["streets", "areas-fill"]);
      const layers = order.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, "visibility") !== "none");
      const feats = map.queryRenderedFeatures(pad(e.point, 5), { layers });
      if (!feats.length) { popup.remove(); return; }
      feats.sort((a, b) => order.indexOf(a.layer.id) - order.indexOf(b.layer.id));
      const f = feats[0];
      const id = f.layer.id;
      if (PLAN_LAYERS.includes(id)) {
        const keys = Array.from(new Set(feats.filter((x) => PLAN_LAYERS.includes(x.layer.id)).map((x) => x.properties.key)));
        if (keys.length > 1) showPlansPopup(e.lngLat, keys);
        else popup.remove();
        selectPlan(keys[0]);
      } else if (id === "couplings-node" || id === "conflicts-node") showPairPopup(e.lngLat, f.properties);
      else if (id === "capacity") showCapacityPopup(e.lngLat, f.properties);
      else if (id === "candidates") showCandidatePopup(e.lngLat, f.properties);
      else if (id === "space") showSpacePopup(e.lngLat, f.properties);
      else if (id.startsWith("assets-")) showAssetPopup(e.lngLat, f.properties);
      else if (id.startsWith("env-")) showEnvPopup(e.lngLat, f);
      else if (id === "streets") showPopup(e.lngLat, t("popup.street"), [[t("field.name"), f.properties.name], [t("field.kind"), f.properties.kind]]);
      else if (id === "areas-fill") {
        popup.remove();
        const code = f.properties.code;
        S.selectedBuurt = S.selectedBuurt === code ? null : code;
        S.timelineScope = S.selectedBuurt ? "buurt" : "view";
        document.getElementById("timeline-scope").value = S.selectedBuurt ? "buurt:" + code : "view";
        updateBuurtHighlight();
        renderTimeline();
      }
    });
  }

  function pad(p, r) {
    return [[p.x - r, p.y - r], [p.x + r, p.y + r]];
  }

  function planName(key) {
    const f = planFeature(key);
    return f ? f.properties.name : key;
  }

  function pairTitle(props) {
    return (props.kind === "coupling" ? t("popup.coupling") : t("popup.conflict")) + ": " + planName(props.a) + " ↔ " + planName(props.b);
  }

  function showPopup(lngLat, title, rows, extra) {
    const node = h("div", { class: "pop" }, h("h4", null, title),
      h("table", null, rows.filter((r) => r[1] !== "" && r[1] !== null && r[1] !== undefined)
        .map((r) => h("tr", null, h("th", null, r[0]), h("td", null, String(r[1]))))), extra || null);
    popup.setLngLat(lngLat).setDOMContent(node).addTo(map);
    return node;
  }

  function showPlansPopup(lngLat, keys) {
    const node = h("div", { class: "pop" }, h("h4", null, t("popup.plans")),
      h("ul", { class: "plain" }, keys.map((k) => {
        const f = planFeature(k);
        return h("li", null, h("span", { class: "swatch", style: { background: f ? colourOf(f.properties) : OR.util.FALLBACK } }),
          h("button", { type: "button", class: "link-btn", onclick: () => selectPlan(k) }, planName(k)));
      })));
    popup.setLngLat(lngLat).setDOMContent(node).addTo(map);
  }

  function showPairPopup(lngLat, props) {
    const res = S.analysis.plans;
    const item = props.kind === "coupling" ? res.couplings[props.i] : res.conflicts[props.i];
    if (!item) return;
    const a = props.a;
    const b = props.b;
    const node = h("div", { class: "pop " + props.kind },
      h("h4", null, props.kind === "coupling" ? t("popup.coupling") : t("popup.conflict")),
      h("p", null, (item.explanation || {}).text || ""),
      h("ul", { class: "plain" }, [a, b].map((k) => h("li", null,
        h("button", { type: "button", class: "link-btn", onclick: () => { popup.remove(); selectPlan(k); } }, "→ " + planName(k))))));
    popup.setLngLat(lngLat).setDOMContent(node).addTo(map);
  }

  function showCapacityPopup(lngLat, p) {
    const el = S.capacityById && S.capacityById[p.system + ":" + p.id];
    const rows = [[t("field.kind"), p.kind], [t("field.owner"), S.orgName[p.owner] || p.owner],
      [t("field.capacity"), i18n.number(p.capacity, 0) + " " + (p.unit || "")],
      [t("field.load"), i18n.number(p.load, 0) + " " + (p.unit || "") + " (" + i18n.number(100 * (p.utilisation || 0), 0) + "%)"]];
    let extra = null;
    if (el) {
      rows.push([t("field.exceeded_year"), el.exceeded_year || t("never")]);
      rows.push([t("field.margin"), i18n.number(el.margin, 0) + " " + (el.unit || "")]);
      if (el.plans && el.plans.length) {
        extra = h("ul", { class: "plain small" }, el.plans.map((x) => h("li", null,
          h("button", { type: "button", class: "link-btn", onclick: () => selectPlan(x.plan, { fly: true }) }, planName(x.plan)),
          " · " + x.year + " · +" + i18n.number(x.added, 0) + " kW (" + x.dwellings + " " + t("field.dwellings").toLowerCase() + ")")));
      }
    }
    showPopup(lngLat, p.name, rows, extra);
  }

  function showCandidatePopup(lngLat, p) {
    const items = (S.candidatesByStreet || {})[p.street_id] || [];
    const node = showPopup(lngLat, t("popup.candidates") + ": " + p.street_name, [
      [t("field.first_year"), p.first_year], [t("field.assets"), p.assets], [t("field.cost_eur"), i18n.euro(p.cost_eur)]]);
    node.appendChild(h("ul", { class: "plain small" }, items.map((c) => h("li", null,
      h("span", { class: "swatch", style: { background: OR.util.ASSET_COLORS[c.asset_type] || OR.util.FALLBACK } }),
      i18n.term("asset", c.asset_type) + " · " + (S.orgName[c.owner] || c.owner) + " · " + c.first_year +
        (c.last_year !== c.first_year ? "–" + c.last_year : "") + " · " + t("candidates.assets", { n: c.assets }) +
        " · " + Object.entries(c.reasons || {}).map(([k, v]) => i18n.term("reason", k) + " " + v).join(", ")))));
  }

  function showSpacePopup(lngLat, props) {
    const s = (S.analysis.space.does_not_fit || []).find((x) => x.street_id === props.id);
    if (!s) return;
    showPopup(lngLat, t("popup.space") + ": " + s.name, [
      [t("field.profile_width_m"), i18n.number(s.profile_width_m)], [t("field.occupied_m"), i18n.number(s.occupied_m)],
      [t("field.free_m"), i18n.number(s.free_m)], [t("field.required_m"), i18n.number(s.required_m) + " (" + i18n.term("asset", S.analysis.space.network) + ")"],
      [t("field.planned_by"), (s.planned_by || []).map(planName).join(", ")]]);
  }

  async function showAssetPopup(lngLat, p) {
    const rows = (full) => {
      const r = Object.assign({}, p, full || {});
      return [[t("field.key"), r.key || (r.owner + ":" + r.id)], [t("field.asset_type"), i18n.term("asset", r.asset_type)],
        [t("field.bronhouder"), S.orgName[r.owner] || r.owner], [t("field.depth_m"), r.depth_m === undefined ? "" : i18n.number(r.depth_m, 2)],
        [t("field.material"), r.material], [t("field.diameter_mm"), r.diameter_mm], [t("field.install_year"), r.install_year],
        [t("field.condition"), r.condition], [t("field.due_year"), r.due_year || r.replacement_year],
        [t("field.imbor_type"), r.imbor_type], [t("field.source"), r._source]];
    };
    showPopup(lngLat, t("popup.asset"), rows());
    // The tile has the essentials; the full record (material, diameter, attributes) comes from /api/assets.
    try {
      const d = 0.0004;
      const box = [lngLat.lng - d, lngLat.lat - d, lngLat.lng + d, lngLat.lat + d].join(",");
      const fc = await getJSON("/api/assets?limit=500&bbox=" + box + "&asset_type=" + encodeURIComponent(p.asset_type));
      const hit = fc.features.find((x) => x.id === p.key);
      if (hit && popup.isOpen()) {
        const full = hit.properties;
        const attrs = full.attributes || {};
        full._source = attrs.source || attrs.bron || attrs.dataset || "";
        const node = showPopup(lngLat, t("popup.asset"), rows(full));
        node.dataset.full = "true";
        const extra = Object.entries(attrs).filter(([k]) => !["source", "bron", "dataset"].includes(k));
        if (extra.length) {
          node.appendChild(h("table", { class: "small" }, extra.map(([k, v]) => h("tr", null, h("th", null, attrLabel(k)),
            h("td", null, typeof v === "number" ? i18n.number(v, 2) : String(v))))));
        }
      }
    } catch (e) { /* the tile's attributes stay */ }
  }

  /* Labels of the free attributes assets carry (the store's "attributes"); others show their key. */
  const ATTR = {
    street: ["straat", "street"], street_id: ["straatvak", "street segment"], offset_m: ["ligging t.o.v. as (m)", "offset from axis (m)"],
    pipes: ["leidingen", "pipes"], voltage: ["spanning", "voltage"], ducts: ["mantelbuizen", "ducts"], species: ["soort", "species"],
    height_m: ["hoogte (m)", "height (m)"], crown_diameter_m: ["kroondiameter (m)", "crown diameter (m)"], system: ["stelsel", "system"],
    lamp: ["lamp", "lamp"], mast_height_m: ["masthoogte (m)", "mast height (m)"], pressure: ["druk", "pressure"],
    last_renewal_year: ["laatst vernieuwd", "last renewed"], kind: ["soort", "kind"], status: ["status", "status"],
  };

  function attrLabel(k) {
    return ATTR[k] ? ATTR[k][i18n.lang === "en" ? 1 : 0] : k.replace(/_/g, " ");
  }

  function showEnvPopup(lngLat, f) {
    const name = f.layer.id.replace(/^env-/, "").replace(/-(fill|line)$/, "");
    const meta = S.envMeta.find((m) => m.name === name) || {};
    const p = f.properties;
    let attrs = {};
    try { attrs = typeof p.attributes === "string" ? JSON.parse(p.attributes) : (p.attributes || {}); } catch (e) { attrs = {}; }
    showPopup(lngLat, i18n.term("layer", name), [
      [t("field.value"), p.value === undefined || p.value === null ? "" : i18n.number(p.value, 2) + (meta.unit ? " " + meta.unit : "")],
      [t("field.value_class"), p.value_class], [t("field.name"), attrs.name]]);
  }

  function updateBuurtHighlight() {
    if (!map || !map.getLayer("areas-selected")) return;
    map.setFilter("areas-selected", ["==", ["get", "code"], S.selectedBuurt || "__none__"]);
  }

  /* ============================================================ layers panel */

  function layerToggle(id, label, checked, onChange, note) {
    const input = h("input", { type: "checkbox", id: "layer-" + id, "data-layer": id });
    input.checked = checked;
    input.addEventListener("change", () => onChange(input.checked));
    return h("div", { class: "layer-row", "data-testid": "layer-" + id },
      h("label", { for: "layer-" + id }, input, " ", label), note ? h("div", { class: "muted small note", id: "note-" + id }, note) : null);
  }

  function buildLayerList() {
    const box = clear(document.getElementById("layer-list"));
    const res = S.analysis;
    box.appendChild(h("h3", null, t("layer.analysis")));
    box.appendChild(layerToggle("couplings", h("span", null, h("span", { class: "sym coupling" }), t("layer.couplings")), S.layers.couplings,
      (on) => { S.layers.couplings = on; renderCouplings(); renderLegend(); },
      res.plans ? String(res.plans.couplings.length) : t("layer.none")));
    box.appendChild(layerToggle("conflicts", h("span", null, h("span", { class: "sym conflict" }), t("layer.conflicts")), S.layers.conflicts,
      (on) => { S.layers.conflicts = on; renderCouplings(); renderLegend(); },
      res.plans ? String(res.plans.conflicts.length) : t("layer.none")));
    box.appendChild(layerToggle("candidates", t("layer.candidates"), S.layers.candidates, (on) => toggleCandidates(on), candidateNote()));
    box.appendChild(layerToggle("capacity", t("layer.capacity"), S.layers.capacity, (on) => toggleCapacity(on), capacityNote()));
    box.appendChild(layerToggle("space", t("layer.space"), S.layers.space, (on) => toggleSpace(on), spaceNote()));

    box.appendChild(h("h3", null, t("layer.env")));
    const envBox = h("div", { id: "env-layers" });
    box.appendChild(envBox);
    renderEnvToggles();

    box.appendChild(h("h3", null, t("layer.base")));
    box.appendChild(layerToggle("assets", t("layer.assets"), S.layers.assets, (on) => {
      S.layers.assets = on;
      setVisible(["assets-fill", "assets-line", "assets-point"], on);
      updateAssetHint();
      renderLegend();
    }, ""));
    box.appendChild(layerToggle("areas", t("layer.areas"), S.layers.areas, (on) => {
      S.layers.areas = on;
      setVisible(["areas-wijk", "areas-buurt", "areas-gemeente"], on);
      labelMarkers.forEach((m) => { m.getElement().hidden = !on; });
    }));
    box.appendChild(layerToggle("streets", t("layer.streets"), S.layers.streets, (on) => {
      S.layers.streets = on;
      setVisible(["streets", "streets-casing"], on);
      if (S.streetLabels) S.streetLabels.setVisible(on);
    }));
    box.appendChild(layerToggle("bim", t("layer.bim"), S.layers.bim, (on) => {
      S.layers.bim = on;
      setVisible(["bim-fill", "bim-outline"], on);
    }, S.bimCount === undefined ? "" : String(S.bimCount)));
    box.appendChild(layerToggle("rules", t("layer.rules"), S.layers.rules, (on) => {
      S.layers.rules = on;
      setVisible(["rules-vlak", "rules-vlak-line", "rules-bouwvlak", "rule-outside-fill", "rule-outside-line"], on);
    }, S.rulesCount === undefined ? "" : String(S.rulesCount)));
    updateAssetHint();
  }

  function updateAssetHint() {
    const note = document.getElementById("note-assets");
    if (!note || !map) return;
    note.textContent = S.layers.assets && map.getZoom() < 14 ? t("layer.zoomin") : "";
  }

  function candidateNote() {
    const c = S.analysis.candidates;
    if (c === null) return "…";
    if (!c) return t(S.coordinatorOnly ? "layer.coordinator" : "layer.none");
    return t("candidates.summary", { n: i18n.number(c.candidates.length, 0), cost: i18n.number(c.total_cost_eur / 1e6, 1) + " mln" });
  }

  function capacityNote() {
    const c = S.analysis.capacity;
    if (c === null) return "…";
    if (!c) return t(S.coordinatorOnly ? "layer.coordinator" : "layer.none");
    return t("capacity.summary", { n: c.elements.filter((e) => e.exceeded_year).length });
  }

  function spaceNote() {
    const c = S.analysis.space;
    if (c === null) return "…";
    if (!c) return t(S.coordinatorOnly ? "layer.coordinator" : "layer.none");
    return t("space.summary", { n: (c.does_not_fit || []).length });
  }

  async function loadAnalysisLayers() {
    // Replacement candidates, capacity and space are the coordinator's analyses: others do not ask.
    const me = await getJSON("/api/session").catch(() => ({}));
    S.coordinatorOnly = me.role !== "coordinator";
    const get = (kind) => (me.role === "coordinator"
      ? getJSON("/api/analysis/" + kind).then((d) => d.result).catch(() => false)
      : Promise.resolve(false));
    const [cand, cap, space, programme, layers] = await Promise.all([get("candidates"), get("capacity"), get("space"),
      getJSON("/api/analysis").then((d) => ("programme" in d.analyses ? get("programme") : false)).catch(() => false),
      getJSON("/api/layers").catch(() => [])]);
    loadBimFootprints();
    loadRules();
    // The proposed programme (openruimte plan): per plan its proposed and own period, shown in the plan panel.
    S.analysis.programme = programme ? new Map((programme.plans || []).map((e) => [e.key, e])) : null;
    S.analysis.candidates = cand;
    S.analysis.capacity = cap;
    S.analysis.space = space;
    S.envMeta = layers;
    if (space) map.setFilter("space", ["in", ["get", "id"], ["literal", space.does_not_fit.map((s) => s.street_id)]]);
    buildLayerList();
  }

  /** Plan rules (issue 15): bestemmingsvlakken and bouwvlakken, and the parts of checked designs outside them. */
  async function loadRules() {
    const [rules, outside] = await Promise.all([
      getJSON("/api/rules?kind=bestemmingsvlak,bouwvlak&limit=10000").catch(() => emptyFC()),
      getJSON("/api/rulecheck/outside").catch(() => emptyFC())]);
    S.rulesCount = rules.features.length;
    if (map.getSource("rules")) map.getSource("rules").setData(rules);
    if (map.getSource("rule-outside")) map.getSource("rule-outside").setData(outside);
    document.getElementById("map").dataset.ruleOutside = String(outside.features.length);
    const note = document.getElementById("note-rules");
    if (note) note.textContent = String(S.rulesCount);
  }

  /** BIM models (issue 14): footprints of the models of the visible plans. */
  async function loadBimFootprints() {
    const fc = await getJSON("/api/bim/footprints").catch(() => emptyFC());
    S.bimCount = fc.features.length;
    if (map.getSource("bim")) map.getSource("bim").setData(fc);
    const note = document.getElementById("note-bim");
    if (note) note.textContent = String(S.bimCount);
  }

  /* Area names as HTML labels (no glyph server offline). */
  function addAreaLabels() {
    labelMarkers.forEach((m) => m.remove());
    labelMarkers.length = 0;
    S.buurten.forEach((f) => {
      const at = OR.util.anchor(f.geometry);
      const el = h("button", { type: "button", class: "area-label", "data-area": f.properties.code, title: f.properties.code,
        onclick: () => {
          S.selectedBuurt = f.properties.code;
          S.timelineScope = "buurt";
          document.getElementById("timeline-scope").value = "buurt:" + f.properties.code;
          updateBuurtHighlight();
          renderTimeline();
        } }, f.properties.name);
      el.hidden = !S.layers.areas;
      labelMarkers.push(new maplibregl.Marker({ element: el }).setLngLat(at).addTo(map));
    });
    const syncLabels = () => {
      const z = map.getZoom();
      document.body.classList.toggle("labels-small", z < 13);
      document.body.classList.toggle("labels-hidden", z < 11.5 || z > 16.5);
    };
    map.on("zoom", syncLabels);
    syncLabels();
  }

  async function ensureStreets() {
    if (S.streets) return S.streets;
    if (!S.streetsPromise) {
      S.streetsPromise = getJSON("/api/streets").then((fc) => {
        S.streets = fc;
        S.streetById = {};
        fc.features.forEach((f) => { S.streetById[f.properties.id] = f; });
        return fc;
      });
    }
    return S.streetsPromise;
  }

  async function toggleCandidates(on) {
    S.layers.candidates = on;
    setVisible(["candidates"], on);
    document.getElementById("candidate-list").hidden = !on;
    if (on && S.analysis.candidates && !S.candidatesBuilt) {
      await ensureStreets();
      const res = S.analysis.candidates;
      const first = res.parameters.first_year || YEAR_MIN;
      const last = res.parameters.last_year || YEAR_MAX;
      const byStreet = {};
      res.candidates.forEach((c) => { (byStreet[c.street_id] = byStreet[c.street_id] || []).push(c); });
      S.candidatesByStreet = byStreet;
      const feats = [];
      Object.entries(byStreet).forEach(([sid, items]) => {
        const st = S.streetById[sid];
        if (!st) return;
        const y = Math.min.apply(null, items.map((c) => c.first_year));
        feats.push({ type: "Feature", geometry: { type: "Point", coordinates: OR.util.anchor(st.geometry) },
          properties: { street_id: sid, street_name: items[0].street_name || st.properties.name, first_year: y,
            assets: items.reduce((s, c) => s + c.assets, 0), cost_eur: items.reduce((s, c) => s + (c.cost_eur || 0), 0),
            _c: OR.util.yearColor(y, first, last) } });
      });
      feats.sort((a, b) => b.properties.first_year - a.properties.first_year); // soonest drawn on top
      S.candidateFeatures = feats;
      map.getSource("candidates").setData({ type: "FeatureCollection", features: feats });
      S.candidatesBuilt = true;
    }
    renderCandidateList();
    renderLegend();
  }

  function renderCandidateList() {
    const box = clear(document.getElementById("candidate-list"));
    if (!S.layers.candidates || !S.candidateFeatures) return;
    const b = map.getBounds();
    const view = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    const inView = S.candidateFeatures.filter((f) => {
      const c = f.geometry.coordinates;
      return c[0] >= view[0] && c[0] <= view[2] && c[1] >= view[1] && c[1] <= view[3];
    }).sort((a, b) => a.properties.first_year - b.properties.first_year || b.properties.cost_eur - a.properties.cost_eur).slice(0, 50);
    box.appendChild(h("h4", null, t("candidates.inview")));
    box.appendChild(h("ul", { class: "plain" }, inView.map((f) => {
      const p = f.properties;
      return h("li", null, h("button", { type: "button", class: "cand", onclick: () => {
        map.flyTo({ center: f.geometry.coordinates, zoom: Math.max(map.getZoom(), 16) });
        showCandidatePopup({ lng: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] }, p);
      } }, h("span", { class: "swatch", style: { background: p._c } }), h("span", { class: "cand-year" }, String(p.first_year)),
      h("span", { class: "cand-main" }, h("span", null, p.street_name),
        h("span", { class: "muted small" }, t("candidates.assets", { n: p.assets }) + " · " + i18n.euro(p.cost_eur)))));
    })));
  }

  async function toggleCapacity(on) {
    S.layers.capacity = on;
    if (on && !S.vital) {
      try { S.vital = await getJSON("/api/vital"); } catch (e) { S.vital = emptyFC(); }
      const cap = S.analysis.capacity;
      S.capacityById = {};
      if (cap) cap.elements.forEach((el) => { S.capacityById[el.system + ":" + el.id] = el; });
      const first = cap ? cap.parameters.first_year : YEAR_MIN;
      const last = cap ? cap.parameters.last_year : YEAR_MAX;
      S.vital.features.forEach((f) => {
        const p = f.properties;
        const el = S.capacityById[p.system + ":" + p.id];
        p.exceeded_year = el ? el.exceeded_year : null;
        p._c = el ? (el.exceeded_year ? OR.util.yearColor(el.exceeded_year, first, last) : "#2f9e44") : "#adb5bd";
      });
      map.getSource("capacity").setData(S.vital);
      S.capacityMarkers = S.vital.features.filter((f) => f.properties.exceeded_year).map((f) =>
        new maplibregl.Marker({ element: h("div", { class: "cap-label" }, "⚠ " + f.properties.exceeded_year), anchor: "left", offset: [14, 0] })
          .setLngLat(f.geometry.coordinates));
    }
    setVisible(["capacity"], on);
    (S.capacityMarkers || []).forEach((m) => { if (on) m.addTo(map); else m.remove(); });
    renderLegend();
  }

  function toggleSpace(on) {
    S.layers.space = on;
    setVisible(["space"], on);
    renderLegend();
  }

  /* ------------------------------------------------------------ environment layers (choropleth) */

  function envLayerIds() {
    return Object.keys(S.env).filter((n) => S.env[n]).map((n) => "env-" + n + "-fill");
  }

  function renderEnvToggles() {
    const box = document.getElementById("env-layers");
    if (!box) return;
    clear(box);
    if (!S.envMeta.length) box.appendChild(h("p", { class: "muted small" }, "…"));
    S.envMeta.forEach((m) => {
      box.appendChild(layerToggle("env-" + m.name, i18n.term("layer", m.name) + (m.unit ? " (" + m.unit + ")" : ""), !!S.env[m.name],
        (on) => toggleEnv(m.name, on), m.description || ""));
    });
  }

  async function toggleEnv(name, on) {
    S.env[name] = on;
    const meta = S.envMeta.find((m) => m.name === name) || {};
    if (on && !S.envData[name]) {
      const fc = await getJSON("/api/layers/" + encodeURIComponent(name));
      const values = fc.features.map((f) => f.properties.value).filter((v) => typeof v === "number").sort((a, b) => a - b);
      const q = (p) => values[Math.min(values.length - 1, Math.floor(p * (values.length - 1)))];
      const stats = values.length ? { min: q(0.02), max: q(0.98) } : null;
      if (stats && stats.max === stats.min) stats.max = stats.min + 1;
      S.envData[name] = { fc, stats };
      map.addSource("env-" + name, { type: "geojson", data: fc });
      const worse = meta.higher_is_worse !== false;
      const ramp = worse ? ["#fff5eb", "#fdae6b", "#e6550d", "#7f2704"] : ["#7f2704", "#e6550d", "#fdae6b", "#fff5eb"];
      const color = stats
        ? ["case", ["==", ["typeof", ["get", "value"]], "number"],
          ["interpolate", ["linear"], ["get", "value"], stats.min, ramp[0], stats.min + (stats.max - stats.min) / 3, ramp[1],
            stats.min + (2 * (stats.max - stats.min)) / 3, ramp[2], stats.max, ramp[3]], "#4dabf7"]
        : "#4dabf7";
      S.envData[name].ramp = ramp;
      map.addLayer({ id: "env-" + name + "-fill", type: "fill", source: "env-" + name,
        paint: { "fill-color": color, "fill-opacity": stats ? 0.6 : 0.75, "fill-outline-color": "rgba(0,0,0,0)" } }, "env-anchor");
    }
    if (map.getLayer("env-" + name + "-fill")) setVisible(["env-" + name + "-fill"], on);
    renderLegend();
  }

  /* ============================================================ legend */

  function renderLegend() {
    const box = clear(document.getElementById("legend"));
    const by = t("color." + S.colorBy);
    box.classList.toggle("collapsed", !!S.legendCollapsed);
    box.appendChild(h("h3", null, h("button", { type: "button", class: "legend-toggle", "aria-expanded": String(!S.legendCollapsed),
      onclick: () => { S.legendCollapsed = !S.legendCollapsed; renderLegend(); } },
    h("span", { class: "chev", "aria-hidden": "true" }, S.legendCollapsed ? "▸" : "▾"), " ", t("legend.plans", { by }))));
    const counts = new Map();
    S.plans.forEach((f) => {
      const p = f.properties;
      const k = S.colorBy === "phase" ? p.phase : S.colorBy === "asset_type" ? (p.asset_types || [])[0] : p.owner;
      counts.set(k, (counts.get(k) || 0) + 1);
    });
    let keys = Array.from(counts.keys());
    if (S.colorBy === "phase") keys.sort((a, b) => S.config.phases.indexOf(a) - S.config.phases.indexOf(b));
    else keys.sort((a, b) => counts.get(b) - counts.get(a));
    const label = (k) => S.colorBy === "phase" ? i18n.term("phase", k) : S.colorBy === "asset_type" ? i18n.term("asset", k) : (S.orgName[k] || k);
    const ul = h("ul", { class: "legend-list" });
    keys.forEach((k) => {
      const color = S.colorBy === "phase" ? OR.util.PHASE_COLORS[k] : S.colorBy === "asset_type" ? OR.util.ASSET_COLORS[k] : S.ownerColor[k];
      ul.appendChild(h("li", { "data-value": k }, h("span", { class: "swatch", style: { background: color || OR.util.FALLBACK } }),
        h("span", { class: "lbl" }, label(k)), h("span", { class: "muted n" }, String(counts.get(k)))));
    });
    box.appendChild(ul);
    const extra = h("ul", { class: "legend-list extra" });
    if (S.layers.couplings && S.analysis.plans) extra.appendChild(h("li", null, h("span", { class: "sym coupling" }), t("legend.coupling")));
    if (S.layers.conflicts && S.analysis.plans) extra.appendChild(h("li", null, h("span", { class: "sym conflict" }), t("legend.conflict")));
    if (S.layers.candidates && S.analysis.candidates) {
      extra.appendChild(h("li", null, h("span", { class: "ramp years" }), t("legend.candidates"),
        h("span", { class: "muted small" }, " " + YEAR_MIN + "→" + YEAR_MAX)));
    }
    if (S.layers.capacity) {
      extra.appendChild(h("li", null, h("span", { class: "dot", style: { background: "#2f9e44" } }), t("legend.capacity.ok")));
      const ex = S.analysis.capacity ? S.analysis.capacity.elements.filter((e) => e.exceeded_year) : [];
      ex.forEach((e) => extra.appendChild(h("li", null, h("span", { class: "dot", style: { background: OR.util.yearColor(e.exceeded_year, YEAR_MIN, YEAR_MAX) } }),
        t("legend.capacity.exceeded", { year: e.exceeded_year }))));
      extra.appendChild(h("li", null, h("span", { class: "dot small", style: { background: "#adb5bd" } }), t("legend.capacity.other")));
    }
    if (S.layers.space && S.analysis.space) extra.appendChild(h("li", null, h("span", { class: "sym space" }), t("legend.space")));
    Object.keys(S.env).filter((n) => S.env[n] && S.envData[n]).forEach((n) => {
      const d = S.envData[n];
      const meta = S.envMeta.find((m) => m.name === n) || {};
      if (d.stats) {
        extra.appendChild(h("li", null, h("span", { class: "ramp", style: { background: "linear-gradient(90deg," + d.ramp.join(",") + ")" } }),
          i18n.term("layer", n), h("span", { class: "muted small" }, " " + i18n.number(d.stats.min) + "–" + i18n.number(d.stats.max) + (meta.unit ? " " + meta.unit : ""))));
      } else {
        extra.appendChild(h("li", null, h("span", { class: "swatch", style: { background: "#4dabf7" } }), i18n.term("layer", n)));
      }
    });
    if (S.layers.assets && map && map.getZoom() >= 14) {
      extra.appendChild(h("li", { class: "muted small" }, t("layer.assets")));
    }
    if (extra.childNodes.length) box.appendChild(extra);
  }

  /* ============================================================ timeline */

  function buildTimelineScope() {
    const sel = clear(document.getElementById("timeline-scope"));
    sel.appendChild(h("option", { value: "view" }, t("timeline.scope.view")));
    sel.appendChild(h("option", { value: "all" }, t("timeline.scope.all")));
    S.buurten.forEach((f) => sel.appendChild(h("option", { value: "buurt:" + f.properties.code },
      t("timeline.scope.buurt", { name: f.properties.name }))));
    sel.value = S.selectedBuurt ? "buurt:" + S.selectedBuurt : (S.timelineScope === "all" ? "all" : "view");
  }

  function toggleTimeline(force) {
    const el = document.getElementById("timeline");
    const open = force === undefined ? el.hidden : force;
    el.hidden = !open;
    document.body.classList.toggle("timeline-open", open);
    document.getElementById("timeline-toggle").setAttribute("aria-pressed", String(open));
    if (open) renderTimeline();
  }

  function timelinePlans() {
    const scope = S.timelineScope || "view";
    if (scope === "buurt" && S.selectedBuurt) return S.plans.filter((f) => f.properties.area === S.selectedBuurt);
    if (scope === "all" || !map) return S.plans;
    const b = map.getBounds();
    const view = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    return S.plans.filter((f) => {
      if (!f._bbox) f._bbox = OR.util.bbox(f.geometry);
      return OR.util.bboxIntersects(f._bbox, view);
    });
  }

  function streetNameOf(p) {
    if (!S.streetNames) return null;
    const name = p.name.toLowerCase();
    for (const s of S.streetNames) if (name.includes(s.lower)) return s.name;
    return null;
  }

  async function renderTimeline() {
    const el = document.getElementById("timeline");
    if (el.hidden || !S.config) return;
    if (!timeline) {
      timeline = new OR.Timeline(document.getElementById("timeline-body"), {
        onSelect: (key) => selectPlan(key, { fly: true }),
        onHover: (key) => { S.hover = key; updateHalos(); },
      });
    }
    const groupBy = document.getElementById("timeline-group").value;
    if (groupBy === "street" && !S.streetNames) {
      try {
        await ensureStreets();
        const names = new Set(S.streets.features.map((f) => f.properties.name).filter(Boolean));
        S.streetNames = Array.from(names).sort((a, b) => b.length - a.length).map((n) => ({ name: n, lower: n.toLowerCase() }));
      } catch (e) { S.streetNames = []; }
    }
    const plans = timelinePlans();
    const groupOf = (p) => {
      if (groupBy === "owner") return S.orgName[p.owner] || p.owner;
      if (groupBy === "street") return streetNameOf(p) || (S.areaName[p.area] ? "(" + S.areaName[p.area] + ")" : t("timeline.other"));
      return S.areaName[p.area] || p.area || t("timeline.other");
    };
    const res = S.analysis.plans;
    timeline.render({
      plans: plans.map((f) => f.properties),
      groupOf,
      colorOf: (p) => p._c || colourOf(p),
      couplings: res ? res.couplings : [],
      conflicts: res ? res.conflicts : [],
      selected: S.selected,
      partners: partnersOf(S.selected),
      from: S.filters.from,
      to: S.filters.to,
      labels: {
        today: t("timeline.today"), empty: t("timeline.empty"),
        unscheduled: (n) => t("timeline.unscheduled", { n }),
        phase: (x) => i18n.term("phase", x), hardness: (x) => i18n.term("hardness", x), date: i18n.date,
        owner: (x) => S.orgName[x] || x, coupling: t("legend.coupling"), conflict: t("legend.conflict"), window: t("timeline.window"),
      },
    });
    document.getElementById("timeline-info").textContent = t("count.plans", { n: plans.length, total: S.matched });
  }

  /* ============================================================ test and debugging hooks */

  window.openruimte = {
    get map() { return map; },
    state: S,
    selectPlan: (key) => selectPlan(key, { fly: true }),
    /** Distinct plan keys drawn in the current view (map.queryRenderedFeatures). */
    renderedPlanKeys() {
      if (!map) return [];
      const feats = map.queryRenderedFeatures({ layers: PLAN_LAYERS });
      return Array.from(new Set(feats.map((f) => f.properties.key))).sort();
    },
    /** Screen position (px, relative to the map canvas) of a point on a plan. */
    planScreenPoint(key, fraction) {
      const f = planFeature(key);
      if (!f) return null;
      const p = map.project(OR.util.pointAlong(f.geometry, fraction));
      const r = map.getCanvas().getBoundingClientRect();
      return { x: p.x, y: p.y, pageX: r.left + p.x, pageY: r.top + p.y };
    },
    /** Plan keys under a canvas point, as the click handler sees them. */
    planKeysAt(x, y) {
      const feats = map.queryRenderedFeatures([[x - 5, y - 5], [x + 5, y + 5]], { layers: PLAN_LAYERS });
      return Array.from(new Set(feats.map((f) => f.properties.key)));
    },
    /** Ids of every non-plan layer drawn under a canvas point (to avoid clicking a coupling node). */
    layersAt(x, y) {
      return map.queryRenderedFeatures([[x - 5, y - 5], [x + 5, y + 5]]).map((f) => f.layer.id);
    },
    perf: S.perf,
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

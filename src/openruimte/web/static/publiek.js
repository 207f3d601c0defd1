/* OpenRuimte public map: published works only (from /api/public/plans), a list and a map,
 * readable on a phone. Internal fields never reach this page: the API sends only the public ones. */
(function () {
  "use strict";
  const OR = window.OR;
  const { h, clear, getJSON } = OR.util;
  const i18n = OR.i18n;
  const t = i18n.t;

  const STATUS_COLORS = { now: "#d6336c", soon: "#f08c00", later: "#1c7ed6", tbd: "#868e96", done: "#adb5bd" };
  const STATUS_ORDER = { now: 0, soon: 1, later: 2, tbd: 3, done: 4 };
  const S = { plans: [], areaName: {}, when: "all", q: "", selected: null, config: null };
  let map = null;
  let popup = null;

  function today() {
    const d = new Date();
    return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  }

  function statusOf(p) {
    if (!p.start || !p.end) return "tbd";
    const s = new Date(p.start + "T00:00:00").getTime();
    const e = new Date(p.end + "T00:00:00").getTime();
    const now = today();
    if (e < now) return "done";
    if (s <= now) return "now";
    if (s - now <= 365 * 86400000) return "soon";
    return "later";
  }

  async function start() {
    OR.util.setupMapLibre();
    i18n.apply();
    document.getElementById("lang-switch").addEventListener("click", () => i18n.toggle());
    i18n.onChange(() => { renderList(); renderNote(); if (popup) popup.remove(); });
    const search = document.getElementById("public-search");
    search.addEventListener("input", () => { S.q = search.value.trim().toLowerCase(); renderList(); syncMap(); });
    document.querySelectorAll("#public-when button").forEach((b) => b.addEventListener("click", () => {
      S.when = b.dataset.when;
      document.querySelectorAll("#public-when button").forEach((x) => x.setAttribute("aria-checked", String(x === b)));
      renderList();
      syncMap();
    }));

    const [config, areas, fc] = await Promise.all([
      getJSON("/api/config").catch(() => ({ base_map: "offline", public: null })),
      getJSON("/api/areas").catch(() => ({ type: "FeatureCollection", features: [] })),
      getJSON("/api/public/plans"),
    ]);
    S.config = config;
    S.threshold = fc.threshold || config.public;
    areas.features.forEach((f) => { S.areaName[f.properties.code] = f.properties.name; });
    const gemeente = areas.features.find((f) => f.properties.level === "gemeente");
    if (gemeente) document.getElementById("pub-place").textContent = "· " + gemeente.properties.name;
    S.plans = fc.features.map((f) => {
      f.properties._status = statusOf(f.properties);
      f.properties._c = STATUS_COLORS[f.properties._status];
      return f;
    });
    renderList();
    renderNote();
    createMap(config, areas, gemeente);
  }

  function matches(f) {
    const p = f.properties;
    if (S.when !== "all" && p._status !== S.when) return false;
    if (!S.q) return true;
    const hay = [p.name, p.organisation, S.areaName[p.area] || "", (p.asset_types || []).map((a) => i18n.term("asset", a)).join(" ")]
      .join(" ").toLowerCase();
    return hay.includes(S.q);
  }

  function visible() {
    return S.plans.filter(matches).sort((a, b) => {
      const pa = a.properties;
      const pb = b.properties;
      return STATUS_ORDER[pa._status] - STATUS_ORDER[pb._status] || String(pa.start || "9").localeCompare(String(pb.start || "9"))
        || pa.name.localeCompare(pb.name);
    });
  }

  function period(p) {
    if (!p.start || !p.end) return t("pub.status.tbd");
    const opts = { month: "long", year: "numeric" };
    const loc = i18n.lang === "en" ? "en-GB" : "nl-NL";
    const s = new Date(p.start + "T00:00:00").toLocaleDateString(loc, opts);
    const e = new Date(p.end + "T00:00:00").toLocaleDateString(loc, opts);
    return s === e ? s : s + " – " + e;
  }

  function renderList() {
    const list = clear(document.getElementById("public-list"));
    const items = visible();
    document.getElementById("pub-list-title").textContent = t("pub.count", { n: items.length });
    if (!items.length) list.appendChild(h("li", { class: "empty" }, t("pub.none")));
    items.forEach((f) => {
      const p = f.properties;
      const card = h("li", { class: "card" + (S.selected === p.key ? " selected" : ""), "data-key": p.key, tabindex: 0,
        onclick: () => select(p.key, true),
        onkeydown: (e) => { if (e.key === "Enter") select(p.key, true); } },
      h("div", { class: "card-top" },
        h("span", { class: "status", style: { background: p._c } }, t("pub.status." + p._status)),
        h("span", { class: "when" }, period(p))),
      h("h3", null, p.name),
      h("dl", null,
        h("dt", null, t("pub.by")), h("dd", null, p.organisation),
        h("dt", null, t("pub.work")), h("dd", null, (p.asset_types || []).map((a) => i18n.term("asset", a)).join(", ")),
        S.areaName[p.area] ? [h("dt", null, t("pub.area")), h("dd", null, S.areaName[p.area])] : null,
        h("dt", null, t("pub.phase")), h("dd", null, i18n.term("phase", p.phase)),
        (p.themes || []).length ? [h("dt", null, t("pub.themes")), h("dd", null, p.themes.map((x) => i18n.term("theme", x)).join(", "))] : null),
      // #16: see the plan in 3D and react there
      h("a", { class: "react-3d", href: "/publiek/3d#plan=" + encodeURIComponent(p.key), "data-testid": "react-3d",
        onclick: (e) => e.stopPropagation() }, i18n.lang === "en" ? "View in 3D and react" : "Bekijk in 3D en reageer"));
      list.appendChild(card);
    });
  }

  function renderNote() {
    const th = S.threshold;
    document.getElementById("pub-note").textContent = th
      ? t("pub.note", { phase: i18n.term("phase", th.min_phase), hardness: i18n.term("hardness", th.min_hardness) }) : "";
  }

  function select(key, fly) {
    S.selected = key;
    document.querySelectorAll("#public-list .card").forEach((c) => c.classList.toggle("selected", c.dataset.key === key));
    if (!map || !map.getLayer("pub-halo-line")) return;
    ["pub-halo-line", "pub-halo-point"].forEach((id) => map.setFilter(id, haloFilter(id, key)));
    const f = S.plans.find((x) => x.properties.key === key);
    if (!f) return;
    if (fly) {
      const b = OR.util.bbox(f.geometry);
      map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 60, maxZoom: 17, duration: 500 });
      if (window.matchMedia("(max-width: 760px)").matches) document.getElementById("public-map").scrollIntoView({ behavior: "smooth" });
    }
    showPopup(f);
  }

  function haloFilter(id, key) {
    const pt = ["match", ["geometry-type"], ["Point", "MultiPoint"], true, false];
    return ["all", id.endsWith("point") ? pt : ["!", pt], ["==", ["get", "key"], key || "__none__"]];
  }

  function showPopup(f) {
    const p = f.properties;
    const at = OR.util.anchor(f.geometry);
    popup.setLngLat(at).setDOMContent(h("div", { class: "pop" },
      h("strong", null, p.name), h("div", null, period(p)), h("div", { class: "muted" }, p.organisation))).addTo(map);
  }

  function syncMap() {
    if (!map || !map.getSource("plans")) return;
    map.getSource("plans").setData({ type: "FeatureCollection", features: visible() });
  }

  function createMap(config, areas, gemeente) {
    const pdok = config.base_map === "pdok";
    const style = {
      version: 8,
      sources: {
        areas: { type: "geojson", data: areas },
        streets: { type: "vector", tiles: [location.origin + "/tiles/streets/{z}/{x}/{y}.pbf"], minzoom: 10, maxzoom: 16 },
        plans: { type: "geojson", data: { type: "FeatureCollection", features: visible() } },
      },
      layers: [{ id: "bg", type: "background", paint: { "background-color": "#eceee8" } }],
    };
    if (pdok) {
      style.sources.pdok = OR.util.pdokSource();
      style.layers.push({ id: "pdok", type: "raster", source: "pdok" });
    } else {
      style.layers.push(
        { id: "areas-fill", type: "fill", source: "areas", filter: ["==", ["get", "level"], "buurt"], paint: { "fill-color": "#fbfbf8" } },
        { id: "streets-casing", type: "line", source: "streets", "source-layer": "streets",
          paint: { "line-color": "#cfd1ca", "line-width": ["interpolate", ["exponential", 1.6], ["zoom"], 12, 1.2, 16, 8, 19, 26] } },
        { id: "streets", type: "line", source: "streets", "source-layer": "streets",
          paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["exponential", 1.6], ["zoom"], 12, 0.7, 16, 6.5, 19, 23] } },
        { id: "areas-line", type: "line", source: "areas", filter: ["==", ["get", "level"], "gemeente"],
          paint: { "line-color": "#495057", "line-width": 2 } });
    }
    const pt = ["match", ["geometry-type"], ["Point", "MultiPoint"], true, false];
    const poly = ["match", ["geometry-type"], ["Polygon", "MultiPolygon"], true, false];
    style.layers.push(
      { id: "pub-halo-line", type: "line", source: "plans", filter: haloFilter("pub-halo-line", null),
        layout: { "line-cap": "round", "line-join": "round" }, paint: { "line-color": "#fcc419", "line-width": 14 } },
      { id: "pub-halo-point", type: "circle", source: "plans", filter: haloFilter("pub-halo-point", null),
        paint: { "circle-color": "#fcc419", "circle-radius": 14 } },
      { id: "plans-fill", type: "fill", source: "plans", filter: poly, paint: { "fill-color": ["get", "_c"], "fill-opacity": 0.35 } },
      { id: "plans-line", type: "line", source: "plans", filter: ["!", pt], layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": ["get", "_c"], "line-width": ["interpolate", ["linear"], ["zoom"], 12, 3, 17, 8] } },
      { id: "plans-point", type: "circle", source: "plans", filter: pt,
        paint: { "circle-color": ["get", "_c"], "circle-radius": 7, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });

    let b = gemeente ? OR.util.bbox(gemeente.geometry) : null;
    S.plans.forEach((f) => { b = OR.util.unionBbox(b, OR.util.bbox(f.geometry)); });
    if (!b || !isFinite(b[0])) b = [3.3, 50.7, 7.3, 53.6];
    map = new maplibregl.Map({
      container: "public-map", style, bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 20 },
      dragRotate: false, pitchWithRotate: false, attributionControl: { compact: true }, cooperativeGestures: false,
    });
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.GeolocateControl({ trackUserLocation: false }), "top-right");
    popup = new maplibregl.Popup({ closeButton: true, maxWidth: "280px", offset: 8 });
    const layers = ["plans-fill", "plans-line", "plans-point"];
    map.on("click", (e) => {
      const feats = map.queryRenderedFeatures([[e.point.x - 6, e.point.y - 6], [e.point.x + 6, e.point.y + 6]], { layers });
      if (!feats.length) return;
      const key = feats[0].properties.key;
      select(key, false);
      const card = document.querySelector('#public-list .card[data-key="' + CSS.escape(key) + '"]');
      if (card) card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    });
    map.on("mousemove", (e) => {
      const feats = map.queryRenderedFeatures([[e.point.x - 6, e.point.y - 6], [e.point.x + 6, e.point.y + 6]], { layers });
      map.getCanvas().style.cursor = feats.length ? "pointer" : "";
    });
    if (!pdok) OR.util.streetLabels(map, "streets", { minZoom: 15 });
    // 'idle' comes at the end of a frame; after a failed tile (PDOK offline) none follows: ask for one.
    const watchdog = setInterval(() => map.triggerRepaint(), 1000);
    map.once("idle", () => { clearInterval(watchdog); document.getElementById("public-map").dataset.loaded = "true"; });
  }

  window.publiek = {
    get map() { return map; },
    /** Keys of the plans this page has (for tests: only published ones may be here). */
    keys: () => S.plans.map((f) => f.properties.key),
    state: S,
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* OpenRuimte UI: helpers shared by the programming map and the public map. */
(function () {
  "use strict";
  const OR = (window.OR = window.OR || {});

  /** The session's CSRF token (a readable cookie; the session cookie itself is HttpOnly). */
  function csrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)openruimte_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  /** GET a JSON document; rejects with an Error naming the URL and status. Unsafe methods carry the CSRF token. */
  async function getJSON(url, options) {
    const opts = Object.assign({}, options || {});
    const headers = Object.assign({ Accept: "application/json" }, opts.headers || {});
    const method = (opts.method || "GET").toUpperCase();
    if (!["GET", "HEAD", "OPTIONS"].includes(method)) headers["X-CSRF-Token"] = csrfToken();
    opts.headers = headers;
    const resp = await fetch(url, opts);
    if (!resp.ok) {
      const err = new Error(url + ": HTTP " + resp.status);
      err.status = resp.status;
      throw err;
    }
    return resp.json();
  }

  /** Build a DOM element: h("div", {class: "x", onclick: fn}, child, "text", ...). */
  function h(tag, attrs) {
    const el = document.createElement(tag);
    const children = Array.prototype.slice.call(arguments, 2);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
        else if (k === "class") el.className = v;
        else if (k === "dataset") Object.assign(el.dataset, v);
        else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
        else if (v === true) el.setAttribute(k, "");
        else el.setAttribute(k, String(v));
      }
    }
    appendAll(el, children);
    return el;
  }

  function appendAll(el, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) appendAll(el, c);
      else el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }

  /* ------------------------------------------------------------------ colours */

  const OWNER_PALETTE = [
    "#1f6fb2", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#0b7285",
    "#e67700", "#5c940d", "#a61e4d", "#364fc7", "#087f5b", "#6741d9",
  ];

  const PHASE_COLORS = {
    idee: "#b8c4d6", initiatief: "#8fa7cc", definitie: "#6388c2", ontwerp: "#3d6bb3",
    voorbereiding: "#e8890c", realisatie: "#d6336c", beheer: "#5c6b73",
  };

  const HARDNESS_COLORS = { indicatief: "#adb5bd", voorgenomen: "#f59f00", besloten: "#2b8a3e" };

  /* Conventional colours of networks (KLIC-like) and sensible ones for the rest. */
  const ASSET_COLORS = {
    gas: "#e0b000", elektriciteit: "#d6336c", warmte: "#f76707", drinkwater: "#1c7ed6", telecom: "#2f9e44",
    openbare_verlichting: "#a9a200", verkeersregeling: "#868e96",
    hemelwaterafvoer: "#15aabf", droogweerafvoer: "#9c6644", gemengd_riool: "#7b4a2a", drainage: "#66d9e8", overstort: "#5f3dc4",
    bomen: "#2b8a3e", groen: "#69db7c", weg: "#495057", fietspad: "#c2255c", voetpad: "#adb5bd",
    gebouw: "#795548", kunstwerk: "#607d8b", ondergrond: "#a1887f",
    openbaar_toilet: "#ae3ec9", sport_recreatie: "#9c36b5", speelvoorziening: "#e599f7",
    laadpunt: "#0c8599", fietsparkeren: "#20c997", verkeersobject: "#748ffc", ov_halte: "#3b5bdb",
    woningbouw: "#f06595", gebiedsontwikkeling: "#e64980",
  };

  const FALLBACK = "#868e96";

  function ownerColors(codes) {
    const out = {};
    codes.forEach((c, i) => { out[c] = OWNER_PALETTE[i % OWNER_PALETTE.length]; });
    return out;
  }

  /** Year -> colour on a red (soon) to yellow (later) ramp, for first_year / exceeded_year. */
  function yearColor(year, first, last) {
    const f = Math.max(0, Math.min(1, (year - first) / Math.max(1, last - first)));
    const stops = [[0, [201, 42, 42]], [0.5, [247, 103, 7]], [1, [250, 200, 50]]];
    for (let i = 1; i < stops.length; i++) {
      if (f <= stops[i][0]) {
        const [f0, c0] = stops[i - 1];
        const [f1, c1] = stops[i];
        const u = (f - f0) / (f1 - f0);
        const c = c0.map((v, k) => Math.round(v + (c1[k] - v) * u));
        return "rgb(" + c.join(",") + ")";
      }
    }
    return "rgb(250,200,50)";
  }

  /* ---------------------------------------------------------------- geometry */

  function eachCoord(geom, fn) {
    if (!geom) return;
    const walk = (c) => {
      if (typeof c[0] === "number") fn(c);
      else c.forEach(walk);
    };
    if (geom.type === "GeometryCollection") geom.geometries.forEach((g) => eachCoord(g, fn));
    else walk(geom.coordinates);
  }

  function bbox(geom) {
    const b = [Infinity, Infinity, -Infinity, -Infinity];
    eachCoord(geom, (c) => {
      if (c[0] < b[0]) b[0] = c[0];
      if (c[1] < b[1]) b[1] = c[1];
      if (c[0] > b[2]) b[2] = c[0];
      if (c[1] > b[3]) b[3] = c[1];
    });
    return b;
  }

  function unionBbox(a, b) {
    if (!a) return b;
    if (!b) return a;
    return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
  }

  /** A point on or inside the geometry: the middle vertex of a line, the bbox centre of a polygon. */
  function anchor(geom) {
    if (!geom) return null;
    if (geom.type === "Point") return geom.coordinates;
    if (geom.type === "LineString") {
      const cs = geom.coordinates;
      return midpointAlong(cs);
    }
    if (geom.type === "MultiLineString") {
      let longest = geom.coordinates[0];
      geom.coordinates.forEach((cs) => { if (cs.length > longest.length) longest = cs; });
      return midpointAlong(longest);
    }
    if (geom.type === "MultiPoint") return geom.coordinates[0];
    const b = bbox(geom);
    return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
  }

  /** The point at ``fraction`` (0..1) along a line or the longest part of a multi-line; else the anchor. */
  function pointAlong(geom, fraction) {
    if (!geom) return null;
    let cs = null;
    if (geom.type === "LineString") cs = geom.coordinates;
    if (geom.type === "MultiLineString") {
      cs = geom.coordinates[0];
      geom.coordinates.forEach((c) => { if (c.length > cs.length) cs = c; });
    }
    return cs ? midpointAlong(cs, fraction) : anchor(geom);
  }

  function midpointAlong(cs, fraction) {
    if (cs.length === 1) return cs[0];
    let total = 0;
    const seg = [];
    for (let i = 1; i < cs.length; i++) {
      const d = Math.hypot(cs[i][0] - cs[i - 1][0], cs[i][1] - cs[i - 1][1]);
      seg.push(d);
      total += d;
    }
    let half = total * (fraction === undefined ? 0.5 : fraction);
    for (let i = 0; i < seg.length; i++) {
      if (half <= seg[i] && seg[i] > 0) {
        const u = half / seg[i];
        return [cs[i][0] + (cs[i + 1][0] - cs[i][0]) * u, cs[i][1] + (cs[i + 1][1] - cs[i][1]) * u];
      }
      half -= seg[i];
    }
    return cs[cs.length - 1];
  }

  function bboxIntersects(a, b) {
    return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
  }

  /** The raster style of PDOK's BRT-Achtergrondkaart (only when the server says base_map = pdok). */
  function pdokSource() {
    return {
      type: "raster",
      tiles: ["https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"],
      tileSize: 256,
      minzoom: 6,
      maxzoom: 19,
      attribution: "Kaartgegevens © Kadaster (PDOK)",
    };
  }

  /** MapLibre loads its worker from our own origin (CSP: no blob-built worker from eval). */
  function setupMapLibre() {
    if (window.maplibregl && window.maplibregl.setWorkerUrl) {
      window.maplibregl.setWorkerUrl("/vendor/maplibre-gl/maplibre-gl-csp-worker.js");
    }
  }

  /**
   * Street names as HTML labels along the streets (MapLibre needs a glyph server
   * for text, and this UI works offline). From ``minZoom`` on, one label per
   * street name on its longest rendered piece, turned along the street, without
   * overlaps. Returns {update, setVisible}.
   */
  function streetLabels(map, layerId, options) {
    const opts = Object.assign({ minZoom: 15.5, max: 80 }, options || {});
    const markers = [];
    let visible = true;
    let timer = null;
    function clearAll() {
      markers.forEach((m) => m.remove());
      markers.length = 0;
    }
    function update() {
      clearAll();
      if (!visible || !map.getLayer(layerId) || map.getZoom() < opts.minZoom) return;
      const best = new Map();
      map.queryRenderedFeatures({ layers: [layerId] }).forEach((f) => {
        const name = f.properties.name;
        if (!name || !f.geometry) return;
        const lines = f.geometry.type === "LineString" ? [f.geometry.coordinates]
          : f.geometry.type === "MultiLineString" ? f.geometry.coordinates : [];
        lines.forEach((cs) => {
          const pts = cs.map((c) => map.project(c));
          let len = 0;
          for (let i = 1; i < pts.length; i++) len += Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y);
          const cur = best.get(name);
          if (!cur || len > cur.len) best.set(name, { len, pts });
        });
      });
      const boxes = [];
      const canvas = map.getCanvas();
      const W = canvas.clientWidth;
      const H = canvas.clientHeight;
      Array.from(best.entries()).sort((a, b) => b[1].len - a[1].len).forEach(([name, item]) => {
        if (markers.length >= opts.max) return;
        const textW = name.length * 6.6 + 8;
        if (item.len < textW * 0.8) return; // the street is shorter than its name here
        let half = item.len / 2;
        let at = null;
        let angle = 0;
        for (let i = 1; i < item.pts.length; i++) {
          const a = item.pts[i - 1];
          const b = item.pts[i];
          const d = Math.hypot(b.x - a.x, b.y - a.y);
          if (half <= d && d > 0) {
            const u = half / d;
            at = { x: a.x + (b.x - a.x) * u, y: a.y + (b.y - a.y) * u };
            angle = (Math.atan2(b.y - a.y, b.x - a.x) * 180) / Math.PI;
            break;
          }
          half -= d;
        }
        if (!at || at.x < 0 || at.y < 0 || at.x > W || at.y > H) return;
        if (angle > 90) angle -= 180;
        if (angle < -90) angle += 180;
        const r = Math.max(textW, 16) / 2 + 2;
        if (boxes.some((bx) => Math.hypot(bx.x - at.x, bx.y - at.y) < bx.r + r)) return;
        boxes.push({ x: at.x, y: at.y, r });
        const el = h("div", { class: "street-label", "aria-hidden": "true" }, name);
        markers.push(new maplibregl.Marker({ element: el, rotation: angle, rotationAlignment: "viewport" })
          .setLngLat(map.unproject([at.x, at.y])).addTo(map));
      });
    }
    const later = () => { clearTimeout(timer); timer = setTimeout(update, 120); };
    map.on("moveend", later);
    map.on("movestart", clearAll);
    map.on("sourcedata", (e) => { if (e.sourceId === map.getLayer(layerId).source && e.isSourceLoaded && !map.isMoving()) later(); });
    return { update: later, setVisible(on) { visible = on; later(); } };
  }

  /** The header's "logged in as" and the logout form (the form posts the CSRF token). */
  async function showSession() {
    const who = document.getElementById("whoami");
    const form = document.getElementById("logout-form");
    if (!who || !form) return;
    form.querySelector('input[name="csrf_token"]').value = csrfToken();
    try {
      const me = await getJSON("/api/session");
      if (!me.authenticated) return;
      const render = () => {
        who.textContent = OR.i18n.t("auth.as", { user: me.user || me.org, org: me.org, role: me.role });
      };
      render();
      who.dataset.role = me.role;
      who.dataset.org = me.org;
      OR.i18n.onChange(render);
    } catch (e) { /* the map works without the name */ }
  }
  document.addEventListener("DOMContentLoaded", showSession);

  OR.util = {
    csrfToken, getJSON, h, clear, ownerColors, yearColor, bbox, unionBbox, anchor, pointAlong, bboxIntersects, eachCoord, pdokSource, setupMapLibre, streetLabels,
    PHASE_COLORS, HARDNESS_COLORS, ASSET_COLORS, FALLBACK,
  };
})();

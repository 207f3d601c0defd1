/* Clearance and shadow in the programming map's plan panel (#15): "Afstanden (kabels, leidingen, bomen)"
 * computes the plan's distances to the cables, pipes, trees and plans around it (GET /api/clearance) and
 * draws a line per object (red: conflict, green: clear); "Schaduw" draws the shadow of the plan's volume and
 * the buildings around it at a chosen moment (GET /api/sun/shadow). Both read only what the caller may see. */
(function () {
  "use strict";
  const OR = (window.OR = window.OR || {});
  const t = (k, v) => OR.i18n.t(k, v);
  const CLEARANCE = "rules-env-clearance";
  const SHADOW = "rules-env-shadow";
  const state = { clearance: null, shadow: null };

  // the header's .btn is white on the brand colour: panel buttons are drawn here in the brand colour
  const BUTTON = { background: "var(--brand, #1864ab)", color: "#fff", border: "0", borderRadius: "6px",
    padding: "5px 12px", cursor: "pointer", margin: "4px 0" };

  function map() { return window.openruimte && window.openruimte.map; }

  function planQuery(key) { return "plan=" + encodeURIComponent(key); }

  function ensureLayers(m) {
    if (!m.getSource(SHADOW)) {
      m.addSource(SHADOW, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      m.addLayer({ id: SHADOW + "-fill", type: "fill", source: SHADOW,
        paint: { "fill-color": ["match", ["get", "role"], "design", "#343a40", "#495057"],
          "fill-opacity": ["match", ["get", "role"], "design", 0.45, 0.3] } });
      m.addLayer({ id: SHADOW + "-line", type: "line", source: SHADOW,
        paint: { "line-color": "#212529", "line-width": 0.8, "line-opacity": 0.6 } });
    }
    if (!m.getSource(CLEARANCE)) {
      m.addSource(CLEARANCE, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      m.addLayer({ id: CLEARANCE + "-design", type: "line", source: CLEARANCE, filter: ["==", ["get", "role"], "design"],
        paint: { "line-color": "#1c7ed6", "line-width": 2, "line-dasharray": [2, 1] } });
      m.addLayer({ id: CLEARANCE + "-lines", type: "line", source: CLEARANCE,
        filter: ["all", ["!=", ["get", "role"], "design"], ["!=", ["geometry-type"], "Point"]],
        paint: { "line-color": ["match", ["get", "role"], "conflict", "#e03131", "#2f9e44"],
          "line-width": ["match", ["get", "role"], "conflict", 4, 2] } });
      m.addLayer({ id: CLEARANCE + "-points", type: "circle", source: CLEARANCE,
        filter: ["all", ["!=", ["get", "role"], "design"], ["==", ["geometry-type"], "Point"]],
        paint: { "circle-radius": 6, "circle-color": ["match", ["get", "role"], "conflict", "#e03131", "#2f9e44"],
          "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 } });
    }
  }

  function show(id, data) {
    const m = map();
    if (!m) return;
    ensureLayers(m);
    m.getSource(id).setData(data);
  }

  function fmt(v) { return v === null || v === undefined ? "—" : OR.i18n.number(v, 2); }

  async function computeClearance(key, out) {
    const h = OR.util.h;
    OR.util.clear(out);
    out.appendChild(h("p", { class: "muted" }, t("env.busy")));
    let data;
    try { data = await OR.util.getJSON("/api/clearance?" + planQuery(key)); } catch (e) {
      OR.util.clear(out);
      out.appendChild(h("p", { class: "error" }, t("env.error") + " " + e.message));
      return;
    }
    state.clearance = data;
    show(CLEARANCE, data);
    OR.util.clear(out);
    const results = data.features.filter((f) => f.properties.role !== "design");
    const conflicts = results.filter((f) => f.properties.role === "conflict");
    out.dataset.conflicts = String(conflicts.length);
    out.appendChild(h("p", { class: conflicts.length ? "error" : "muted", "data-testid": "clearance-summary" },
      t("env.clearance.summary", { n: conflicts.length, total: results.length })));
    const list = h("ul", { class: "clearance-list" });
    conflicts.concat(results.filter((f) => f.properties.role !== "conflict")).slice(0, 40).forEach((f) => {
      const p = f.properties;
      const depth = p.sources.other_depth || p.sources.other_crown_diameter || "";
      list.appendChild(h("li", { class: p.passed ? "clear" : "conflict", "data-other": p.other },
        h("strong", null, (p.passed ? "✓ " : "✗ ") + (p.other_label || p.other)),
        h("div", { class: "muted small" }, p.network + " · " + t("env.horizontal") + " " + fmt(p.horizontal_m) + " / "
          + fmt(p.required_horizontal_m) + " m · " + t("env.vertical") + " " + fmt(p.vertical_m) + " / "
          + fmt(p.required_vertical_m) + " m"),
        depth ? h("div", { class: "muted small" }, depth) : null));
    });
    out.appendChild(list);
  }

  async function computeShadow(key, at, out) {
    const h = OR.util.h;
    OR.util.clear(out);
    let data;
    try {
      data = await OR.util.getJSON("/api/sun/shadow?" + planQuery(key) + "&at=" + encodeURIComponent(at));
    } catch (e) {
      out.appendChild(h("p", { class: "error" }, t("env.error") + " " + e.message));
      return;
    }
    state.shadow = data;
    show(SHADOW, data);
    const design = data.features.find((f) => f.properties.role === "design");
    out.dataset.features = String(data.features.length);
    out.appendChild(h("p", { class: "muted", "data-testid": "shadow-summary" },
      data.sun_up
        ? t("env.shadow.summary", { az: OR.i18n.number(data.azimuth_deg, 1), el: OR.i18n.number(data.elevation_deg, 1),
          len: design ? OR.i18n.number(design.properties.shadow_length_m, 1) : "—", n: data.buildings })
        : t("env.shadow.night")));
  }

  /** The two sections for a plan's panel. */
  function section(key) {
    const h = OR.util.h;
    const wrap = h("div", { class: "rules-env" });
    const cOut = h("div", { "data-testid": "clearance-result" });
    wrap.appendChild(h("section", { class: "sec", id: "plan-clearance", "data-testid": "plan-clearance" },
      h("h3", null, t("env.clearance")),
      h("p", { class: "muted small" }, t("env.clearance.help")),
      h("button", { type: "button", style: BUTTON, "data-testid": "clearance-compute",
        onclick: () => computeClearance(key, cOut) }, t("env.clearance.compute")),
      cOut));
    const year = new Date().getFullYear();
    const when = h("input", { type: "datetime-local", value: year + "-03-21T12:00", "data-testid": "shadow-at",
      "aria-label": t("env.shadow.at") });
    const sOut = h("div", { "data-testid": "shadow-result" });
    wrap.appendChild(h("section", { class: "sec", id: "plan-shadow", "data-testid": "plan-shadow" },
      h("h3", null, t("env.shadow")),
      h("label", { class: "small" }, t("env.shadow.at"), " ", when),
      " ",
      h("button", { type: "button", style: BUTTON, "data-testid": "shadow-compute",
        onclick: () => computeShadow(key, when.value, sOut) }, t("env.shadow.compute")),
      sOut));
    return wrap;
  }

  OR.rulesEnv = { section, state, layers: { clearance: CLEARANCE + "-lines", points: CLEARANCE + "-points", shadow: SHADOW + "-fill" } };
})();

/* OpenRuimte timeline: a Gantt chart of plans in SVG, drawn by hand.
 *
 * Rows are grouped (per buurt, street or owner); each plan is a bar from start
 * to end in the map's colour, its planning window (earliest start .. latest
 * end) as a thin line behind it; couplings are teal connectors between the two
 * bars, no-dig conflicts red ones. Clicking a bar selects the plan.
 */
(function () {
  "use strict";
  const OR = (window.OR = window.OR || {});
  const NS = "http://www.w3.org/2000/svg";
  const ROW = 22;
  const GROUP = 26;
  const AXIS = 30;
  const LABEL_W = 250;
  const DAY = 86400000;

  function svg(tag, attrs, parent) {
    const el = document.createElementNS(NS, tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
    if (parent) parent.appendChild(el);
    return el;
  }

  function parse(iso) {
    if (!iso) return null;
    const d = new Date(String(iso).slice(0, 10) + "T00:00:00");
    return Number.isNaN(d.getTime()) ? null : d.getTime();
  }

  function truncate(s, n) {
    return s.length > n ? s.slice(0, n - 1) + "…" : s;
  }

  class Timeline {
    constructor(container, handlers) {
      this.el = container;
      this.onSelect = handlers.onSelect || (() => {});
      this.onHover = handlers.onHover || (() => {});
      this.opts = null;
      this.el.classList.add("tl");
      // The axis stays above a scrolling body (no position: sticky: it paints stale copies in some compositors).
      this.axisEl = document.createElement("div");
      this.axisEl.className = "tl-axis-wrap";
      this.scrollEl = document.createElement("div");
      this.scrollEl.className = "tl-scroll";
      this.el.appendChild(this.axisEl);
      this.el.appendChild(this.scrollEl);
      this._resize = () => { if (this.opts && this.el.clientWidth && this.el.clientWidth !== this._width) this.render(this.opts); };
      window.addEventListener("resize", this._resize);
    }

    setSelected(key, partners) {
      if (!this.opts) return;
      this.opts.selected = key;
      this.opts.partners = partners || [];
      if (this.el.offsetParent !== null) this.render(this.opts, true);
    }

    setHover(key) {
      this.el.querySelectorAll(".tl-row.hover").forEach((r) => r.classList.remove("hover"));
      if (key) this.el.querySelectorAll('.tl-row[data-key="' + CSS.escape(key) + '"]').forEach((r) => r.classList.add("hover"));
    }

    render(opts, scrollToSelected) {
      this.opts = opts;
      const L = opts.labels;
      const el = this.scrollEl;
      const keepScroll = el.scrollTop;
      while (el.firstChild) el.removeChild(el.firstChild);
      while (this.axisEl.firstChild) this.axisEl.removeChild(this.axisEl.firstChild);
      this._width = this.el.clientWidth;

      const scheduled = opts.plans.filter((p) => parse(p.start) !== null && parse(p.end) !== null);
      const unscheduled = opts.plans.length - scheduled.length;
      if (!scheduled.length) {
        const p = document.createElement("p");
        p.className = "muted tl-empty";
        p.textContent = L.empty + (unscheduled ? " " + L.unscheduled(unscheduled) + "." : "");
        el.appendChild(p);
        return;
      }

      // Time domain: the filter's years, widened to the plans shown.
      let y0 = opts.from;
      let y1 = opts.to;
      scheduled.forEach((p) => {
        y0 = Math.min(y0, new Date(parse(p.start)).getFullYear());
        y1 = Math.max(y1, new Date(parse(p.end)).getFullYear());
      });
      const t0 = new Date(y0, 0, 1).getTime();
      const t1 = new Date(y1 + 1, 0, 1).getTime();
      const width = Math.max(640, this.scrollEl.clientWidth - 1);
      const chartW = width - LABEL_W - 12;
      const x = (ms) => LABEL_W + ((ms - t0) / (t1 - t0)) * chartW;

      // Groups.
      const groups = new Map();
      scheduled.forEach((p) => {
        const g = opts.groupOf(p) || "";
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g).push(p);
      });
      const names = Array.from(groups.keys()).sort((a, b) => {
        const pa = a.startsWith("(") ? 1 : 0;
        const pb = b.startsWith("(") ? 1 : 0;
        return pa - pb || a.localeCompare(b);
      });
      names.forEach((g) => groups.get(g).sort((a, b) => parse(a.start) - parse(b.start) || a.name.localeCompare(b.name)));

      let height = 0;
      names.forEach((g) => { height += GROUP + groups.get(g).length * ROW; });
      height += 8;

      const head = svg("svg", { class: "tl-axis", width, height: AXIS, role: "presentation" });
      this.axisEl.appendChild(head);
      const body = svg("svg", { class: "tl-body", width, height, role: "list", "aria-label": "timeline" });
      el.appendChild(body);
      if (unscheduled) {
        const note = document.createElement("p");
        note.className = "muted small tl-note";
        note.textContent = L.unscheduled(unscheduled);
        el.appendChild(note);
      }

      svg("rect", { x: 0, y: 0, width, height: AXIS, class: "tl-axis-bg" }, head);
      const grid = svg("g", { class: "tl-grid" }, body);
      const yearPx = chartW / (y1 - y0 + 1);
      for (let y = y0; y <= y1 + 1; y++) {
        const xx = x(new Date(y, 0, 1).getTime());
        svg("line", { x1: xx, x2: xx, y1: 0, y2: height, class: "tl-year" }, grid);
        svg("line", { x1: xx, x2: xx, y1: AXIS - 10, y2: AXIS, class: "tl-tick" }, head);
        if (y <= y1 && (yearPx > 34 || y % 2 === 0)) {
          const label = svg("text", { x: xx + yearPx / 2, y: 18, class: "tl-year-label", "text-anchor": "middle" }, head);
          label.textContent = String(y);
        }
        if (yearPx > 90 && y <= y1) {
          for (let q = 1; q < 4; q++) {
            const qx = x(new Date(y, q * 3, 1).getTime());
            svg("line", { x1: qx, x2: qx, y1: 0, y2: height, class: "tl-quarter" }, grid);
          }
        }
      }

      const now = Date.now();
      if (now > t0 && now < t1) {
        svg("line", { x1: x(now), x2: x(now), y1: 0, y2: height, class: "tl-today" }, body);
        svg("line", { x1: x(now), x2: x(now), y1: 0, y2: AXIS, class: "tl-today" }, head);
        const tt = svg("text", { x: x(now) + 3, y: AXIS - 3, class: "tl-today-label" }, head);
        tt.textContent = L.today;
      }

      const selected = opts.selected;
      const partners = new Set(opts.partners || []);
      const pos = new Map(); // key -> {y, xs, xe}
      const rows = svg("g", { class: "tl-rows" }, body);
      let y = 0;
      names.forEach((g) => {
        const items = groups.get(g);
        const gh = svg("g", { class: "tl-group", "data-group": g }, rows);
        svg("rect", { x: 0, y, width, height: GROUP, class: "tl-group-bg" }, gh);
        const gt = svg("text", { x: 10, y: y + 17, class: "tl-group-label" }, gh);
        gt.textContent = truncate(g, 40) + "  (" + items.length + ")";
        y += GROUP;
        items.forEach((p, i) => {
          const s = parse(p.start);
          const e = parse(p.end) + DAY;
          const row = svg("g", { class: "tl-row" + (p.key === selected ? " selected" : "") + (partners.has(p.key) ? " partner" : ""),
            "data-key": p.key, role: "listitem", tabindex: 0 }, rows);
          if (i % 2) svg("rect", { x: 0, y, width, height: ROW, class: "tl-stripe" }, row);
          svg("rect", { x: 0, y, width, height: ROW, class: "tl-hit" }, row);
          const name = svg("text", { x: 18, y: y + 15, class: "tl-label" }, row);
          name.textContent = truncate(p.name, 36);
          const es = parse(p.earliest_start);
          const le = parse(p.latest_end);
          if (es !== null || le !== null) {
            const ws = Math.min(es === null ? s : es, s);
            const we = Math.max(le === null ? e : le + DAY, e);
            svg("line", { x1: x(ws), x2: x(we), y1: y + ROW / 2, y2: y + ROW / 2, class: "tl-window" }, row);
            svg("line", { x1: x(ws), x2: x(ws), y1: y + 6, y2: y + ROW - 6, class: "tl-window" }, row);
            svg("line", { x1: x(we), x2: x(we), y1: y + 6, y2: y + ROW - 6, class: "tl-window" }, row);
          }
          const xs = x(s);
          const xe = Math.max(x(e), xs + 3);
          const bar = svg("rect", {
            x: xs, y: y + 4, width: xe - xs, height: ROW - 8, rx: 3, class: "tl-bar hard-" + p.hardness,
            fill: opts.colorOf(p), "data-key": p.key,
          }, row);
          const title = svg("title", null, bar);
          title.textContent = p.name + "\n" + L.owner(p.owner) + " · " + L.phase(p.phase) + " · " + L.hardness(p.hardness) +
            "\n" + L.date(p.start) + " – " + L.date(p.end);
          const rowTitle = svg("title", null, name);
          rowTitle.textContent = p.name;
          row.addEventListener("click", () => this.onSelect(p.key));
          row.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); this.onSelect(p.key); } });
          row.addEventListener("mouseenter", () => { row.classList.add("hover"); this.onHover(p.key); });
          row.addEventListener("mouseleave", () => { row.classList.remove("hover"); this.onHover(null); });
          pos.set(p.key, { y: y + ROW / 2, xs, xe, row });
          y += ROW;
        });
      });

      // Couplings and conflicts: connectors between the bars of the two plans.
      const links = svg("g", { class: "tl-links" }, body);
      const drawLink = (a, b, kind, text) => {
        const A = pos.get(a);
        const B = pos.get(b);
        if (!A || !B) return;
        const [P, Q] = A.xs <= B.xs ? [A, B] : [B, A];
        const overlap = Math.min(P.xe, Q.xe) - Q.xs;
        let d;
        if (overlap > 0) {
          const mx = Q.xs + overlap / 2;
          d = "M" + mx + "," + P.y + " L" + mx + "," + Q.y;
          svg("rect", { x: Q.xs, y: Math.min(P.y, Q.y) - 3, width: overlap, height: Math.abs(Q.y - P.y) + 6,
            class: "tl-overlap " + kind }, links);
        } else {
          const bend = Math.max(12, (Q.xs - P.xe) / 2);
          d = "M" + P.xe + "," + P.y + " C" + (P.xe + bend) + "," + P.y + " " + (Q.xs - bend) + "," + Q.y + " " + Q.xs + "," + Q.y;
        }
        const hot = selected && (a === selected || b === selected);
        const path = svg("path", { d, class: "tl-link " + kind + (hot ? " hot" : selected ? " cold" : ""), "data-a": a, "data-b": b }, links);
        const tt = svg("title", null, path);
        tt.textContent = text || "";
        svg("circle", { cx: P.xe, cy: P.y, r: 3, class: "tl-link-end " + kind + (hot ? " hot" : "") }, links);
        svg("circle", { cx: Q.xs, cy: Q.y, r: 3, class: "tl-link-end " + kind + (hot ? " hot" : "") }, links);
        [a, b].forEach((k) => pos.get(k).row.classList.add("linked-" + kind));
      };
      (opts.couplings || []).forEach((c) => drawLink(c.a, c.b, "coupling", (L.coupling + ": " + ((c.explanation || {}).text || ""))));
      (opts.conflicts || []).forEach((c) => drawLink(c.renewal, c.plan, "conflict", (L.conflict + ": " + ((c.explanation || {}).text || ""))));
      links.setAttribute("pointer-events", "none"); // bars under a connector stay clickable

      el.scrollTop = keepScroll;
      if (scrollToSelected && selected && pos.has(selected)) {
        const top = pos.get(selected).y;
        if (top < el.scrollTop || top > el.scrollTop + el.clientHeight - ROW) el.scrollTop = Math.max(0, top - el.clientHeight / 2);
      }
    }
  }

  OR.Timeline = Timeline;
})();

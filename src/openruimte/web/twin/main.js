/* OpenRuimte 3D digital twin: buildings, plan volumes, cables and pipes below ground, sun and shadow.
 *
 * A planar scene in RD New (EPSG:28992) metres with NAP heights: x = RD x - origin x (east),
 * z = -(RD y - origin y) (north is -z), y = height in m NAP. No ellipsoid, so the 3D BAG's NAP
 * heights are drawn as they are (no RDNAPTRANS grid needed). Plans and cables carry heights and
 * depths relative to the ground level; the scene's ground level is `ground_nap` of /api/twin/scene.
 *
 * Bundled by esbuild from npm packages (three, suncalc) at `make install`; nothing from a CDN.
 */
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { getPosition as sunPosition } from "suncalc";
import { T, setLang, lang } from "./i18n.js";
import { setupReactions } from "./reactions.js";

const PUBLIC = location.pathname.startsWith("/publiek");
const API = PUBLIC ? "/api/public/twin" : "/api/twin";
const OR = window.OR || {};
const util = () => (window.OR && window.OR.util) || {};
const BUILDING_RADIUS_M = 1000;
const PIPE_RADIUS_M = 500;
const MAX_PARALLEL = 4;

const state = {
  scene: null, camera: null, renderer: null, controls: null, info: null,
  groundY: 0, ground: null, sun: null, hemi: null,
  tiles: new Map(), pipeTiles: new Map(), queue: [], inflight: 0,
  plans: [], planMeshes: {}, planIndex: null, owners: {}, models: [], modelPlans: new Set(),
  filters: { phase: [], hardness: [], owner: "", from: null, to: null, colour: "phase" },
  themes: {}, seeThrough: false, shadows: true, dirty: true, frames: 0,
  // firstViewMs counts from navigation start (fromNavigation); the steps from this script's start
  perf: { start: performance.now(), firstViewMs: null, fromNavigation: true, steps: {} },
  selected: null,
};

/* ------------------------------------------------------------------ helpers */

async function getJSON(url) {
  const early = window.OR_EARLY_TWIN || {};
  if (early[url]) { // asked for at the page's start (static/twin-early.js): taken once
    const json = early[url];
    delete early[url];
    return json;
  }
  const resp = await fetch(url, { headers: { Accept: "application/json" } });
  if (!resp.ok) throw new Error(url + ": HTTP " + resp.status);
  return resp.json();
}

function sceneXZ(x, y) { return [x - state.info.origin[0], -(y - state.info.origin[1])]; }

function colourOf(plan) {
  const u = util();
  const mode = state.filters.colour;
  if (mode === "hardness") return (u.HARDNESS_COLORS || {})[plan.hardness] || "#868e96";
  if (mode === "owner") return state.owners[plan.owner] || "#868e96";
  return (u.PHASE_COLORS || {})[plan.phase] || "#868e96";
}

function mark(step) { state.perf.steps[step] = Math.round(performance.now() - state.perf.start); }

/* ------------------------------------------------------------------ geometry */

/** Extruded prisms for polygons (rings flat [x0,y0,...] in `unit` relative to `origin`) into arrays. */
class Prisms {
  constructor() { this.pos = []; this.col = []; this.idx = []; this.owner = []; this.n = 0; }

  add(rings, origin, unit, bottom, top, colour, item, walls = true, caps = true) {
    const c = new THREE.Color(colour);
    const ox = origin[0] - state.info.origin[0];
    const oy = origin[1] - state.info.origin[1];
    const contour = [];
    const holes = [];
    rings.forEach((ring, r) => {
      const pts = [];
      for (let i = 0; i < ring.length; i += 2) pts.push(new THREE.Vector2(ox + ring[i] * unit, oy + ring[i + 1] * unit));
      if (r === 0) contour.push(...pts); else holes.push(pts);
    });
    if (contour.length < 3) return;
    if (caps) {
      const tris = THREE.ShapeUtils.triangulateShape(contour, holes);
      const all = contour.concat(...holes);
      for (const [level, flip] of [[top, false], [bottom, true]]) {
        const base = this.n;
        for (const p of all) this.vertex(p.x, level, -p.y, c, item);
        // earcut keeps the counter-clockwise winding of the outer ring (RD); with z = -y that faces up
        for (const t of tris) {
          if (flip) this.tri(base + t[0], base + t[2], base + t[1], item);
          else this.tri(base + t[0], base + t[1], base + t[2], item);
        }
      }
    }
    if (walls && top > bottom) {
      for (const ring of [contour, ...holes]) {
        for (let i = 0; i < ring.length; i++) {
          const a = ring[i];
          const b = ring[(i + 1) % ring.length];
          const base = this.n;
          this.vertex(a.x, bottom, -a.y, c, item);
          this.vertex(b.x, bottom, -b.y, c, item);
          this.vertex(b.x, top, -b.y, c, item);
          this.vertex(a.x, top, -a.y, c, item);
          this.tri(base, base + 1, base + 2, item);
          this.tri(base, base + 2, base + 3, item);
        }
      }
    }
  }

  vertex(x, y, z, c) { this.pos.push(x, y, z); this.col.push(c.r, c.g, c.b); this.n += 1; }

  tri(a, b, c, item) { this.idx.push(a, b, c); this.owner.push(item); }

  geometry() {
    const g = new THREE.BufferGeometry();
    g.setAttribute("position", new THREE.Float32BufferAttribute(this.pos, 3));
    g.setAttribute("color", new THREE.Float32BufferAttribute(this.col, 3));
    g.setIndex(this.n > 65535 ? new THREE.Uint32BufferAttribute(this.idx, 1) : new THREE.Uint16BufferAttribute(this.idx, 1));
    g.computeVertexNormals();
    g.computeBoundingSphere();
    g.computeBoundingBox();
    return g;
  }
}

/** Six-sided tubes along polylines (cables and pipes). */
function addTube(out, pts, radius, colour, item) {
  const c = new THREE.Color(colour);
  const sides = 6;
  const up = new THREE.Vector3(0, 1, 0);
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = pts[i];
    const b = pts[i + 1];
    const dir = new THREE.Vector3().subVectors(b, a);
    if (dir.lengthSq() < 1e-6) continue;
    dir.normalize();
    const side = new THREE.Vector3().crossVectors(dir, up).normalize();
    const top = new THREE.Vector3().crossVectors(side, dir).normalize();
    const base = out.n;
    for (const p of [a, b]) {
      for (let s = 0; s < sides; s++) {
        const ang = (s / sides) * Math.PI * 2;
        const v = new THREE.Vector3().copy(p).addScaledVector(side, Math.cos(ang) * radius).addScaledVector(top, Math.sin(ang) * radius);
        out.vertex(v.x, v.y, v.z, c, item);
      }
    }
    for (let s = 0; s < sides; s++) {
      const s2 = (s + 1) % sides;
      out.tri(base + s, base + sides + s, base + sides + s2, item);
      out.tri(base + s, base + sides + s2, base + s2, item);
    }
  }
}

/* ------------------------------------------------------------------ scene */

function setupScene(container) {
  const renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
  state.pixelRatio = Math.min(window.devicePixelRatio || 1, 1.5);
  renderer.setPixelRatio(state.pixelRatio);
  renderer.setSize(container.clientWidth, container.clientHeight);
  renderer.shadowMap.enabled = true;
  renderer.shadowMap.type = THREE.PCFShadowMap;
  renderer.shadowMap.autoUpdate = false; // redrawn only when the sun, its target or the scene changes (not per orbit frame)
  container.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color("#c9d6e3");
  const camera = new THREE.PerspectiveCamera(50, container.clientWidth / container.clientHeight, 0.5, 30000);
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.maxPolarAngle = Math.PI; // the camera may go below the surface
  controls.screenSpacePanning = false;
  controls.addEventListener("change", () => { state.dirty = true; scheduleHash(); scheduleTiles(); });
  controls.addEventListener("start", () => setMoving(true));
  controls.addEventListener("end", () => setMoving(false));
  state.hemi = new THREE.HemisphereLight(0xffffff, 0x8d8577, 1.4);
  scene.add(state.hemi);
  const sun = new THREE.DirectionalLight(0xfff4e0, 2.2);
  sun.castShadow = true;
  sun.shadow.mapSize.set(1024, 1024);
  const sc = sun.shadow.camera;
  sc.left = -450; sc.right = 450; sc.top = 450; sc.bottom = -450; sc.near = 1; sc.far = 4000;
  sun.shadow.bias = -0.0005;
  scene.add(sun);
  scene.add(sun.target);
  // cables and pipes: drawn only when they can be seen (below the surface, or through a see-through ground)
  state.pipeGroup = new THREE.Group();
  state.pipeGroup.name = "ondergrond";
  scene.add(state.pipeGroup);
  Object.assign(state, { renderer, scene, camera, controls, sun });
  window.addEventListener("resize", () => {
    renderer.setSize(container.clientWidth, container.clientHeight);
    camera.aspect = container.clientWidth / container.clientHeight;
    camera.updateProjectionMatrix();
    state.dirty = true;
  });
}

function setupGround() {
  const [x0, y0, x1, y1] = state.info.extent;
  const margin = 1500;
  const w = x1 - x0 + 2 * margin;
  const h = y1 - y0 + 2 * margin;
  const [cx, cz] = sceneXZ((x0 + x1) / 2, (y0 + y1) / 2);
  const mat = new THREE.MeshLambertMaterial({ color: 0xd9d4c7, side: THREE.DoubleSide, polygonOffset: true, polygonOffsetFactor: 1, polygonOffsetUnits: 1 });
  const ground = new THREE.Mesh(new THREE.PlaneGeometry(w, h), mat);
  ground.rotation.x = -Math.PI / 2;
  ground.position.set(cx, state.groundY, cz);
  ground.receiveShadow = true;
  ground.name = "maaiveld";
  ground.userData.kind = "ground";
  state.scene.add(ground);
  state.ground = ground;
}

function applySeeThrough() {
  const m = state.ground.material;
  m.transparent = state.seeThrough;
  m.opacity = state.seeThrough ? 0.35 : 1;
  m.depthWrite = !state.seeThrough;
  m.needsUpdate = true;
  if (state.streets) state.streets.material.opacity = state.seeThrough ? 0.4 : 1;
  state.dirty = true;
}

async function loadStreets() {
  try {
    const fc = await getJSON("/api/streets?crs=EPSG:28992");
    const pos = [];
    for (const f of fc.features) {
      const lines = f.geometry.type === "LineString" ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const line of lines) {
        for (let i = 0; i + 1 < line.length; i++) {
          const [ax, az] = sceneXZ(line[i][0], line[i][1]);
          const [bx, bz] = sceneXZ(line[i + 1][0], line[i + 1][1]);
          pos.push(ax, state.groundY + 0.05, az, bx, state.groundY + 0.05, bz);
        }
      }
    }
    const g = new THREE.BufferGeometry();
    g.setAttribute("position", new THREE.Float32BufferAttribute(pos, 3));
    const lines = new THREE.LineSegments(g, new THREE.LineBasicMaterial({ color: 0x9a948a, transparent: true }));
    lines.name = "straten";
    state.streets = lines;
    state.scene.add(lines);
    state.dirty = true;
  } catch (e) { /* streets are an orientation aid */ }
}

/* ------------------------------------------------------------------ buildings (tiles) */

function tileKey(t) { return t[0] + "," + t[1]; }

function wantedTiles(radius, pool) {
  const size = state.info.tile_size;
  const tx = state.controls.target.x + state.info.origin[0];
  const ty = -state.controls.target.z + state.info.origin[1];
  const dist = Math.max(radius, Math.min(radius * 2, state.camera.position.distanceTo(state.controls.target)));
  const out = [];
  for (const t of pool) {
    const cx = (t[0] + 0.5) * size;
    const cy = (t[1] + 0.5) * size;
    const d = Math.hypot(cx - tx, cy - ty);
    if (d < dist + size * 0.7) out.push([d, t]);
  }
  out.sort((a, b) => a[0] - b[0]);
  return out.map((x) => x[1]);
}

let tileTimer = null;
function scheduleTiles() { clearTimeout(tileTimer); tileTimer = setTimeout(updateTiles, 150); }

function updateTiles() {
  const pool = state.info.tiles;
  const want = wantedTiles(BUILDING_RADIUS_M, pool);
  const keys = new Set(want.map(tileKey));
  for (const [k, entry] of state.tiles) {
    if (!keys.has(k) && entry.mesh && state.tiles.size > 40) { disposeMesh(entry.mesh); state.tiles.delete(k); }
  }
  for (const t of want) if (!state.tiles.has(tileKey(t))) { state.tiles.set(tileKey(t), { loading: true }); state.queue.push(["b", t]); }
  if (!PUBLIC && state.info.assets && pipesWanted()) {
    const pipeWant = wantedTiles(PIPE_RADIUS_M, pool).slice(0, 9);
    const pkeys = new Set(pipeWant.map(tileKey));
    for (const [k, entry] of state.pipeTiles) {
      if (!pkeys.has(k) && entry.mesh && state.pipeTiles.size > 24) { disposeMesh(entry.mesh); state.pipeTiles.delete(k); }
    }
    for (const t of pipeWant) if (!state.pipeTiles.has(tileKey(t))) { state.pipeTiles.set(tileKey(t), { loading: true }); state.queue.push(["p", t]); }
  }
  pump();
}

/** Cables and pipes are loaded after the first view unless they are in it (below the surface or see-through):
 * from above, the opaque ground hides them. */
function pipesWanted() {
  return state.perf.firstViewMs !== null || pipesSeen();
}

function pipesSeen() {
  return state.seeThrough || !state.ground.visible || state.camera.position.y < state.groundY;
}

function disposeMesh(mesh) {
  mesh.removeFromParent();
  mesh.geometry.dispose();
  state.dirty = true;
}

function pump() {
  while (state.inflight < MAX_PARALLEL && state.queue.length) {
    const [kind, t] = state.queue.shift();
    state.inflight += 1;
    const url = kind === "b" ? `/api/twin/buildings/${t[0]}/${t[1]}` : `/api/twin/pipes/${t[0]}/${t[1]}`;
    getJSON(url)
      .then((data) => (kind === "b" ? addBuildingTile(data) : addPipeTile(data)))
      .catch((e) => console.warn("tile", url, e.message))
      .finally(() => { state.inflight -= 1; pump(); if (!state.inflight && !state.queue.length) onTilesIdle(); });
  }
}

const buildingMaterial = () => state._bmat || (state._bmat = new THREE.MeshLambertMaterial({ vertexColors: true }));

function addBuildingTile(data) {
  const key = tileKey(data.tile);
  const entry = state.tiles.get(key) || {};
  const out = new Prisms();
  for (let i = 0; i < data.count; i++) {
    const ground = data.ground[i] ?? state.groundY;
    const roof = data.roof[i] ?? ground + 6;
    const shade = 0.86 + ((i * 7919) % 13) / 100;
    const colour = new THREE.Color(shade, shade * 0.97, shade * 0.93);
    for (const rings of data.polygons[i]) out.add(rings, data.origin, data.unit, Math.min(ground, state.groundY), roof, colour, i);
  }
  if (!out.n) { state.tiles.set(key, { empty: true }); return; }
  const mesh = new THREE.Mesh(out.geometry(), buildingMaterial());
  mesh.castShadow = true;
  mesh.receiveShadow = true;
  mesh.name = "gebouwen " + key;
  mesh.visible = document.getElementById("show-buildings").checked;
  mesh.userData = { kind: "buildings", tile: data, triangles: out.owner, count: data.count };
  state.scene.add(mesh);
  state.tiles.set(key, { mesh, count: data.count });
  state.dirty = true;
  state.shadowsDirty = true;
}

function addPipeTile(data) {
  const key = tileKey(data.tile);
  const out = new Prisms();
  const ox = data.origin[0] - state.info.origin[0];
  const oy = data.origin[1] - state.info.origin[1];
  data.pipes.forEach((p, i) => {
    const r = Math.max(p.diameter / 2, 0.06);
    const y = state.groundY - p.depth - r;
    const colour = data.colours[p.theme] || "#868e96";
    for (const line of p.lines) {
      const pts = [];
      for (let k = 0; k < line.length; k += 2) pts.push(new THREE.Vector3(ox + line[k] * data.unit, y, -(oy + line[k + 1] * data.unit)));
      addTube(out, pts, r, colour, i);
    }
  });
  if (!out.n) { state.pipeTiles.set(key, { empty: true }); return; }
  const mesh = new THREE.Mesh(out.geometry(), new THREE.MeshLambertMaterial({ vertexColors: true, side: THREE.DoubleSide }));
  mesh.name = "kabels en leidingen " + key;
  mesh.userData = { kind: "pipes", tile: data, triangles: out.owner, count: data.count, minY: mesh.geometry.boundingBox.max.y };
  state.pipeGroup.add(mesh);
  state.pipeTiles.set(key, { mesh, count: data.count });
  applyThemes();
}

function onTilesIdle() {
  const root = document.getElementById("scene");
  root.dataset.tilesLoaded = "true";
  state.tilesIdle = true;
  // the first view: the tiles in reach, the plans and the models are all in the scene
  if (state.perf.firstViewMs === null && state.plansLoaded && state.modelsLoaded) {
    // the first view: everything in view is in the scene; render it and note the time
    renderNow();
    // from navigation start (the page, the bundle and every request counted), as the 2D map's firstRenderMs
    state.perf.firstViewMs = Math.round(performance.now());
    mark("firstView");
    root.dataset.ready = "true";
    updateTiles(); // now the cables and pipes (queued at once: whenIdle() waits for them)
  }
  state.dirty = true;
}

/* ------------------------------------------------------------------ plans */

async function loadPlans() {
  const data = await getJSON(API + "/plans");
  state.plans = data.plans;
  state.plansOrigin = data.origin;
  state.plansUnit = data.unit;
  const owners = [...new Set(state.plans.map((p) => p.owner))].sort();
  state.owners = util().ownerColors ? util().ownerColors(owners) : {};
  fillFilters(owners);
  buildPlanMeshes();
  mark("plans");
}

function planPasses(p) {
  const f = state.filters;
  if (f.phase.length && !f.phase.includes(p.phase)) return false;
  if (f.hardness.length && !f.hardness.includes(p.hardness)) return false;
  if (f.owner && p.owner !== f.owner) return false;
  if (f.from && p.end && Number(p.end.slice(0, 4)) < f.from) return false;
  if (f.to && p.start && Number(p.start.slice(0, 4)) > f.to) return false;
  if ((f.from || f.to) && !p.start) return false;
  return true;
}

function buildPlanMeshes() {
  for (const m of Object.values(state.planMeshes)) disposeMesh(m);
  state.planMeshes = {};
  const groups = { volumes: new Prisms(), trenches: new Prisms() };
  let shown = 0;
  state.plans.forEach((p, i) => {
    if (!planPasses(p)) return;
    shown += 1;
    if (p.kind !== "trench" && state.modelPlans.has(p.key)) return; // its BIM model is drawn instead
    const g = p.kind === "trench" ? groups.trenches : groups.volumes;
    const bottom = state.groundY + p.bottom;
    const top = state.groundY + p.top + (p.kind === "trench" ? 0.1 : 0); // above the street lines (+0.05)
    for (const rings of p.polygons) g.add(rings, state.plansOrigin, state.plansUnit, bottom, top, colourOf(p), i);
  });
  const mats = {
    volumes: new THREE.MeshLambertMaterial({ vertexColors: true, transparent: true, opacity: 0.85 }),
    trenches: new THREE.MeshLambertMaterial({ vertexColors: true, transparent: true, opacity: 0.7, side: THREE.DoubleSide }),
  };
  for (const [name, g] of Object.entries(groups)) {
    if (!g.n) continue;
    const mesh = new THREE.Mesh(g.geometry(), mats[name]);
    mesh.name = name === "volumes" ? "planvolumes" : "sleuven";
    mesh.castShadow = name === "volumes";
    mesh.renderOrder = 2;
    mesh.userData = { kind: "plans", part: name, triangles: g.owner };
    mesh.visible = document.getElementById("show-plans").checked;
    state.scene.add(mesh);
    state.planMeshes[name] = mesh;
  }
  const count = document.getElementById("plan-count");
  count.textContent = T("plancount", { n: shown, total: state.plans.length });
  count.dataset.count = String(shown);
  drawLegend();
  state.dirty = true;
  state.shadowsDirty = true;
}

function fillFilters(owners) {
  const u = util();
  const phases = Object.keys(u.PHASE_COLORS || {});
  const hard = Object.keys(u.HARDNESS_COLORS || {});
  const term = (kind, v) => (OR.i18n ? OR.i18n.term(kind, v) : v);
  const sel = (id, values, kind) => {
    const el = document.getElementById(id);
    el.innerHTML = "";
    for (const v of values) {
      const o = document.createElement("option");
      o.value = v;
      o.textContent = kind ? term(kind, v) : v;
      o.selected = (state.filters[id.slice(2)] || []).includes?.(v) || false;
      el.appendChild(o);
    }
  };
  sel("f-phase", phases, "phase");
  sel("f-hardness", hard, "hardness");
  const own = document.getElementById("f-owner");
  for (const o of owners) {
    const opt = document.createElement("option");
    opt.value = o;
    const plan = state.plans.find((p) => p.owner === o);
    opt.textContent = (plan && plan.organisation) || o;
    opt.selected = state.filters.owner === o;
    own.appendChild(opt);
  }
  document.getElementById("colour-by").value = state.filters.colour;
  if (state.filters.from) document.getElementById("f-from").value = state.filters.from;
  if (state.filters.to) document.getElementById("f-to").value = state.filters.to;
}

function readFilters() {
  const multi = (id) => [...document.getElementById(id).selectedOptions].map((o) => o.value);
  const f = state.filters;
  f.phase = multi("f-phase");
  f.hardness = multi("f-hardness");
  f.owner = document.getElementById("f-owner").value;
  f.from = Number(document.getElementById("f-from").value) || null;
  f.to = Number(document.getElementById("f-to").value) || null;
  f.colour = document.getElementById("colour-by").value;
  buildPlanMeshes();
  scheduleHash();
}

function drawLegend() {
  const u = util();
  const ul = document.getElementById("legend");
  ul.innerHTML = "";
  const mode = state.filters.colour;
  const entries = mode === "owner" ? Object.entries(state.owners) : Object.entries(mode === "hardness" ? u.HARDNESS_COLORS || {} : u.PHASE_COLORS || {});
  for (const [k, c] of entries) {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = "sw";
    sw.style.background = c;
    const plan = mode === "owner" ? state.plans.find((p) => p.owner === k) : null;
    const label = plan ? plan.organisation : OR.i18n ? OR.i18n.term(mode, k) : k;
    li.append(sw, document.createTextNode(label));
    ul.appendChild(li);
  }
}

/* ------------------------------------------------------------------ BIM models (glTF converted on the server) */

async function loadModels() {
  let data;
  try { data = await getJSON(API + "/models"); } catch (e) { return; }
  const loader = new GLTFLoader();
  const o = state.info.origin;
  await Promise.all(data.models.map(async (m) => {
    try {
      const gltf = await loader.loadAsync(m.url);
      const group = new THREE.Group();
      const inner = gltf.scene;
      // glTF (x, y, z) = IFC world metres (x, z, -y); minus a WorldCoordinateSystem offset, scaled to map metres,
      // turned by the grid-north rotation about the vertical and put at RD eastings/northings and the NAP height
      if (m.wcs_offset_m) inner.position.set(-m.wcs_offset_m[0], -m.wcs_offset_m[2], m.wcs_offset_m[1]);
      group.add(inner);
      group.scale.setScalar(m.scale || 1);
      group.rotation.y = ((m.rotation_deg || 0) * Math.PI) / 180;
      group.position.set(m.eastings - o[0], m.height_reference === "NAP" ? m.height : state.groundY + m.height, -(m.northings - o[1]));
      group.name = "bim " + m.ref;
      group.userData = { kind: "model", model: m };
      group.traverse((c) => { if (c.isMesh) { c.castShadow = true; c.receiveShadow = true; c.userData.model = m; } });
      state.scene.add(group);
      state.models.push(group);
      state.modelPlans.add(m.plan);
    } catch (e) { console.warn("model", m.url, e.message); }
  }));
  if (state.models.length) buildPlanMeshes();
  mark("models");
  state.dirty = true;
  state.shadowsDirty = true;
}

/* ------------------------------------------------------------------ network themes */

function setupThemes() {
  const box = document.getElementById("themes");
  if (PUBLIC || !state.info.assets) return;
  const themes = { elektriciteit: "#d6336c", gas: "#e0b000", warmte: "#f76707", water: "#1c7ed6", datatransport: "#2f9e44", riolering: "#7b4a2a" };
  for (const [name, colour] of Object.entries(themes)) {
    if (state.themes[name] === undefined) state.themes[name] = true;
    const label = document.createElement("label");
    const cb = document.createElement("input");
    cb.type = "checkbox";
    cb.checked = state.themes[name];
    cb.dataset.theme = name;
    cb.addEventListener("change", () => { state.themes[name] = cb.checked; applyThemes(); scheduleHash(); });
    const sw = document.createElement("span");
    sw.className = "sw";
    sw.style.cssText = `display:inline-block;width:10px;height:10px;background:${colour};margin:0 4px`;
    label.append(cb, sw, document.createTextNode(T("theme." + name)));
    box.appendChild(label);
  }
}

function applyThemes() {
  const on = document.getElementById("show-pipes").checked;
  for (const { mesh } of state.pipeTiles.values()) {
    if (!mesh) continue;
    mesh.visible = on;
    // hide triangles of switched-off themes by rebuilding the index from the kept pipes
    const data = mesh.userData.tile;
    const full = mesh.userData.fullIndex || (mesh.userData.fullIndex = mesh.geometry.index.array.slice());
    const tri = mesh.userData.triangles;
    const keep = [];
    for (let t = 0; t < tri.length; t++) if (state.themes[data.pipes[tri[t]].theme] !== false) keep.push(full[3 * t], full[3 * t + 1], full[3 * t + 2]);
    mesh.geometry.setIndex(keep);
  }
  state.dirty = true;
}

/* ------------------------------------------------------------------ sun */

/** The instant of a date and wall-clock time in the Netherlands (Europe/Amsterdam, CET/CEST), whatever
 * the browser's own time zone. */
function dutchTime(date, time) {
  const [y, mo, da] = date.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const guess = Date.UTC(y, mo - 1, da, h, mi);
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(guess));
  const get = (k) => Number(parts.find((p) => p.type === k).value);
  const shown = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return new Date(guess - (shown - guess));
}

function updateSun() {
  const d = document.getElementById("sun-date").value;
  const t = document.getElementById("sun-time").value || "12:00";
  const when = d ? dutchTime(d, t) : new Date();
  const [lon, lat] = state.info.lonlat;
  // suncalc 2: azimuth in degrees clockwise from north, apparent altitude in degrees (refraction included)
  const pos = sunPosition(when, lat, lon);
  const alt = (pos.altitude * Math.PI) / 180;
  const az = (pos.azimuth * Math.PI) / 180;
  const dir = new THREE.Vector3(Math.sin(az) * Math.cos(alt), Math.sin(alt), -Math.cos(az) * Math.cos(alt));
  state.sunDirection = dir.clone();
  state.sunAltitude = pos.altitude;
  const target = state.controls.target;
  state.sun.position.copy(target).addScaledVector(dir, 1500);
  state.sun.target.position.copy(target);
  state.sun.intensity = alt > 0 ? 2.4 * Math.min(1, Math.sin(alt) * 3) : 0;
  state.sun.castShadow = state.shadows && alt > 0;
  state.hemi.intensity = alt > 0 ? 1.3 : 0.6;
  const deg = (r) => Math.round((r * 180) / Math.PI);
  const azDeg = Math.round(pos.azimuth) % 360;
  const info = document.getElementById("sun-info");
  info.textContent = alt > 0 ? T("sun.info", { alt: deg(alt), az: azDeg }) : T("sun.down");
  info.dataset.altitude = String(deg(alt));
  info.dataset.azimuth = String(azDeg);
  state.dirty = true;
  state.shadowsDirty = true;
}

/* ------------------------------------------------------------------ picking and the panel */

const raycaster = new THREE.Raycaster();

function pickables() {
  const out = [];
  state.scene.traverse((o) => {
    if (o.isMesh && o.visible && o.userData && (["buildings", "plans", "pipes"].includes(o.userData.kind) || o.userData.model)) out.push(o);
  });
  return out;
}

function pickAt(clientX, clientY) {
  const rect = state.renderer.domElement.getBoundingClientRect();
  const ndc = new THREE.Vector2(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
  raycaster.setFromCamera(ndc, state.camera);
  const hits = raycaster.intersectObjects(pickables(), false);
  for (const hit of hits) {
    const ud = hit.object.userData;
    if (ud.model) return { kind: "model", model: ud.model, point: hit.point };
    const item = ud.triangles[hit.faceIndex];
    if (item === undefined) continue;
    if (ud.kind === "plans") return { kind: "plan", plan: state.plans[item], point: hit.point };
    if (ud.kind === "buildings") return { kind: "building", tile: ud.tile, i: item, point: hit.point };
    if (ud.kind === "pipes") return { kind: "pipe", pipe: ud.tile.pipes[item], point: hit.point };
  }
  return null;
}

function rdOf(point) { return [point.x + state.info.origin[0], -point.z + state.info.origin[1]]; }

function row(dl, label, value) {
  if (value === null || value === undefined || value === "") return;
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = String(value);
  dl.append(dt, dd);
}

function showPanel(hit) {
  const panel = document.getElementById("panel");
  panel.innerHTML = "";
  if (!hit) { panel.hidden = true; return; }
  const close = document.createElement("button");
  close.className = "close";
  close.textContent = "×";
  close.setAttribute("aria-label", T("close"));
  close.addEventListener("click", () => { panel.hidden = true; });
  const h3 = document.createElement("h3");
  const dl = document.createElement("dl");
  const term = (k, v) => (OR.i18n ? OR.i18n.term(k, v) : v);
  const date = (v) => (OR.i18n ? OR.i18n.date(v) : v);
  const num = (v, d) => (v === null || v === undefined ? null : OR.i18n ? OR.i18n.number(v, d) : v);
  panel.dataset.kind = hit.kind;
  if (hit.kind === "plan") {
    const p = hit.plan;
    h3.textContent = p.name;
    panel.dataset.key = p.key;
    row(dl, T("organisation"), p.organisation);
    row(dl, T("phase"), term("phase", p.phase));
    row(dl, T("hardness"), term("hardness", p.hardness));
    row(dl, T("period"), p.start ? `${date(p.start)} – ${date(p.end)}` : T("unplanned"));
    row(dl, T("kind"), T("kind." + p.kind) + (p.estimated ? " (" + T("estimated") + ")" : ""));
    if (p.kind === "trench") row(dl, T("depth"), num(-p.bottom, 1) + " m");
    else row(dl, T("height"), num(p.top, 1) + " m");
    row(dl, T("types"), (p.asset_types || []).map((a) => term("asset", a)).join(", "));
    panel.append(close, h3, dl);
    if (PUBLIC) setupReactions(panel, p, rdOf(hit.point), T);
    else uploadForm(panel, p);
  } else if (hit.kind === "model") {
    const m = hit.model;
    h3.textContent = T("model") + ": " + m.label;
    panel.dataset.key = m.ref;
    row(dl, T("plan"), (state.plans.find((p) => p.key === m.plan) || {}).name || m.plan);
    row(dl, T("version"), m.version);
    if (m.top_m !== null && m.top_m !== undefined) row(dl, T("height"), num(m.top_m, 1) + " m");
    panel.append(close, h3, dl);
  } else if (hit.kind === "building") {
    const d = hit.tile;
    const i = hit.i;
    h3.textContent = T("building");
    panel.dataset.key = d.id[i];
    row(dl, "BAG", d.bag_id[i]);
    row(dl, T("ground"), num(d.ground[i], 2) + " m NAP");
    row(dl, T("roof"), num(d.roof[i], 2) + " m NAP");
    if (d.ground[i] !== null && d.roof[i] !== null) row(dl, T("height"), num(d.roof[i] - d.ground[i], 1) + " m");
    row(dl, T("year"), d.year[i]);
    row(dl, "LoD", d.lod[i]);
    panel.append(close, h3, dl);
  } else {
    const p = hit.pipe;
    h3.textContent = p.name || term("asset", p.type);
    panel.dataset.key = p.key;
    row(dl, T("theme"), T("theme." + p.theme));
    row(dl, T("owner"), p.owner);
    row(dl, T("depth"), num(p.depth, 2) + " m (" + T("depth." + p.depth_source) + ")");
    row(dl, T("diameter"), Math.round(p.diameter * 1000) + " mm");
    panel.append(close, h3, dl);
  }
  panel.hidden = false;
}

/** Designers (editors and admins of the plan's owner) upload a model version (IFC) from the panel. */
async function uploadForm(panel, plan) {
  if (state.me === undefined) {
    try { state.me = await getJSON("/api/session"); } catch (e) { state.me = null; }
  }
  const me = state.me;
  if (!me || !me.authenticated || me.org !== plan.owner || !["editor", "admin"].includes(me.role)) return;
  const form = document.createElement("form");
  form.dataset.testid = "model-upload";
  form.innerHTML = `<h4></h4><input type="file" name="file" accept=".ifc" required> <input type="text" name="label" required size="12">
    <button type="submit"></button><p class="result muted small" role="status"></p>`;
  form.querySelector("h4").textContent = T("upload.title");
  form.querySelector('input[name="label"]').value = "ontwerp";
  form.querySelector("button").textContent = T("upload.submit");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = form.querySelector(".result");
    const [owner, ...rest] = plan.key.split(":");
    const m = document.cookie.match(/(?:^|;\s*)openruimte_csrf=([^;]+)/);
    out.textContent = T("upload.busy");
    const resp = await fetch(`/api/bim/plans/${encodeURIComponent(owner)}/${encodeURIComponent(rest.join(":"))}/models`, {
      method: "POST", body: new FormData(form), headers: { "X-CSRF-Token": m ? decodeURIComponent(m[1]) : "" },
    });
    const data = await resp.json().catch(() => ({}));
    out.textContent = resp.ok ? T("upload.done", { v: data.version || "" }) : (data.error && data.error.message) || "HTTP " + resp.status;
    if (resp.ok) { for (const g of state.models) state.scene.remove(g); state.models = []; state.modelPlans.clear(); loadModels(); }
  });
  panel.appendChild(form);
}

/* ------------------------------------------------------------------ the link (camera + filters) */

let hashTimer = null;
function scheduleHash() { clearTimeout(hashTimer); hashTimer = setTimeout(writeHash, 300); }

function writeHash() {
  if (!state.info) return;
  const c = state.camera.position;
  const t = state.controls.target;
  const r = (v) => Math.round(v * 10) / 10;
  const o = state.info.origin;
  const p = new URLSearchParams();
  // camera and target in RD x, RD y, NAP height: a link works whatever the scene's origin
  p.set("cam", [r(c.x + o[0]), r(-c.z + o[1]), r(c.y), r(t.x + o[0]), r(-t.z + o[1]), r(t.y)].join(","));
  const f = state.filters;
  p.set("kleur", f.colour);
  if (f.phase.length) p.set("fase", f.phase.join(","));
  if (f.hardness.length) p.set("hardheid", f.hardness.join(","));
  if (f.owner) p.set("eigenaar", f.owner);
  if (f.from) p.set("van", f.from);
  if (f.to) p.set("tot", f.to);
  const d = document.getElementById("sun-date").value;
  const tm = document.getElementById("sun-time").value;
  if (d) p.set("zon", `${d}T${tm || "12:00"}`);
  if (state.seeThrough) p.set("ondergrond", "1");
  const off = Object.entries(state.themes).filter(([, v]) => !v).map(([k]) => k);
  if (off.length) p.set("uit", off.join(","));
  history.replaceState(null, "", "#" + p.toString());
}

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const f = state.filters;
  if (p.get("kleur")) f.colour = p.get("kleur");
  if (p.get("fase")) f.phase = p.get("fase").split(",");
  if (p.get("hardheid")) f.hardness = p.get("hardheid").split(",");
  if (p.get("eigenaar")) f.owner = p.get("eigenaar");
  if (p.get("van")) f.from = Number(p.get("van"));
  if (p.get("tot")) f.to = Number(p.get("tot"));
  if (p.get("zon")) {
    const [d, t] = p.get("zon").split("T");
    document.getElementById("sun-date").value = d;
    document.getElementById("sun-time").value = t || "12:00";
  }
  state.seeThrough = p.get("ondergrond") === "1";
  document.getElementById("see-through").checked = state.seeThrough;
  for (const k of (p.get("uit") || "").split(",").filter(Boolean)) state.themes[k] = false;
  const cam = (p.get("cam") || "").split(",").map(Number);
  return cam.length === 6 && cam.every(Number.isFinite) ? cam : null;
}

function placeCamera(cam) {
  const o = state.info.origin;
  if (cam) {
    state.camera.position.set(cam[0] - o[0], cam[2], -(cam[1] - o[1]));
    state.controls.target.set(cam[3] - o[0], cam[5], -(cam[4] - o[1]));
  } else {
    state.controls.target.set(0, state.groundY, 0);
    state.camera.position.set(-350, state.groundY + 420, 520);
  }
  state.controls.update();
}

/* ------------------------------------------------------------------ render loop */

function renderNow() {
  state.pipeGroup.visible = pipesSeen();
  state.sun.target.updateMatrixWorld();
  const t = state.controls.target;
  const last = state.shadowAt;
  if (state.shadowsDirty || !last || Math.abs(last.x - t.x) > 50 || Math.abs(last.z - t.z) > 50) {
    state.renderer.shadowMap.needsUpdate = true;
    state.shadowAt = t.clone();
    state.shadowsDirty = false;
  }
  state.renderer.render(state.scene, state.camera);
  state.frames += 1;
}

/** While the camera moves, frames are drawn at half the resolution (a quarter of the pixels: software
 * rendering is bound by them); the still frame after the movement is drawn at the full resolution. */
const MOVING_RATIO = 0.5;
function setMoving(on) {
  state.moving = on;
  const ratio = on ? state.pixelRatio * MOVING_RATIO : state.pixelRatio;
  if (state.renderer.getPixelRatio() !== ratio) state.renderer.setPixelRatio(ratio);
  state.dirty = true;
}

function loop() {
  requestAnimationFrame(loop);
  // nothing is drawn before the first view (onTilesIdle draws it): every tile that comes in would
  // otherwise cost a frame and a new shadow map in software rendering
  if (state.perf.firstViewMs === null) return;
  if (state.controls.update() || state.dirty || state.orbiting) {
    if (state.sunDirection) {
      state.sun.position.copy(state.controls.target).addScaledVector(state.sunDirection, 1500);
      state.sun.target.position.copy(state.controls.target);
    }
    state.dirty = false;
    renderNow();
  }
}

/* ------------------------------------------------------------------ test and benchmark hook */

function hook() {
  const objects = (kind) => pickables().filter((o) => o.userData.kind === kind);
  const planByKey = (key) => state.plans.findIndex((p) => p.key === key);
  const worldOf = (kind, key) => {
    if (kind === "plan") {
      const i = planByKey(key);
      if (i < 0) return null;
      const p = state.plans[i];
      const [x, z] = sceneXZ(p.anchor[0], p.anchor[1]);
      return new THREE.Vector3(x, state.groundY + p.top + (p.kind === "trench" ? 0.1 : 0), z); // the top face: seen from above
    }
    return null;
  };
  return {
    get scene() { return state.scene; },
    get perf() { return state.perf; },
    get frames() { return state.frames; },
    public: PUBLIC,
    /** What is in the scene, counted from the scene graph itself. */
    stats() {
      const b = objects("buildings");
      const pipes = [...state.pipeTiles.values()].filter((e) => e.mesh);
      let pipeTop = -Infinity;
      for (const e of pipes) pipeTop = Math.max(pipeTop, e.mesh.geometry.boundingBox.max.y);
      const vol = state.planMeshes.volumes;
      const tr = state.planMeshes.trenches;
      let tris = 0;
      state.scene.traverse((o) => { if (o.isMesh && o.geometry.index) tris += o.geometry.index.count / 3; });
      return {
        buildings: b.reduce((s, m) => s + m.userData.count, 0),
        buildingTiles: b.length,
        plans: state.plans.length,
        planKeys: state.plans.map((p) => p.key),
        volumeTop: vol ? vol.geometry.boundingBox.max.y : null,
        trenchBottom: tr ? tr.geometry.boundingBox.min.y : null,
        kinds: [...new Set(state.plans.map((p) => p.kind))],
        pipes: pipes.reduce((s, e) => s + e.count, 0),
        models: state.models.map((g) => ({ ref: g.userData.model.ref, plan: g.userData.model.plan, box: (() => { const b = new THREE.Box3().setFromObject(g); return [...b.min.toArray(), ...b.max.toArray()]; })() })),
        pipeTop: pipes.length ? pipeTop : null,
        groundY: state.groundY,
        triangles: tris,
        drawnTriangles: state.renderer.info.render.triangles, // in the last frame (hidden pipes, culled tiles not)
        sunAltitude: state.sunAltitude,
        memory: performance.memory ? performance.memory.usedJSHeapSize : null,
      };
    },
    /** Look at a plan (kind "plan") from a point of view; returns its centre projected to CSS pixels. */
    focus(kind, key, from) {
      const w = worldOf(kind, key);
      if (!w) return null;
      state.controls.target.copy(w);
      const offset = from || [60, 80, 90];
      state.camera.position.set(w.x + offset[0], w.y + offset[1], w.z + offset[2]);
      state.controls.update();
      updateSun();
      renderNow();
      writeHash();
      return this.project(w);
    },
    /** Look at a placed BIM model from a point of view; its centre projected to CSS pixels. */
    focusModel(ref, from) {
      const g = state.models.find((x) => x.userData.model.ref === ref);
      if (!g) return null;
      const w = new THREE.Box3().setFromObject(g).getCenter(new THREE.Vector3());
      state.controls.target.copy(w);
      const offset = from || [30, 25, 40];
      state.camera.position.set(w.x + offset[0], w.y + offset[1], w.z + offset[2]);
      state.controls.update();
      renderNow();
      writeHash();
      return this.project(w);
    },
    /** Look at the ground from below at a point of the first loaded cable or pipe tile. */
    focusPipe() {
      const e = [...state.pipeTiles.values()].find((x) => x.mesh);
      if (!e) return null;
      const d = e.mesh.userData.tile;
      const p = d.pipes.find((q) => q.lines[0].length >= 4);
      const line = p.lines[0];
      const ox = d.origin[0] - state.info.origin[0];
      const oy = d.origin[1] - state.info.origin[1];
      const mx = (line[0] + line[2]) / 2 * d.unit + ox;
      const my = (line[1] + line[3]) / 2 * d.unit + oy;
      const r = Math.max(p.diameter / 2, 0.06);
      const w = new THREE.Vector3(mx, state.groundY - p.depth - r, -my);
      state.controls.target.copy(w);
      state.camera.position.set(w.x + 4, Math.min(state.groundY - 0.3, w.y + 1.5), w.z + 5); // below the surface
      state.controls.update();
      renderNow();
      return { key: p.key, theme: p.theme, y: w.y, groundY: state.groundY, screen: this.project(w) };
    },
    /** Keep the target, put the camera `height` m above it (looking down); the target on screen. */
    lookFromAbove(height) {
      const t = state.controls.target.clone();
      state.camera.position.set(t.x + 3, state.groundY + height, t.z + 4);
      state.controls.update();
      renderNow();
      return this.project(t);
    },
    /** Camera and target as RD x, RD y, NAP height (as in the link). */
    cameraState() {
      const o = state.info.origin;
      const c = state.camera.position;
      const t = state.controls.target;
      return [c.x + o[0], -c.z + o[1], c.y, t.x + o[0], -t.z + o[1], t.y];
    },
    project(w) {
      const v = w.clone().project(state.camera);
      const rect = state.renderer.domElement.getBoundingClientRect();
      return { x: rect.left + ((v.x + 1) / 2) * rect.width, y: rect.top + ((1 - v.y) / 2) * rect.height };
    },
    /** RGBA of the drawing buffer at CSS pixel (x, y) after a fresh render. */
    pixel(x, y) {
      renderNow();
      const gl = state.renderer.getContext();
      const rect = state.renderer.domElement.getBoundingClientRect();
      const ratio = state.renderer.getPixelRatio();
      const px = new Uint8Array(4);
      gl.readPixels(Math.round((x - rect.left) * ratio), Math.round((rect.height - (y - rect.top)) * ratio), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      return Array.from(px);
    },
    /** Switch a layer (buildings, plans, pipes, ground) on or off. */
    show(layer, on) {
      if (layer === "ground") state.ground.visible = on;
      if (layer === "models") state.models.forEach((g) => { g.visible = on; });
      if (layer === "plans") Object.values(state.planMeshes).forEach((m) => { m.visible = on; });
      if (layer === "buildings") for (const e of state.tiles.values()) if (e.mesh) e.mesh.visible = on;
      if (layer === "pipes") for (const e of state.pipeTiles.values()) if (e.mesh) e.mesh.visible = on;
      state.dirty = true;
      state.shadowsDirty = true;
    },
    pick(x, y) {
      const hit = pickAt(x, y);
      if (!hit) return null;
      return { kind: hit.kind, key: hit.kind === "plan" ? hit.plan.key : hit.kind === "pipe" ? hit.pipe.key : hit.tile.id[hit.i] };
    },
    /** Orbit for `ms` milliseconds, rendering every frame; frames per second. */
    orbit(ms) {
      return new Promise((resolve) => {
        const t0 = performance.now();
        const f0 = state.frames;
        state.orbiting = true;
        setMoving(true);
        const step = () => {
          const now = performance.now();
          const a = 0.01;
          const t = state.controls.target;
          const c = state.camera.position;
          const x = c.x - t.x; const z = c.z - t.z;
          c.x = t.x + x * Math.cos(a) - z * Math.sin(a);
          c.z = t.z + x * Math.sin(a) + z * Math.cos(a);
          state.camera.lookAt(t);
          if (now - t0 < ms) requestAnimationFrame(step);
          else {
            state.orbiting = false;
            setMoving(false);
            resolve(((state.frames - f0) * 1000) / (now - t0));
          }
        };
        step();
      });
    },
    whenIdle() { return new Promise((r) => { const chk = () => (state.inflight || state.queue.length ? setTimeout(chk, 50) : r(true)); chk(); }); },
  };
}

/* ------------------------------------------------------------------ start */

function labels() {
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = T(el.dataset.t); });
  document.getElementById("twin-lang").textContent = lang() === "nl" ? "EN" : "NL";
  document.getElementById("twin-title").textContent = T(PUBLIC ? "title.public" : "title");
  document.getElementById("link-2d").setAttribute("href", PUBLIC ? "/publiek" : "/");
}

async function start() {
  if (PUBLIC) document.body.classList.add("public");
  labels();
  document.getElementById("twin-lang").addEventListener("click", () => {
    const next = lang() === "nl" ? "en" : "nl";
    setLang(next);
    if (OR.i18n) OR.i18n.set(next);
    labels();
    if (state.selected) showPanel(state.selected);
  });
  const today = new Date();
  document.getElementById("sun-date").value = today.toISOString().slice(0, 10);
  document.getElementById("sun-time").value = "14:00";
  const container = document.getElementById("scene");
  state.info = await getJSON(API + "/scene");
  mark("scene");
  state.groundY = state.info.ground_nap;
  const cam = readHash();
  setupScene(container);
  setupGround();
  applySeeThrough();
  placeCamera(cam);
  setupThemes();
  updateSun();
  window.openruimte3d = hook();
  const plans = loadPlans();
  loadStreets();
  updateTiles();
  await plans;
  state.plansLoaded = true;
  await loadModels();
  state.modelsLoaded = true;
  // the tiles are idle when they went idle before, or when none was in reach (nothing queued or loading)
  if (state.tilesIdle || (!state.inflight && !state.queue.length)) onTilesIdle();
  loop();
  const wanted = new URLSearchParams(location.hash.slice(1)).get("plan");
  if (wanted) openPlan(wanted);

  const on = (id, ev, fn) => document.getElementById(id).addEventListener(ev, fn);
  for (const id of ["f-phase", "f-hardness", "f-owner", "f-from", "f-to", "colour-by"]) on(id, "change", readFilters);
  on("see-through", "change", (e) => { state.seeThrough = e.target.checked; applySeeThrough(); scheduleHash(); });
  on("shadows", "change", (e) => { state.shadows = e.target.checked; updateSun(); });
  on("sun-date", "change", () => { updateSun(); scheduleHash(); });
  on("sun-time", "change", () => { updateSun(); scheduleHash(); });
  on("show-buildings", "change", (e) => window.openruimte3d.show("buildings", e.target.checked));
  on("show-plans", "change", (e) => window.openruimte3d.show("plans", e.target.checked));
  on("show-pipes", "change", applyThemes);
  on("copy-link", "click", async () => {
    writeHash();
    try { await navigator.clipboard.writeText(location.href); toast(T("copied")); } catch (e) { toast(location.href); }
  });
  let down = null;
  state.renderer.domElement.addEventListener("pointerdown", (e) => { down = [e.clientX, e.clientY]; });
  state.renderer.domElement.addEventListener("pointerup", (e) => {
    if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 4) return;
    state.selected = pickAt(e.clientX, e.clientY);
    showPanel(state.selected);
  });
}

/** Look at a plan and open its panel (a link #plan=OWNER:ID from the public map's cards). */
function openPlan(key) {
  const i = state.plans.findIndex((p) => p.key === key);
  if (i < 0) return;
  const p = state.plans[i];
  const at = window.openruimte3d.focus("plan", key, [60, 90, 120]);
  const [x, z] = sceneXZ(p.anchor[0], p.anchor[1]);
  state.selected = { kind: "plan", plan: p, point: new THREE.Vector3(x, state.groundY + p.top, z) };
  showPanel(state.selected);
  return at;
}

function toast(text) {
  const el = document.createElement("div");
  el.className = "toast";
  el.textContent = text;
  document.getElementById("scene").appendChild(el);
  setTimeout(() => el.remove(), 2500);
}

function boot() {
  start().catch((e) => {
    console.error("3D:", e);
    document.getElementById("scene").dataset.error = String(e.message || e);
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();

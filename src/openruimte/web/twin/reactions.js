/* Residents' reactions on a published plan (public 3D view): read the approved ones, place one at the
 * clicked point, report one. No cookies, no tracking: the server limits per IP address and the form
 * carries a honeypot field that people never see. */

async function send(url, body) {
  const resp = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body) });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error((data.error && data.error.message) || "HTTP " + resp.status);
  return data;
}

export async function setupReactions(panel, plan, rd, T) {
  const [owner, ...rest] = plan.key.split(":");
  const id = rest.join(":");
  const base = `/api/public/plans/${encodeURIComponent(owner)}/${encodeURIComponent(id)}/reactions`;
  const box = document.createElement("section");
  box.dataset.testid = "reactions";
  const h = document.createElement("h4");
  h.textContent = T("reactions");
  const list = document.createElement("div");
  list.dataset.testid = "reaction-list";
  box.append(h, list);
  panel.appendChild(box);
  let settings = { retention_days: 365 };
  try {
    const resp = await fetch(base, { headers: { Accept: "application/json" } });
    const data = await resp.json();
    settings = data.settings || settings;
    if (!data.reactions.length) list.textContent = T("reactions.none");
    for (const r of data.reactions) {
      const item = document.createElement("div");
      item.className = "reaction";
      item.dataset.id = r.id;
      const p = document.createElement("p");
      p.textContent = r.text;
      const small = document.createElement("small");
      small.textContent = new Date(r.created_at).toLocaleDateString() + " ";
      const rep = document.createElement("button");
      rep.className = "report";
      rep.type = "button";
      rep.textContent = T("reaction.report");
      rep.addEventListener("click", async () => {
        try { await send(`/api/public/reactions/${r.id}/report`, { reason: "" }); rep.textContent = T("reaction.reported"); rep.disabled = true; } catch (e) { rep.textContent = e.message; }
      });
      small.appendChild(rep);
      item.append(p, small);
      list.appendChild(item);
    }
  } catch (e) { list.textContent = T("reaction.error", { msg: e.message }); }
  const form = document.createElement("form");
  form.dataset.testid = "reaction-form";
  form.innerHTML = `<h4></h4><label><span></span><textarea name="text" required maxlength="2000"></textarea></label>
    <label><span></span><input type="email" name="email" autocomplete="email"></label>
    <div class="hp" aria-hidden="true"><label>Website <input type="text" name="website" tabindex="-1" autocomplete="off"></label></div>
    <p class="muted small"></p><p class="muted small privacy"></p><button type="submit"></button><p class="result" role="status"></p>`;
  form.querySelector("h4").textContent = T("reaction.new");
  const spans = form.querySelectorAll("label > span");
  spans[0].textContent = T("reaction.text");
  spans[1].textContent = T("reaction.email");
  form.querySelectorAll("p.muted")[0].textContent = T("reaction.point");
  form.querySelector("p.privacy").textContent = T("reaction.privacy", { days: settings.retention_days });
  form.querySelector("button").textContent = T("reaction.submit");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = form.querySelector(".result");
    const fd = new FormData(form);
    try {
      const data = await send(base, { text: fd.get("text"), email: fd.get("email") || null, website: fd.get("website") || "", x: rd[0], y: rd[1] });
      out.textContent = T("reaction.thanks", { receipt: data.receipt });
      out.dataset.receipt = data.receipt;
      form.querySelector("textarea").value = "";
    } catch (e) { out.textContent = T("reaction.error", { msg: e.message }); }
  });
  box.appendChild(form);
}

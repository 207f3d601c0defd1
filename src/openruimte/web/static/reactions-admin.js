/* Residents' reactions in the programming map's plan panel (#16): counts per status, and for the plan's
 * moderators (its organisation, the coordinator) the reactions with approve / reject. */
(function () {
  "use strict";
  const OR = (window.OR = window.OR || {});
  const L = {
    nl: { title: "Reacties van bewoners", none: "Geen reacties.", approve: "Goedkeuren", reject: "Afwijzen",
      pending: "te beoordelen", approved: "goedgekeurd", rejected: "afgewezen", hidden: "verborgen na meldingen",
      reports: "meldingen", email: "e-mail voor antwoord" },
    en: { title: "Residents' reactions", none: "No reactions.", approve: "Approve", reject: "Reject",
      pending: "to review", approved: "approved", rejected: "rejected", hidden: "hidden after reports",
      reports: "reports", email: "e-mail for an answer" },
  };
  const t = (k) => (L[OR.i18n && OR.i18n.lang === "en" ? "en" : "nl"][k] || k);

  async function section(key) {
    const h = OR.util.h;
    const sec = h("section", { class: "sec", id: "plan-reactions", "data-testid": "plan-reactions" }, h("h3", null, t("title")));
    let list = [];
    try {
      const data = await OR.util.getJSON("/api/reactions");
      list = data.reactions.filter((r) => r.plan === key);
    } catch (e) { /* not a moderator of this plan: counts only */ }
    let counts = {};
    try { counts = (await OR.util.getJSON("/api/reactions/counts")).counts[key] || {}; } catch (e) { counts = {}; }
    const summary = Object.entries(counts).map(([s, n]) => `${n} ${t(s)}`).join(" · ");
    sec.appendChild(h("p", { class: "muted", "data-testid": "reaction-counts" }, summary || t("none")));
    for (const r of list) {
      const buttons = r.status === "approved" || r.status === "rejected" ? [] : [
        h("button", { type: "button", class: "link-btn", onclick: () => review(r.id, "approve", key) }, t("approve")),
        " ",
        h("button", { type: "button", class: "link-btn", onclick: () => review(r.id, "reject", key) }, t("reject")),
      ];
      sec.appendChild(h("div", { class: "reaction", "data-id": String(r.id) },
        h("p", null, r.text),
        h("div", { class: "muted small" }, `${t(r.status)} · ${r.reports} ${t("reports")}` + (r.email ? ` · ${t("email")}: ${r.email}` : "")),
        buttons));
    }
    return sec;
  }

  async function review(id, decision, key) {
    await OR.util.getJSON(`/api/reactions/${id}/${decision}`, { method: "POST" });
    const old = document.getElementById("plan-reactions");
    if (old) old.replaceWith(await section(key));
  }

  OR.reactions = { section };
})();

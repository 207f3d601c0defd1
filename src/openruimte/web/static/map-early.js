/* The programming map's start-up request (/api/map), sent as soon as the page starts: the page's
   scripts (MapLibre among them) are deferred and take most of a second to load, and meanwhile the
   server renders the plans (the first time after a write) and sends them. app.js takes this answer
   when it asks for the same URL; a link with filters (#phase=..., #q=...) asks for itself. */
(function () {
  "use strict";
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const filters = ["phase", "hardness", "owner", "asset_type", "theme", "start", "end", "from", "to", "q"];
  if (filters.some((k) => params.get(k))) return;
  const url = "/api/map?";
  const json = fetch(url, { headers: { Accept: "application/json" } }).then((resp) => {
    if (!resp.ok) {
      const err = new Error(url + ": HTTP " + resp.status);
      err.status = resp.status;
      throw err;
    }
    return resp.json();
  });
  json.catch(() => {}); // app.js reports a failure when it takes the answer
  window.OR_EARLY_MAP = { url: url, json: json };
})();

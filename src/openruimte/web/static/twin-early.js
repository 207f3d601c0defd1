/* The 3D view's first requests (scene, plans, placed models) sent as soon as the page starts: the
   viewer's bundle (three.js) takes a while to load, and meanwhile the server renders these answers
   (the first time after a write) and sends them. The bundle takes each answer when it asks for the
   same URL (twin/main.js, getJSON). */
(function () {
  "use strict";
  const api = location.pathname.startsWith("/publiek") ? "/api/public/twin" : "/api/twin";
  const early = {};
  for (const path of ["/scene", "/plans", "/models"]) {
    const url = api + path;
    const json = fetch(url, { headers: { Accept: "application/json" } }).then((resp) => {
      if (!resp.ok) throw new Error(url + ": HTTP " + resp.status);
      return resp.json();
    });
    json.catch(() => {}); // the viewer reports a failure when it takes the answer
    early[url] = json;
  }
  window.OR_EARLY_TWIN = early;
})();

/* OpenRuimte login page: labels in Dutch or English (the app's switch). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const i18n = window.OR.i18n;
    i18n.apply();
    document.getElementById("lang-switch").addEventListener("click", () => i18n.toggle());
  });
})();

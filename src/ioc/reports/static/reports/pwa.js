/* Registers the citizen pages' service worker (offline shell). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  var url = script.dataset.sw;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: url.replace(/sw\.js$/, "") }).catch(function () { /* not over plain http */ });
  });
})();

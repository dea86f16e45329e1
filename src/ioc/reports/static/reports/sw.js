/* Service worker of the citizen pages (/reports/): keeps the shell for offline use.
   Pages: network first, the cached copy when offline. Static files and boundaries:
   the cached copy first, refreshed in the background. Posts are never cached (the draft lives in localStorage). */
"use strict";
var CACHE = "ioc-reports-v1";
var SHELL = ["/reports/new/", "/reports/track/"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).catch(function () {}));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key !== CACHE; }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var isStatic = url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/api/v1/geo/units.geojson") === 0;
  if (isStatic) {
    // Stale while revalidate: the cached copy answers at once (offline too) and a fresh
    // one replaces it in the background, so an upgrade of the IOC reaches installed apps
    // at their next visit although static file names carry no hash.
    event.respondWith(
      caches.match(request).then(function (cached) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (cache) { cache.put(request, copy); }); }
          return response;
        });
        if (cached) { fresh.catch(function () {}); return cached; }
        return fresh;
      })
    );
    return;
  }
  if (request.mode === "navigate" && url.pathname.indexOf("/reports/") === 0) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (cache) { cache.put(request, copy); }); }
        return response;
      }).catch(function () {
        return caches.match(request).then(function (cached) { return cached || caches.match("/reports/new/"); });
      })
    );
  }
});

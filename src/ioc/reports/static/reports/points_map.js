/* Reports as circle markers coloured by status, over the commune shapes (no tiles). The
   points come from a json_script beside the map: a list (public map) or one point. */
(function () {
  "use strict";

  function draw(element) {
    if (element.dataset.init) return;
    element.dataset.init = "true";
    var source = element.nextElementSibling;
    var data = source && source.type === "application/json" ? JSON.parse(source.textContent) : [];
    var points = Array.isArray(data) ? data : [data];
    var map = L.map(element, { zoomSnap: 0.25, scrollWheelZoom: false });
    if (element.dataset.tileUrl) L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(map);
    var markers = L.featureGroup();
    points.forEach(function (point) {
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: points.length > 1 ? 6 : 9, color: "#ffffff", weight: 1.5, fillColor: point.colour, fillOpacity: 0.9,
      });
      if (point.url) marker.bindTooltip(point.code).on("click", function () { window.location.href = point.url; });
      markers.addLayer(marker);
    });
    fetch(element.dataset.geojsonUrl)
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (collection) {
        var shapes = L.geoJSON(collection, {
          style: function () { return { color: "#7a93ad", weight: 0.8, fillColor: "#f8f5ea", fillOpacity: 0.9 }; },
          onEachFeature: function (feature, shape) {
            var props = feature.properties;
            shape.bindTooltip(element.lang === "en" && props.name_en ? props.name_en : props.name, { sticky: true });
          },
        }).addTo(map);
        markers.addTo(map);
        if (element.dataset.zoomPoints && points.length) map.setView([points[0].lat, points[0].lon], 14);
        else map.fitBounds(shapes.getBounds(), { padding: [4, 4] });
        element.dataset.points = String(points.length);
        element.setAttribute("data-loaded", "true");
      })
      .catch(function () {
        markers.addTo(map);
        if (points.length) map.setView([points[0].lat, points[0].lon], 12);
        element.insertAdjacentHTML("afterbegin", '<div class="p-2 small text-danger position-absolute">' + element.dataset.errorText + "</div>");
      });
  }

  function drawAll() { if (window.L) document.querySelectorAll("[data-points-map]").forEach(draw); }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
  if (document.readyState !== "loading") drawAll();
})();

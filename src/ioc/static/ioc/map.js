/* Draws the deployment's administrative units from the shipped GeoJSON, with no tile layer
   unless one is configured: the map works offline. Every element with [data-ioc-map] gets one. */
(function () {
  "use strict";
  var palette = ["#1565a8", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f", "#ad1457", "#455a64", "#827717"];

  function colourFor(code) {
    var total = 0;
    for (var i = 0; i < code.length; i++) total += code.charCodeAt(i) * (i + 1);
    return palette[total % palette.length];
  }

  function draw(element) {
    var map = L.map(element, { zoomSnap: 0.25, attributionControl: true, scrollWheelZoom: false });
    element.iocMap = map;
    var tileUrl = element.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.statusText);
        return response.json();
      })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          style: function (feature) {
            var colour = colourFor(feature.properties.code);
            return { color: "#ffffff", weight: 1.2, fillColor: colour, fillOpacity: 0.55 };
          },
          onEachFeature: function (feature, shape) {
            var props = feature.properties;
            var name = element.lang === "en" && props.name_en ? props.name_en : props.name;
            shape.bindTooltip(name, { sticky: true });
            shape.on("mouseover", function () { shape.setStyle({ fillOpacity: 0.85, weight: 2 }); });
            shape.on("mouseout", function () { layer.resetStyle(shape); });
          },
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        element.dataset.features = String(collection.features.length);
        element.setAttribute("data-loaded", "true");
      })
      .catch(function (error) {
        element.setAttribute("data-error", String(error));
        element.innerHTML = '<div class="p-3 text-danger">' + element.dataset.errorText + "</div>";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-ioc-map]").forEach(draw);
  });
})();

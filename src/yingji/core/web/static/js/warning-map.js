/* yingji — a published warning's area (early_warnings/templates/detail.html); needs Leaflet.
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
(function () {
  "use strict";
  var el = document.getElementById("warning-map");
  if (!window.L || !el) return;
  var map = L.map(el);
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, {maxZoom: 18}).addTo(map);
  var layer = L.geoJSON(JSON.parse(el.dataset.polygon), {style: {color: "#d9480f"}}).addTo(map);
  map.fitBounds(layer.getBounds());
})();

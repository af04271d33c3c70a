/* yingji — an evacuation plan's routes (incidents/evacuation/templates/plan.html); needs Leaflet.
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
(function () {
  "use strict";
  var box = document.getElementById("evacuation-map");
  if (!box || !window.L) return;
  var lines = JSON.parse(box.getAttribute("data-lines"));
  var map = L.map(box);
  window.yingjiEvacuationMap = map;  // for the browser tests
  var tiles = box.getAttribute("data-tiles");
  if (tiles) L.tileLayer(tiles, {maxZoom: 18}).addTo(map);
  var bounds = [];
  lines.forEach(function (l) {
    var a = [l.from[1], l.from[0]], b = [l.to[1], l.to[0]];
    // A text node, not a string: Leaflet puts a string tooltip in as HTML, and the label
    // carries village and shelter names that users typed.
    var tip = document.createElement("span");
    tip.textContent = String(l.label);
    L.polyline([a, b], {color: "#c8161d", weight: 2}).bindTooltip(tip).addTo(map);
    L.circleMarker(b, {radius: 6, color: "#1e8a4c"}).addTo(map);
    bounds.push(a, b);
  });
  if (bounds.length) map.fitBounds(bounds, {padding: [20, 20]}); else map.setView([29.4, 105.6], 11);
})();

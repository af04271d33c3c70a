/* yingji — the risk colour map (risks/templates/colour_map.html); needs Leaflet.
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
(function () {
  "use strict";
  var el = document.getElementById("risk-map");
  if (!el || !window.L) return;
  var d = el.dataset;
  var paint = JSON.parse(d.paint);
  var c = (d.center || "").split(",").map(parseFloat);
  var map = L.map(el, { minZoom: 3, maxZoom: 18 });
  window.yingjiMap = map;
  map.setView([c[1] || 35, c[0] || 105], parseInt(d.zoom, 10) || 11);
  if (d.tiles) L.tileLayer(d.tiles, { maxZoom: 18 }).addTo(map); else el.classList.add("map-no-tiles");
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); });
  }
  function text(v) { return v === null || v === undefined ? "" : String(v); }
  // As on the one map (map.js): numbers with at most 2 decimals, lists joined with 、.
  function valueText(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "boolean") return v ? "是" : "否";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
    if (Array.isArray(v)) return v.map(valueText).filter(function (t) { return t !== ""; }).join("、");
    return String(v);
  }
  var fields = [];
  try { fields = JSON.parse(d.fields || "[]"); } catch (err) { fields = []; }
  if (!Array.isArray(fields)) fields = [];
  // A popup built from text nodes: the name (linked to the point's page), then 字段：值 rows.
  function popupFor(p) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var h = document.createElement("h3");
    var a = document.createElement("a");
    // A same-origin path only: not "//host" nor "/\\host", which browsers read as a host.
    a.href = typeof p.detail_url === "string" && /^\/(?![\/\\])/.test(p.detail_url) ? p.detail_url : "#";
    a.textContent = text(p.name);
    h.appendChild(a);
    box.appendChild(h);
    var table = document.createElement("table");
    fields.forEach(function (pair) {
      if (!Array.isArray(pair) || pair.length !== 2) return;
      var key = String(pair[0]);
      var value = key === "level" && !text(p.level) ? "未评价" : valueText(p[key]);
      if (value === "") return;
      var tr = table.insertRow();
      var th = document.createElement("th");
      th.textContent = String(pair[1]) + "：";
      tr.appendChild(th);
      tr.insertCell().textContent = value;
    });
    if (table.rows.length) box.appendChild(table);
    return box;
  }
  var groups = {};
  Object.keys(paint).forEach(function (k) { groups[k] = L.layerGroup().addTo(map); });
  var divisions = getJson(d.divisions).then(function (geo) {
    var layer = L.geoJSON(geo, { interactive: false, style: { color: "#0b3d91", weight: 1, fillOpacity: 0.02 } }).addTo(map);
    layer.bringToBack();
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
  }).catch(function () {});
  var points = getJson(d.points).then(function (geo) {
    var counts = {};
    (geo.features || []).forEach(function (f) {
      var p = f.properties || {};
      var color = paint[p.color] ? p.color : "";
      counts[color] = (counts[color] || 0) + 1;
      var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      var marker = L.circleMarker(ll, { radius: 8, color: "#fff", weight: 1.5, fillColor: paint[color], fillOpacity: 0.95 });
      marker.bindPopup(popupFor(p), { maxWidth: 320 });
      // An element, not a string: Leaflet puts a string tooltip in as HTML.
      var tip = document.createElement("span");
      tip.textContent = text(p.name);
      marker.bindTooltip(tip);
      marker.addTo(groups[color]);
    });
    document.querySelectorAll(".legend-count").forEach(function (span) {
      span.textContent = counts[span.getAttribute("data-color")] || 0;
    });
  }).catch(function () {
    var err = document.createElement("div");
    err.className = "map-error"; err.setAttribute("role", "alert");
    err.textContent = "风险点加载失败";
    el.appendChild(err);
  });
  document.querySelectorAll("#risk-legend input").forEach(function (box) {
    box.addEventListener("change", function () {
      var g = groups[box.value];
      if (!g) return;
      if (box.checked) g.addTo(map); else map.removeLayer(g);
    });
  });
  Promise.all([divisions, points]).then(function () { el.setAttribute("data-state", "ready"); });
})();

/* yingji — the incident command page's map: the incident, its rescue rings (应急救援圈)
 * and the resources around it. Needs Leaflet (global L) loaded first.
 * <div id="response-map"> is configured by JSON data attributes (rendered by
 * incidents/dispatch/pages.py):
 *   data-incident   {lon, lat, title}
 *   data-rings      [{minutes, radius_km}]  innermost first
 *   data-teams      [{name, lon, lat, available, eta_minutes, distance_km, reasons}]
 *   data-resources  {equipment: [...], shelters: [...], warehouses: [{..., stock: [...]}]}
 *   data-tiles      tile URL template; empty = no base map
 *   data-divisions  URL of township boundaries (GeoJSON) drawn for orientation
 * Sets data-state="ready" once the boundaries have loaded (or failed).
 * Popups are built from DOM text nodes: names come from user input.
 * Plain ES2017, no build step.
 */
(function () {
  "use strict";
  if (!window.L) return;
  var el = document.getElementById("response-map");
  if (!el) return;

  var COLORS = {
    incident: "#c8161d",
    available: "#1a7f37",
    unavailable: "#8c959f",
    equipment: "#d4700a",
    shelter: "#0b63c4",
    warehouse: "#7a3fb0",
  };
  var RING_COLORS = ["#c8161d", "#d4700a", "#0b63c4"];

  function parse(name, fallback) {
    try {
      var v = el.getAttribute(name);
      return v ? JSON.parse(v) : fallback;
    } catch (err) {
      if (window.console) console.error(name, err);
      return fallback;
    }
  }

  /* A popup: a title, a kind line, then label/value rows (skipping empty values). */
  function popup(title, kind, rows, lines) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var h = document.createElement("h3");
    h.textContent = title;
    box.appendChild(h);
    var k = document.createElement("div");
    k.className = "layer-name";
    k.textContent = kind;
    box.appendChild(k);
    var table = document.createElement("table");
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") return;
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.textContent = r[0];
      var td = document.createElement("td");
      td.textContent = String(r[1]);
      tr.appendChild(th);
      tr.appendChild(td);
      table.appendChild(tr);
    });
    box.appendChild(table);
    if (lines && lines.length) {
      var ul = document.createElement("ul");
      lines.forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    return box;
  }

  function dot(lat, lon, color, radius) {
    return L.circleMarker(L.latLng(lat, lon), {
      radius: radius, color: "#fff", weight: 2, fillColor: color, fillOpacity: 0.95,
    });
  }

  var incident = parse("data-incident", null);
  if (!incident) return;
  var rings = parse("data-rings", []);
  var teams = parse("data-teams", []);
  var res = parse("data-resources", {});
  var center = L.latLng(incident.lat, incident.lon);

  // Quarter zoom steps let the outermost ring fill the frame instead of a third of it.
  var map = L.map(el, { scrollWheelZoom: false, minZoom: 3, maxZoom: 18, zoomSnap: 0.25 });
  // Frame the outermost ring before anything is drawn: a first view is set without the
  // zoom animation, so markers are where they belong as soon as the page shows.
  var outerKm = rings.length ? rings[rings.length - 1].radius_km : 5;
  map.fitBounds(center.toBounds(outerKm * 2000), { padding: [10, 10] });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
  } else {
    el.classList.add("map-no-tiles");
  }
  el.yingjiMap = map;

  // Rings outermost first so the inner ones stay clickable on top.
  var ringLayer = L.layerGroup();
  rings.slice().reverse().forEach(function (r, i) {
    var c = L.circle(center, {
      radius: r.radius_km * 1000,
      color: RING_COLORS[(rings.length - 1 - i) % RING_COLORS.length],
      weight: 2, dashArray: "6 4", fillOpacity: 0.04,
    });
    // An element, not a string: Leaflet puts a string tooltip in as HTML.
    var tip = document.createElement("span");
    tip.textContent = r.minutes + " 分钟救援圈（半径 " + Number(r.radius_km).toFixed(1) + " 公里）";
    c.bindTooltip(tip, { sticky: true });
    c.addTo(ringLayer);
  });
  ringLayer.addTo(map);

  var teamLayer = L.layerGroup();
  teams.forEach(function (t) {
    dot(t.lat, t.lon, t.available ? COLORS.available : COLORS.unavailable, 8)
      .bindPopup(popup(t.name, t.available ? "救援队伍 · 可调派" : "救援队伍 · 不可调派", [
        ["距离", t.distance_km + " 公里"],
        ["预计到达", t.eta_minutes + " 分钟"],
      ], t.reasons || []), { maxWidth: 320 })
      .addTo(teamLayer);
  });
  teamLayer.addTo(map);

  var equipmentLayer = L.layerGroup();
  (res.equipment || []).forEach(function (e) {
    dot(e.lat, e.lon, COLORS.equipment, 6)
      .bindPopup(popup(e.name, "待命装备", [
        ["类型", e.kind],
        ["数量", e.quantity + " " + e.unit],
        ["距离", e.distance_km + " 公里"],
        ["预计到达", e.eta_minutes + " 分钟"],
      ]), { maxWidth: 320 })
      .addTo(equipmentLayer);
  });
  equipmentLayer.addTo(map);

  var shelterLayer = L.layerGroup();
  (res.shelters || []).forEach(function (s) {
    dot(s.lat, s.lon, COLORS.shelter, 6)
      .bindPopup(popup(s.name, s.class_label + "避难场所 · 开放", [
        ["容纳人数", s.capacity_persons + " 人"],
        ["距离", s.distance_km + " 公里"],
      ]), { maxWidth: 320 })
      .addTo(shelterLayer);
  });
  shelterLayer.addTo(map);

  var warehouseLayer = L.layerGroup();
  (res.warehouses || []).forEach(function (w) {
    var stock = (w.stock || []).map(function (x) { return x.item + " " + x.quantity + " " + x.unit; });
    dot(w.lat, w.lon, COLORS.warehouse, 6)
      .bindPopup(popup(w.name, "物资仓库", [
        ["距离", w.distance_km + " 公里"],
        ["预计到达", w.eta_minutes + " 分钟"],
        ["库存", stock.length ? "" : "无库存"],
      ], stock), { maxWidth: 320 })
      .addTo(warehouseLayer);
  });
  warehouseLayer.addTo(map);

  // The incident last: on top of everything else.
  dot(incident.lat, incident.lon, COLORS.incident, 10)
    .bindPopup(popup(incident.title, "事发位置", []))
    .addTo(map);

  L.control.layers(null, {
    "救援圈": ringLayer,
    "救援队伍": teamLayer,
    "待命装备": equipmentLayer,
    "避难场所": shelterLayer,
    "物资仓库": warehouseLayer,
  }, { collapsed: true }).addTo(map);

  function ready() { el.setAttribute("data-state", "ready"); }
  var url = el.dataset.divisions;
  if (!url) { ready(); return; }
  fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (geo) {
      var layer = L.geoJSON(geo, {
        interactive: false,
        style: { color: "#0b3d91", weight: 1.5, opacity: 0.8, fillOpacity: 0.02, dashArray: "4 3" },
      }).addTo(map);
      layer.bringToBack();
    })
    .catch(function (err) { if (window.console) console.error("divisions", err); })
    .then(ready);
})();

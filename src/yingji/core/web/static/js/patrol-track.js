/* yingji — a running patrol (patrols/templates/patrol.html): track map and position upload; needs Leaflet.
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); page data comes from data- attributes. Plain ES2017.
 */
(function () {
  "use strict";
  var el = document.getElementById("track-map");
  var line = null, map = null;
  if (el && window.L) {
    var d = el.dataset;
    var track = JSON.parse(d.track || "[]");
    var c = (d.center || "").split(",").map(parseFloat);
    map = L.map(el, { scrollWheelZoom: false });
    map.setView(track.length ? track[track.length - 1] : [c[1], c[0]], track.length ? 16 : parseInt(d.zoom, 10) || 12);
    if (d.tiles) L.tileLayer(d.tiles, { maxZoom: 18 }).addTo(map); else el.classList.add("map-no-tiles");
    line = L.polyline(track, { color: "#1f6fd1", weight: 4 }).addTo(map);
    if (track.length > 1) map.fitBounds(line.getBounds(), { padding: [20, 20] });
  }
  var box = document.getElementById("tracking");
  if (!box) return;
  var status = document.getElementById("tracking-status");
  var patrol = box.getAttribute("data-patrol");
  var key = "yingji-track-" + patrol;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  // Positions wait in localStorage until the server has them: a dead zone loses nothing.
  var pending = [];
  try { pending = JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { pending = []; }
  function save() { try { localStorage.setItem(key, JSON.stringify(pending)); } catch (e) {} }
  function say(t) { status.textContent = t; }
  var sending = false;
  function flush() {
    if (sending || !pending.length) return;
    sending = true;
    var batch = pending.slice(0, 500);
    fetch("/api/v1/patrols/" + patrol + "/track-points", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ points: batch }),
    }).then(function (r) {
      if (r.status === 409) { pending = []; save(); say("巡查已结束"); return null; }
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (res) {
      if (!res) return;
      pending = pending.slice(batch.length); save();
      document.getElementById("point-count").textContent = res.point_count;
      document.getElementById("distance").textContent = Math.round(res.distance_m);
      say("轨迹已上传（" + res.point_count + " 个点）");
    }).catch(function () {
      say("网络不通，轨迹暂存在手机上（" + pending.length + " 个点），恢复后自动上传");
    }).then(function () { sending = false; });
  }
  if (!navigator.geolocation) { say("此浏览器不支持定位，无法记录轨迹；仍可登记检查项。"); return; }
  var last = 0;
  var started = false;
  navigator.geolocation.watchPosition(function (pos) {
    var now = Date.now();
    if (now - last < 10000) return;  // one position per 10 s is enough for a walking patrol
    last = now;
    pending.push({
      recorded_at: new Date(pos.timestamp || now).toISOString(),
      longitude: pos.coords.longitude, latitude: pos.coords.latitude,
      accuracy_m: pos.coords.accuracy,
    });
    save();
    if (line) line.addLatLng([pos.coords.latitude, pos.coords.longitude]);
    say("正在记录轨迹（待上传 " + pending.length + " 个点）");
    // The first position goes up at once (the supervisor sees the patrol has started);
    // after that, in batches to spare the battery and the data plan.
    if (pending.length >= 6 || !started) { started = true; flush(); }
  }, function () {
    say("无法获取位置（未授权或信号弱）；仍可登记检查项和上报。");
  }, { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
  setInterval(flush, 60000);
  flush();
  var finish = document.getElementById("finish-form");
  if (finish) finish.addEventListener("submit", flush);
})();

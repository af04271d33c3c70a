/* yingji — a device's live readings chart (monitoring/templates/device.html); needs ECharts.
 * Moved out of the template so the Content-Security-Policy can forbid inline script
 * (core/web/security.py); the chart data comes from #reading-chart's data-chart attribute. Plain ES2017.
 */
(function () {
  var el = document.getElementById("reading-chart");
  if (!window.echarts || !el) { return; }
  var data = JSON.parse(el.getAttribute("data-chart"));
  var chart = echarts.init(el);
  var names = {};
  data.metrics.forEach(function (m) { names[m.code] = (m.label || m.code) + "（" + m.unit + "）"; });
  function option() {
    var series = Object.keys(data.series).map(function (code) {
      return { name: names[code] || code, type: "line", showSymbol: false, data: data.series[code] };
    });
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 40 },
      xAxis: { type: "time" },
      yAxis: { type: "value", scale: true },
      series: series
    };
  }
  chart.setOption(option());
  window.addEventListener("resize", function () { chart.resize(); });
  if (!window.EventSource) { return; }
  var source = new EventSource(data.stream + "?after=" + data.after);
  source.addEventListener("readings", function (ev) {
    JSON.parse(ev.data).forEach(function (r) {
      (data.series[r.metric] = data.series[r.metric] || []).push([r.observed_at, r.value]);
      var badge = document.querySelector('[data-latest="' + CSS.escape(String(r.metric)) + '"]');
      if (badge) {
        // The server put the metric's Chinese name on the badge; the value keeps at most
        // two decimals, as the server renders it (core/web/display.py format_number).
        var shown = Number.isFinite(Number(r.value)) ? String(Number(Number(r.value).toFixed(2))) : String(r.value);
        badge.textContent = (badge.dataset.metricLabel || r.metric) + "：" + shown;
      }
    });
    if (ev.lastEventId) { data.after = ev.lastEventId; }
    chart.setOption(option());
  });
  source.onerror = function () {
    // The server closes the stream every minute; reconnect from the last reading seen.
    source.close();
    setTimeout(function () { source = new EventSource(data.stream + "?after=" + data.after); }, 3000);
  };
})();

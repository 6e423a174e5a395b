// The township landing page's charts: its monthly average against the county's, and its four
// focus areas against the county's. Each chart has a data table beside it (<details>).
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : [];
  }
  function chart(id, option, empty) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el);
    if (empty) {
      option.title = { text: "暂无评分数据", left: "center", top: "middle", textStyle: { color: "#888", fontSize: 14, fontWeight: "normal" } };
    }
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  var trend = read("township-trend");
  chart("chart-township-trend", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 50, right: 20, top: 20, bottom: 50 },
    xAxis: { type: "category", data: trend.map(function (d) { return d[0] + "月"; }) },
    yAxis: { type: "value", min: 0 },
    series: [
      { name: "本乡镇", type: "line", smooth: true, connectNulls: false, label: { show: true }, data: trend.map(function (d) { return d[1]; }) },
      { name: "全县", type: "line", smooth: true, lineStyle: { type: "dashed" }, data: trend.map(function (d) { return d[2]; }) }
    ]
  }, trend.length === 0);
  var areas = read("township-areas");
  chart("chart-township-areas", {
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
    legend: { bottom: 0 },
    grid: { left: 50, right: 20, top: 20, bottom: 50 },
    xAxis: { type: "category", data: areas.map(function (a) { return a[0]; }) },
    yAxis: { type: "value", min: 0, max: 100 },
    series: [
      { name: "本乡镇", type: "bar", label: { show: true, position: "top", formatter: "{c}%" }, data: areas.map(function (a) { return a[1]; }) },
      { name: "全县", type: "bar", data: areas.map(function (a) { return a[2]; }) }
    ]
  }, areas.every(function (a) { return a[1] == null && a[2] == null; }));
})();

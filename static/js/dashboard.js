(function () {
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var linkData = document.getElementById("dashboard-links");
  var links = linkData ? linkData.dataset : {};
  function chart(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el);
    c.setOption(option);
    if (onClick) c.on("click", onClick);
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("chart-trend", {
    tooltip: { trigger: "axis" },
    grid: { left: 50, right: 20, top: 20, bottom: 30 },
    xAxis: { type: "category", data: data.trend.map(function (d) { return d[0] + "月"; }) },
    yAxis: { type: "value", min: 0 },
    series: [{ name: "平均分", type: "line", smooth: true, data: data.trend.map(function (d) { return d[1]; }), areaStyle: { opacity: 0.1 } }]
  }, function (p) { window.location = links.scores.replace(/period=\d+/, "period=" + parseInt(p.name, 10)); });
  chart("chart-heatmap", {
    tooltip: { formatter: function (p) { return data.townships[p.value[1]] + " · " + data.categories[p.value[0]] + "：" + p.value[2].toFixed(1) + "%（点击查看各村）"; } },
    grid: { left: 80, right: 20, top: 10, bottom: 60 },
    xAxis: { type: "category", data: data.categories },
    yAxis: { type: "category", data: data.townships, inverse: true },
    visualMap: { min: 50, max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#c62828", "#ffb300", "#2e7d32"] } },
    series: [{ type: "heatmap", data: data.heatmap, label: { show: true, fontSize: 12, fontWeight: "bold", color: "#fff", textBorderColor: "rgba(0,0,0,.55)", textBorderWidth: 2, formatter: function (p) { return p.value[2].toFixed(1); } } }]
  }, function (p) { window.location = links.scores + "&township=" + data.township_ids[p.value[1]] + "&sort=rank"; });
  chart("chart-grades", {
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["40%", "70%"], data: data.grades.map(function (g) { return { name: g[0], value: g[1], grade: g[2] }; }) }]
  }, function (p) { window.location = links.ratings + "&grade=" + p.data.grade; });
  chart("chart-ranking", {
    tooltip: { trigger: "axis" },
    grid: { left: 80, right: 30, top: 10, bottom: 20 },
    xAxis: { type: "value", min: 0 },
    yAxis: { type: "category", data: data.ranking.map(function (r) { return r[0]; }), inverse: true },
    series: [{ type: "bar", data: data.ranking.map(function (r) { return r[1]; }), label: { show: true, position: "right" } }]
  }, function (p) { window.location = links.scores + "&township=" + data.ranking[p.dataIndex][2]; });
})();

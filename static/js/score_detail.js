(function () {
  var data = JSON.parse(document.getElementById("trend-data").textContent);
  var chart = echarts.init(document.getElementById("trend"));
  chart.setOption({
    title: { text: "各月得分", left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.map(function (d) { return typeof d[0] === "number" ? d[0] + "月" : d[0]; }) },
    yAxis: { type: "value", min: 0 },
    series: [{ type: "line", smooth: true, data: data.map(function (d) { return Number(d[1]); }), areaStyle: { opacity: 0.1 } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

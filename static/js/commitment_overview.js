(function () {
  var data = JSON.parse(document.getElementById("commitment-chart-data").textContent);
  var el = document.getElementById("chart-commitments");
  if (!el || typeof echarts === "undefined") return;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 40, right: 20, top: 20, bottom: 40 },
    xAxis: { type: "category", data: data.focuses },
    yAxis: { type: "value", minInterval: 1 },
    series: data.statuses.map(function (name, i) {
      return { name: name, type: "bar", stack: "status", data: data.series[i] };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

(function () {
  var kind = document.querySelector("[data-kind-select]");
  if (kind) {
    kind.addEventListener("change", function () {
      if (kind.form.period) { kind.form.period.disabled = true; }  // the new kind's latest period
      kind.form.submit();
    });
  }
  var data = JSON.parse(document.getElementById("township-ranking-data").textContent);
  var el = document.getElementById("chart-township-ranking");
  if (!el || !window.echarts || !data.series.length) { if (el) { el.style.display = "none"; } return; }
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", top: 0 },
    grid: { left: 40, right: 16, top: 40, bottom: 24 },
    xAxis: { type: "category", data: data.months.map(function (m) { return m + "月"; }) },
    yAxis: { type: "value", scale: true },
    series: data.series.map(function (s) { return { name: s.name, type: "line", connectNulls: false, data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

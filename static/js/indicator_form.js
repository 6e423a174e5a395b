// The indicator editor shows only the parameters of the method chosen (计分方法).
// Without scripts every parameter stays visible, each labelled with what it is for.
(function () {
  "use strict";
  var method = document.getElementById("id_method");
  if (!method) return;
  var fields = document.querySelectorAll("[data-param-for]");
  function show() {
    fields.forEach(function (field) {
      var box = field.closest("div[class*='col-']") || field.parentElement;
      box.hidden = field.getAttribute("data-param-for") !== method.value;
    });
    var metric = document.getElementById("id_metric");
    if (metric) {
      var box = metric.closest("div[class*='col-']") || metric.parentElement;
      box.hidden = method.value === "" || method.value === "manual";
    }
  }
  method.addEventListener("change", show);
  show();
})();

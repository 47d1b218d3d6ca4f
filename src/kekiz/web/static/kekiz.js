/* kekiz: small progressive enhancements; every page works without JavaScript. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");
  // Forms marked data-autosubmit reload on every change of a select.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target && target.tagName === "SELECT") {
        // A new level or indicator may not have the chosen period: let the server pick.
        if ((target.name === "level" || target.name === "indicator") && form.elements.period) {
          form.elements.period.disabled = true;
        }
        form.submit();
      }
    });
  });
  // Comparison: a new level starts with a fresh choice of areas.
  var compare = document.getElementById("compare-form");
  if (compare && compare.elements.level) {
    compare.elements.level.addEventListener("change", function () {
      var units = compare.elements.unit;
      if (units && units.options) {
        Array.prototype.forEach.call(units.options, function (o) { o.selected = false; });
      }
      if (compare.elements.period) { compare.elements.period.disabled = true; }
      compare.submit();
    });
  }
})();

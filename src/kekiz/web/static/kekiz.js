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
  // Wide tables scroll inside their own box: a box that does scroll becomes a named,
  // focusable region, so that it can be scrolled with the keyboard.
  var texts = {};
  try { texts = JSON.parse(document.querySelector("meta[name=kekiz-texts]").content); } catch (e) { texts = {}; }
  function nameOf(box) {
    var table = box.querySelector("table");
    var labelled = table && table.getAttribute("aria-labelledby");
    var heading = labelled && document.getElementById(labelled);
    var node = box.previousElementSibling;
    while (!heading && node && !/^H[2-4]$/.test(node.tagName)) { node = node.previousElementSibling; }
    heading = heading || node;
    var summary = box.closest("details") && box.closest("details").querySelector("summary");
    var name = (heading || summary || {}).textContent || texts.table_word || "";
    return (texts.table_region || "{name}").replace("{name}", name.trim());
  }
  function markScrolling() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box));
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  markScrolling();
  window.addEventListener("resize", markScrolling);
  document.addEventListener("toggle", markScrolling, true);  // tables inside <details>
  // Finder: the device's position as starting point, only after the user asks for it
  // (the browser then asks for consent); without JavaScript coordinates can be typed.
  var here = document.getElementById("finder-here");
  if (here && navigator.geolocation) {
    here.addEventListener("click", function () {
      var status = document.getElementById("here-status");
      var form = document.getElementById("finder-form");
      status.textContent = texts.finder_here_wait || "";
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.near.value = pos.coords.latitude.toFixed(5) + ", " +
          pos.coords.longitude.toFixed(5);
        form.elements.here.disabled = false;
        form.submit();
      }, function () {
        status.textContent = texts.finder_here_denied || "";
        form.elements.near.focus();
      }, {enableHighAccuracy: false, timeout: 15000, maximumAge: 60000});
    });
  } else if (here) {
    here.hidden = true;
  }
  // Finder: after a search the results (or the message that there are none) have focus.
  var results = document.getElementById("results-title");
  if (results && window.location.search) {
    results.focus();
  }
})();

/* kekiz: every chart and map can be downloaded as PNG, as SVG and its data as CSV.

   SVG: the figure's server-rendered SVG as a file of its own (with the few styles it
   takes from the page). PNG: that SVG drawn on a canvas at twice its size. CSV (semicolon,
   UTF-8 with BOM, for Excel): the figure's table (data-table="id"), else the values the
   SVG carries (data-x/data-v/data-y of its marks, or data-id and title of its areas).
   Before printing, closed tables open, and close again afterwards.
   No inline script or style attribute (CSP); downloads are blob: links. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var SVG_CSS = "text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans'," +
    "'DejaVu Sans',sans-serif}.tick{font-size:11px;fill:#333333}";
  var T = {};
  try { T = JSON.parse(document.querySelector("meta[name=kekiz-texts]").content); } catch (e) { T = {}; }
  function say(key, fields) {
    return (T[key] || key).replace(/\{(\w+)\}/g, function (m, k) {
      return fields && k in fields ? fields[k] : m;
    });
  }

  function save(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    window.setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function box(svg) {
    var vb = svg.viewBox && svg.viewBox.baseVal;
    if (vb && vb.width) { return {x: vb.x, y: vb.y, w: vb.width, h: vb.height}; }
    var r = svg.getBoundingClientRect();
    return {x: 0, y: 0, w: r.width || 800, h: r.height || 600};
  }

  /* The SVG as a file of its own: size, namespace, a white background, its styles. */
  function standalone(svg) {
    var b = box(svg);
    var clone = svg.cloneNode(true);
    clone.setAttribute("xmlns", NS);
    clone.setAttribute("width", String(b.w));
    clone.setAttribute("height", String(b.h));
    clone.removeAttribute("class");
    var style = document.createElementNS(NS, "style");
    style.textContent = SVG_CSS;
    var back = document.createElementNS(NS, "rect");
    back.setAttribute("x", String(b.x));
    back.setAttribute("y", String(b.y));
    back.setAttribute("width", String(b.w));
    back.setAttribute("height", String(b.h));
    back.setAttribute("fill", "#ffffff");
    var title = clone.querySelector("title");
    var after = title && title.parentNode === clone ? title.nextSibling : clone.firstChild;
    clone.insertBefore(style, after);
    clone.insertBefore(back, style.nextSibling);
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone);
  }

  function png(svg, name) {
    var b = box(svg), scale = 2;
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(b.w * scale);
      canvas.height = Math.round(b.h * scale);
      var ctx = canvas.getContext("2d");
      ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) { save(blob, name + ".png"); }, "image/png");
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(standalone(svg));
  }

  function csvField(value) {
    var text = String(value === null || value === undefined ? "" : value).replace(/\s+/g, " ").trim();
    return /[";\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function csv(rows) {
    return new Blob(["\ufeff" + rows.map(function (r) { return r.map(csvField).join(";"); })
      .join("\r\n") + "\r\n"], {type: "text/csv;charset=utf-8"});
  }

  function tableRows(table) {
    return Array.prototype.map.call(table.rows, function (row) {
      return Array.prototype.map.call(row.cells, function (cell) { return cell.textContent; });
    });
  }

  function titleOf(node) {
    var t = node.querySelector("title");
    return t ? t.textContent : "";
  }

  /* The values the SVG itself carries. */
  function svgRows(svg) {
    var marks = svg.querySelectorAll("[data-v]");
    if (marks.length) {
      return [[say("csv_series"), say("csv_x"), say("csv_value")]].concat(
        Array.prototype.map.call(marks, function (m) {
          var series = m.closest("[data-name]");
          return [series ? series.getAttribute("data-name") : "", m.getAttribute("data-x"),
                  m.getAttribute("data-v")];
        }));
    }
    var points = svg.querySelectorAll("[data-y]");
    if (points.length) {
      return [[say("csv_label"), say("csv_x"), say("csv_y")]].concat(
        Array.prototype.map.call(points, function (p) {
          return [titleOf(p), p.getAttribute("data-x"), p.getAttribute("data-y")];
        }));
    }
    return [[say("csv_id"), say("csv_label")]].concat(
      Array.prototype.map.call(svg.querySelectorAll("[data-id]"), function (a) {
        return [a.getAttribute("data-id"), titleOf(a)];
      }));
  }

  function button(label, text, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", action);
    return b;
  }

  function tools(figure, svg, n) {
    var name = figure.getAttribute("data-name") || "kekiz-" + n;
    var what = (svg.classList.contains("map") ? say("map_word") : say("chart_word")) +
      (svg.getAttribute("aria-label") ? " „" + svg.getAttribute("aria-label") + "“" : "");
    var bar = document.createElement("div");
    bar.className = "figure-tools";
    bar.appendChild(button(say("dl_png", {what: what}), "PNG", function () { png(svg, name); }));
    bar.appendChild(button(say("dl_svg", {what: what}), "SVG", function () {
      save(new Blob([standalone(svg)], {type: "image/svg+xml"}), name + ".svg");
    }));
    bar.appendChild(button(say("dl_csv"), "CSV", function () {
      var table = document.getElementById(figure.getAttribute("data-table") || "");
      save(csv(table ? tableRows(table) : svgRows(svg)), name + ".csv");
    }));
    figure.appendChild(bar);
  }

  document.querySelectorAll("figure").forEach(function (figure, n) {
    var svg = figure.querySelector("svg.map, svg.chart, svg.scatter");
    if (svg) { tools(figure, svg, n + 1); }
  });

  // print: the tables in closed <details> are printed too
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details.table-details"),
                                         function (d) { return !d.open; });
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();

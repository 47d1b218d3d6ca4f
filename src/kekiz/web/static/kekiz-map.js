/* kekiz: interactive maps (Leaflet, vendored) over the server-rendered SVG maps.

   Every <figure data-map data-level="..."> holds the server's SVG map: one link per area
   with its fill, its title (name and published value) and its page. That SVG stays the
   map without JavaScript and for print; here it becomes a Leaflet map drawn from
   /api/v1/map (the areas of the level, simplified per zoom) with the SVG's colours and
   titles: zoom and pan with mouse, touch and keyboard, place labels where they fit,
   tooltips (a tap shows one, a second tap opens the area), a place search
   (/api/v1/places) and a list of the same areas. The map is one Tab stop: arrows pan,
   + and - zoom, Enter opens the area in the centre, Home shows the whole map.
   No inline script or style attribute: styles are set through the CSSOM (CSP). */
(function () {
  "use strict";
  const L = window.L;
  const T = readTexts();
  let counter = 0;

  function readTexts() {
    const node = document.querySelector("meta[name=kekiz-texts]");
    try { return node ? JSON.parse(node.content) : {}; } catch (e) { return {}; }
  }
  function say(key, fields) {
    return (T[key] || key).replace(/\{(\w+)\}/g, (m, k) => (fields && k in fields ? fields[k] : m));
  }
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((k) => node.setAttribute(k, attrs[k]));
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* The areas of the server's SVG: id, fill, title, page, current. */
  function readAreas(svg) {
    return Array.from(svg.querySelectorAll("[data-id]")).map((node) => {
      const path = node.querySelector("path");
      const title = node.querySelector("title");
      return {id: node.getAttribute("data-id"), fill: path ? path.getAttribute("fill") : "",
              title: title ? title.textContent : node.getAttribute("data-id"),
              href: node.getAttribute("href"), current: node.classList.contains("current")};
    });
  }

  /* The SVG's hatch patterns, copied with ids of their own into a hidden SVG. */
  function copyPatterns(svg, prefix) {
    const defs = svg.querySelector("defs");
    const holder = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    holder.setAttribute("class", "kmap-defs");
    holder.setAttribute("aria-hidden", "true");
    holder.setAttribute("focusable", "false");
    const map = {};
    if (defs) {
      const copy = defs.cloneNode(true);
      copy.querySelectorAll("[id]").forEach((node) => {
        map[node.id] = prefix + node.id;
        node.id = prefix + node.id;
      });
      holder.appendChild(copy);
    }
    return {node: holder, fill: (fill) => fill.replace(/url\(#([^)]+)\)/, (m, id) => "url(#" + (map[id] || id) + ")")};
  }

  function inRing(lat, lng, ring) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i], b = ring[j];
      if ((a.lat > lat) !== (b.lat > lat) &&
          lng < (b.lng - a.lng) * (lat - a.lat) / (b.lat - a.lat) + a.lng) { inside = !inside; }
    }
    return inside;
  }
  function contains(layer, latlng) {
    let rings = layer.getLatLngs();
    if (rings.length && !Array.isArray(rings[0][0])) { rings = [rings]; }  // a polygon
    return rings.some((polygon) => polygon.reduce(
      (inside, ring) => (inRing(latlng.lat, latlng.lng, ring) ? !inside : inside), false));
  }

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then((r) => { if (!r.ok) { throw new Error(url + ": " + r.status); } return r.json(); });
  }

  function bucket(zoom) {
    const zooms = [4, 6, 8, 10, 12, 14, 16];
    return zooms.filter((z) => z <= Math.floor(zoom)).pop() || 4;
  }

  function labelWidth(text) {
    const ctx = labelWidth.ctx || (labelWidth.ctx = document.createElement("canvas").getContext("2d"));
    ctx.font = "600 12px system-ui, sans-serif";
    return ctx.measureText(text).width + 8;
  }

  function KMap(figure) {
    this.figure = figure;
    this.svg = figure.querySelector("svg.map");
    this.level = figure.getAttribute("data-level");
    this.areas = readAreas(this.svg);
    this.byId = new Map(this.areas.map((a) => [a.id, a]));
    this.id = "kmap-" + (++counter);
    this.layers = new Map();
    this.loaded = {};
    this.armed = null;
    this.pointer = "mouse";
    this.keyboard = null;
    this.build();
  }

  KMap.prototype.build = function () {
    const fig = this.figure;
    const title = this.svg.getAttribute("aria-label") || "";
    this.patterns = copyPatterns(this.svg, this.id + "-");
    this.search = this.buildSearch();
    this.help = el("p", {id: this.id + "-help", "class": "small kmap-help"}, say("map_help"));
    this.box = el("div", {id: this.id, "class": "kmap", role: "region",
                          "aria-label": say("map_label", {title: title}),
                          "aria-describedby": this.id + "-help"});
    this.centreLine = el("p", {"class": "small kmap-centre", "aria-live": "polite"});
    this.list = this.buildList();
    fig.insertBefore(this.search, this.svg);
    fig.insertBefore(this.box, this.svg);
    fig.insertBefore(this.patterns.node, this.svg);
    fig.insertBefore(this.centreLine, this.svg);
    fig.insertBefore(this.help, this.svg);
    fig.appendChild(this.list);
    const vb = (this.svg.getAttribute("viewBox") || "0 0 4 3").split(/\s+/).map(Number);
    const width = this.box.clientWidth || fig.clientWidth || 600;
    this.box.style.height = Math.round(Math.max(280, Math.min(width * vb[3] / vb[2],
                                                              window.innerHeight * 0.75))) + "px";
    fig.classList.add("kmap-on");
  };

  KMap.prototype.buildSearch = function () {
    const form = el("form", {"class": "kmap-search", role: "search"});
    const input = el("input", {type: "search", id: this.id + "-q", name: "q", autocomplete: "off",
                               "aria-describedby": this.id + "-qhelp", maxlength: "100"});
    const label = el("label", {"for": this.id + "-q"}, say("search_label"));
    const hint = el("span", {id: this.id + "-qhelp", "class": "small"}, say("search_help"));
    const button = el("button", {type: "submit"}, say("search_button"));
    this.status = el("p", {"class": "small kmap-status", role: "status"});
    this.results = el("ul", {"class": "kmap-results"});
    const row = el("div", {"class": "kmap-search-row"});
    row.append(input, button);
    form.append(label, hint, row, this.status, this.results);
    form.addEventListener("submit", (event) => { event.preventDefault(); this.find(input.value); });
    return form;
  };

  KMap.prototype.buildList = function () {
    const details = el("details", {"class": "table-details kmap-list"});
    details.appendChild(el("summary", {}, say("list", {n: this.areas.length})));
    const ul = el("ul", {"class": "columns"});
    this.areas.forEach((a) => {
      const li = el("li");
      li.appendChild(a.href ? el("a", {href: a.href, "data-id": a.id}, a.title)
                            : el("span", {"data-id": a.id}, a.title));
      ul.appendChild(li);
    });
    details.appendChild(ul);
    return details;
  };

  KMap.prototype.start = function () {
    const map = this.map = L.map(this.box, {zoomControl: false, attributionControl: false,
                                            zoomSnap: 0.25, zoomDelta: 0.5, wheelPxPerZoomLevel: 90,
                                            keyboardPanDelta: 60, fadeAnimation: false});
    map.createPane("kmapOutline").style.zIndex = "450";  // above the areas (400)
    const labels = map.createPane("kmapLabels");
    labels.style.zIndex = "460";
    labels.setAttribute("aria-hidden", "true");
    this.labels = L.layerGroup([], {pane: "kmapLabels"}).addTo(map);
    L.control.zoom({zoomInTitle: say("zoom_in"), zoomOutTitle: say("zoom_out")}).addTo(map);
    this.addReset();
    this.box.querySelectorAll(".leaflet-control a, .leaflet-control button")
      .forEach((n) => n.setAttribute("tabindex", "-1"));  // the map itself is the Tab stop
    // keyboard mode (the area in the centre is outlined and named) from a Tab or a key
    // press on, until the next pointer press; a mouse click also focuses the map
    this.box.addEventListener("pointerdown", (e) => {
      this.pointer = e.pointerType || "mouse";
      this.keyboard = false;
    }, true);
    this.box.addEventListener("keydown", (e) => { this.keyboard = true; this.key(e); });
    this.box.addEventListener("focus", () => {
      if (this.keyboard !== false) { this.keyboard = true; this.moved(); }
    });
    this.box.addEventListener("blur", () => { this.keyboard = null; this.mark(null); });
    map.on("moveend", () => this.moved());
    map.on("zoomend", () => this.zoomed());
    return getJSON(this.url(4)).then((coarse) => {
      const boxes = coarse.features.filter((f) => this.byId.has(f.id)).map((f) => f.bbox);
      if (!boxes.length) { throw new Error("no areas of the map in " + this.url(4)); }
      this.home = L.latLngBounds(boxes.map((b) => [[b[1], b[0]], [b[3], b[2]]]).flat());
      map.fitBounds(this.home, {animate: false});
      map.setMinZoom(Math.max(0, map.getZoom() - 1));
      map.setMaxBounds(this.home.pad(0.6));
      this.loaded[4] = coarse;
      return this.show(bucket(map.getZoom()));
    });
  };

  KMap.prototype.url = function (zoom) {
    return "/api/v1/map?level=" + encodeURIComponent(this.level) + "&zoom=" + zoom;
  };

  KMap.prototype.addReset = function () {
    const self = this;
    const Reset = L.Control.extend({options: {position: "topleft"}, onAdd: function () {
      const bar = el("div", {"class": "leaflet-bar leaflet-control"});
      const link = el("a", {href: "#", role: "button", title: say("reset"), "aria-label": say("reset"),
                            "class": "kmap-reset"}, "\u2302");
      L.DomEvent.on(link, "click", (e) => { L.DomEvent.preventDefault(e); self.reset(); });
      L.DomEvent.disableClickPropagation(bar);
      bar.appendChild(link);
      return bar;
    }});
    new Reset().addTo(this.map);
  };

  KMap.prototype.reset = function () { this.map.fitBounds(this.home); };

  /* Draw the areas from the layer of zoom bucket ``z`` (fetched once). */
  KMap.prototype.show = function (z) {
    this.wanted = z;
    const ready = this.loaded[z] ? Promise.resolve(this.loaded[z]) : getJSON(this.url(z));
    return ready.then((data) => {
      this.loaded[z] = data;
      if (this.wanted !== z) { return; }
      const old = this.group;
      this.group = L.geoJSON(data.features.filter((f) => f.geometry && this.byId.has(f.id)), {
        style: (f) => this.style(f.id, false),
        onEachFeature: (f, layer) => this.wire(f, layer)
      }).addTo(this.map);
      if (old) { this.map.removeLayer(old); }
      if (this.marked) { this.mark(this.marked, this.markedAt, true); }  // on the new layer
      this.features = data.features.filter((f) => this.byId.has(f.id));
      this.box.setAttribute("data-bucket", String(z));
      this.box.setAttribute("data-ready", "1");
      this.place();
      this.moved();
    });
  };

  KMap.prototype.style = function (id, marked) {
    const a = this.byId.get(id);
    const strong = marked || a.current;
    return {fillColor: this.patterns.fill(a.fill || "#cccccc"), fillOpacity: 1, color: strong ? "#000000" : "#ffffff",
            weight: marked ? 3 : a.current ? 2 : 0.8, opacity: 1, className: "kmap-area"};
  };

  KMap.prototype.wire = function (feature, layer) {
    const a = this.byId.get(feature.id);
    this.layers.set(feature.id, layer);
    layer.feature = feature;
    layer.bindTooltip(() => this.tip(a), {sticky: true, direction: "top", className: "kmap-tip", opacity: 1});
    layer.on("add", () => {
      const p = layer.getElement();
      if (!p) { return; }
      p.setAttribute("data-id", a.id);
      // Chromium makes an SVG element with focus listeners (Leaflet's tooltips add them) a
      // Tab stop: the map itself is the one Tab stop
      p.setAttribute("tabindex", "-1");
    });
    layer.on("mouseover", () => { if (this.marked !== a.id) { layer.setStyle({weight: 2.5, color: "#000000"}); } });
    layer.on("mouseout", () => { if (this.marked !== a.id) { layer.setStyle(this.style(a.id, false)); } });
    layer.on("click", (e) => this.clicked(a, layer, e));
  };

  KMap.prototype.tip = function (a) {
    const node = el("span", {"class": "kmap-tip-text"}, a.title);
    if (this.pointer !== "mouse" && a.href) {
      node.appendChild(el("span", {"class": "kmap-tap"}, say("tap_again")));
    }
    return node;
  };

  KMap.prototype.clicked = function (a, layer, e) {
    if (this.pointer === "mouse") { this.go(a); return; }
    if (this.armed === a.id && layer.isTooltipOpen()) { this.go(a); return; }
    this.armed = a.id;  // a tap shows the tooltip (Leaflet opens it); the next one opens
    layer.openTooltip(e.latlng);
  };

  KMap.prototype.go = function (a) { if (a.href) { window.location.assign(a.href); } };

  KMap.prototype.key = function (e) {
    if (e.key === "Enter") {
      const hit = this.at(this.map.getCenter());
      if (hit) { e.preventDefault(); this.go(this.byId.get(hit)); }
    } else if (e.key === "Home") {
      e.preventDefault(); this.reset();
    } else if (e.key === "Escape") {
      this.mark(null);
    }
  };

  KMap.prototype.at = function (latlng) {
    for (const [id, layer] of this.layers) {
      if (this.group && this.group.hasLayer(layer) && contains(layer, latlng)) { return id; }
    }
    return null;
  };

  /* Outline one area (or none) and show its tooltip at the centre of the map. */
  KMap.prototype.mark = function (id, latlng, again) {
    if (this.marked && this.layers.has(this.marked) && !again) {
      const prev = this.layers.get(this.marked);
      prev.setStyle(this.style(this.marked, false));
      prev.closeTooltip();
    }
    this.marked = id;
    this.markedAt = latlng;
    if (id && this.layers.has(id)) {
      const layer = this.layers.get(id);
      layer.setStyle(this.style(id, true));
      layer.openTooltip(latlng);
    }
  };

  KMap.prototype.moved = function () {
    const c = this.map.getCenter();
    this.box.setAttribute("data-zoom", this.map.getZoom().toFixed(2));
    this.box.setAttribute("data-center", c.lat.toFixed(5) + "," + c.lng.toFixed(5));
    if (this.keyboard && document.activeElement === this.box && this.layers.size) {
      const hit = this.at(c);
      this.mark(hit, c);
      this.centreLine.textContent = hit ? say("centre", {name: this.byId.get(hit).title}) : say("centre_none");
    }
  };

  KMap.prototype.zoomed = function () {
    const z = bucket(this.map.getZoom());
    if (z !== this.wanted) { this.show(z); } else { this.place(); }
  };

  /* Place labels: the largest areas first, each where its name fits inside the area's
     box on screen and does not cover a label already placed. */
  KMap.prototype.place = function () {
    const map = this.map;
    this.labels.clearLayers();
    const view = map.getBounds().pad(0.1);
    const items = (this.features || []).map((f) => {
      const sw = map.latLngToContainerPoint([f.bbox[1], f.bbox[0]]);
      const ne = map.latLngToContainerPoint([f.bbox[3], f.bbox[2]]);
      return {f: f, w: Math.abs(ne.x - sw.x), h: Math.abs(sw.y - ne.y)};
    }).filter((it) => view.contains([it.f.properties.label[1], it.f.properties.label[0]]))
      .sort((x, y) => y.w * y.h - x.w * x.h);
    const taken = [];
    const size = map.getSize();
    items.forEach((it) => {
      const name = it.f.properties.name;
      const w = labelWidth(name), h = 18;
      if (w > it.w * 1.1 || h > it.h) { return; }
      const p = map.latLngToContainerPoint([it.f.properties.label[1], it.f.properties.label[0]]);
      const r = {x0: p.x - w / 2, x1: p.x + w / 2, y0: p.y - h / 2, y1: p.y + h / 2};
      if (r.x0 < 2 || r.y0 < 2 || r.x1 > size.x - 2 || r.y1 > size.y - 2) { return; }  // cut off
      if (taken.some((t) => r.x0 < t.x1 && t.x0 < r.x1 && r.y0 < t.y1 && t.y0 < r.y1)) { return; }
      taken.push(r);
      const icon = L.divIcon({className: "kmap-label", html: "", iconSize: null});
      const marker = L.marker([it.f.properties.label[1], it.f.properties.label[0]],
                              {icon: icon, interactive: false, keyboard: false, pane: "kmapLabels"});
      marker.on("add", () => { marker.getElement().appendChild(el("span", {}, name)); });
      this.labels.addLayer(marker);
    });
    this.box.setAttribute("data-labels", String(taken.length));
  };

  KMap.prototype.find = function (query) {
    const q = query.trim();
    this.results.textContent = "";
    if (!q) { return; }
    const url = "/api/v1/places?limit=8&q=" + encodeURIComponent(q) + "&level=" +
      encodeURIComponent(this.level) + "&lang=" + encodeURIComponent(document.documentElement.lang || "de");
    getJSON(url).then((data) => {
      if (!data.items.length) { this.status.textContent = say("search_none", {q: q}); return; }
      this.status.textContent = say("search_found", {n: data.items.length});
      data.items.forEach((p) => {
        const button = el("button", {type: "button", "data-id": p.id}, p.name);
        button.appendChild(el("span", {"class": "small"}, " (" + [p.kind_name, p.context].filter(Boolean).join(", ") + ")"));
        button.addEventListener("click", () => { this.go_to(p); this.box.focus({preventScroll: true}); });
        const li = el("li");
        li.appendChild(button);
        this.results.appendChild(li);
      });
      this.go_to(data.items[0]);
    }).catch(() => { this.status.textContent = say("search_error"); });
  };

  /* Centre the map on a place; a place that is an area of this map is outlined. */
  KMap.prototype.go_to = function (p) {
    const b = p.bbox;
    const bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
    const centre = L.latLng(p.centre[1], p.centre[0]);
    this.map.fitBounds(bounds, {padding: [24, 24], maxZoom: Math.max(this.map.getZoom(), 13), animate: false});
    this.map.panTo(centre, {animate: false});
    this.status.textContent = say("centred", {name: p.name});
    this.box.setAttribute("data-place", p.id);
    if (this.byId.has(p.id)) { this.mark(p.id, centre); }
    this.outline(p);
  };

  /* A place of another level (a district on the map of municipalities) is outlined. */
  KMap.prototype.outline = function (p) {
    if (this.extra) { this.map.removeLayer(this.extra); this.extra = null; }
    this.box.removeAttribute("data-outline");
    if (p.kind === "street" || this.byId.has(p.id)) { return; }
    const url = "/api/v1/map?level=" + encodeURIComponent(p.kind) + "&zoom=" + bucket(this.map.getZoom());
    getJSON(url).then((data) => {
      const f = data.features.find((x) => x.id === p.id);
      if (!f || !f.geometry || this.box.getAttribute("data-place") !== p.id) { return; }
      this.extra = L.geoJSON(f, {interactive: false, pane: "kmapOutline",
                                 style: {fill: false, color: "#000000", weight: 3,
                                                             dashArray: "6 4", className: "kmap-outline"}})
        .addTo(this.map);
      this.box.setAttribute("data-outline", p.id);
    }).catch(() => {});
  };

  function startAll() {
    document.querySelectorAll("figure[data-map]").forEach((figure) => {
      if (!L || !figure.querySelector("svg.map [data-id]")) { return; }
      const kmap = new KMap(figure);
      kmap.start().catch(() => {
        figure.classList.remove("kmap-on");
        [kmap.search, kmap.box, kmap.help, kmap.centreLine, kmap.list].forEach((n) => n.remove());
        figure.insertBefore(el("p", {"class": "note", role: "status"}, say("map_error")), kmap.svg);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();

/* The report page's script (lib/report/report.js, inlined by the library).
 * It draws the canvas plots (artist norms, the map) from the JSON blocks
 * the library wrote, with names on hover, a brush on the norm plots and
 * the map's tag filter; every other chart is plain SVG and needs no script.
 * Names only ever reach the page through textContent, never as markup.
 * With #selftest in the URL it checks the page and writes the result into
 * <pre id="selftest"> (tests/tool/test_report.py reads it). */
(function () {
  "use strict";
  var errors = [];
  function noteError(msg) {
    errors.push(String(msg));
    document.body.setAttribute("data-errors", String(errors.length));
  }
  window.addEventListener("error", function (e) { noteError(e.message || "error"); });
  window.addEventListener("unhandledrejection", function (e) { noteError(e.reason || "rejection"); });

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var artists = json("lr-artists") || { names: [], top: [], tags: [] };

  function tfun(log) {
    return log ? function (v) { return Math.log(v > 0 ? v : 1e-12) / Math.LN10; } : function (v) { return v; };
  }

  /* One canvas plot: points, scales, what is highlighted. */
  function Plot(canvas) {
    var d = canvas.dataset;
    this.canvas = canvas;
    this.fig = canvas.closest("figure");
    this.tip = canvas.parentNode.querySelector(".tip");
    this.data = json(d.src);
    this.n = this.data.x.length;
    this.tx = tfun(d.logx === "1");
    this.ty = tfun(d.logy === "1");
    this.x0 = this.tx(+d.x0); this.x1 = this.tx(+d.x1);
    this.y0 = this.ty(+d.y0); this.y1 = this.ty(+d.y1);
    this.filter = -1;      /* map: the category shown, -1 all */
    this.selected = null;  /* brush: indices of the points inside, or null */
    this.px = new Float32Array(this.n);
    this.py = new Float32Array(this.n);
    var self = this;
    canvas.addEventListener("mousemove", function (e) { self.move(e); });
    canvas.addEventListener("mouseleave", function () { self.tip.hidden = true; });
    if (this.data.kind === "scatter") {
      canvas.addEventListener("mousedown", function (e) { self.brushStart(e); });
      canvas.addEventListener("mouseup", function (e) { self.brushEnd(e); });
      canvas.addEventListener("dblclick", function () { self.select(null); });
    }
  }

  Plot.prototype.layout = function () {
    var c = this.canvas, w = c.clientWidth, h = c.clientHeight, dpr = window.devicePixelRatio || 1;
    c.width = Math.max(1, Math.round(w * dpr));
    c.height = Math.max(1, Math.round(h * dpr));
    this.w = w; this.h = h; this.dpr = dpr;
    for (var i = 0; i < this.n; i++) {
      this.px[i] = (this.tx(this.data.x[i]) - this.x0) / (this.x1 - this.x0) * w;
      this.py[i] = h - (this.ty(this.data.y[i]) - this.y0) / (this.y1 - this.y0) * h;
    }
  };

  Plot.prototype.colorOf = function (i) {
    var d = this.data;
    if (d.kind === "map") {
      var c = d.c[i];
      return c >= 0 && c < d.colors.length ? d.colors[c] : d.grey;
    }
    return d.color;
  };

  /* Highlighted: in the filter's category and the brush's selection. */
  Plot.prototype.lit = function (i) {
    if (this.filter >= 0 && this.data.c[i] !== this.filter) return false;
    if (this.selected && !this.selected.has(i)) return false;
    return true;
  };

  Plot.prototype.draw = function () {
    var ctx = this.canvas.getContext("2d"), r = this.data.kind === "map" ? 1.8 : 2.2;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.w, this.h);
    var drawn = 0, lit = 0, i, pass;
    /* Faded points first, so the highlighted ones stay on top; grey
     * (uncoloured) map points before coloured ones for the same reason. */
    for (pass = 0; pass < 3; pass++) {
      for (i = 0; i < this.n; i++) {
        var on = this.lit(i);
        var grey = this.data.kind === "map" && !(this.data.c[i] >= 0 && this.data.c[i] < this.data.colors.length);
        var p = on ? (grey ? 1 : 2) : 0;
        if (p !== pass) continue;
        ctx.globalAlpha = on ? (grey ? 0.55 : 0.85) : 0.12;
        ctx.fillStyle = on ? this.colorOf(i) : "#999999";
        ctx.beginPath();
        ctx.arc(this.px[i], this.py[i], on ? r : r * 0.8, 0, 6.2832);
        ctx.fill();
        drawn++;
        if (on) lit++;
      }
    }
    ctx.globalAlpha = 1;
    if (this.brush) {
      var b = this.brush;
      ctx.strokeStyle = "#333"; ctx.setLineDash([4, 3]);
      ctx.strokeRect(Math.min(b[0], b[2]), Math.min(b[1], b[3]), Math.abs(b[2] - b[0]), Math.abs(b[3] - b[1]));
      ctx.setLineDash([]);
    }
    this.canvas.setAttribute("data-drawn", String(drawn));
    this.canvas.setAttribute("data-shown", String(lit));
  };

  Plot.prototype.local = function (e) {
    var rect = this.canvas.getBoundingClientRect();
    return [(e.clientX - rect.left) * this.w / rect.width, (e.clientY - rect.top) * this.h / rect.height];
  };

  Plot.prototype.nearest = function (x, y) {
    var best = -1, bd = 64; /* within 8 px */
    for (var i = 0; i < this.n; i++) {
      if (!this.lit(i)) continue;
      var dx = this.px[i] - x, dy = this.py[i] - y, dd = dx * dx + dy * dy;
      if (dd < bd) { bd = dd; best = i; }
    }
    return best;
  };

  function fmt(v) {
    if (Math.abs(v) >= 1000 || v === Math.round(v)) return Math.round(v).toLocaleString("en-US");
    return v.toPrecision(3);
  }

  Plot.prototype.move = function (e) {
    var p = this.local(e);
    if (this.brush) {
      this.brush[2] = p[0]; this.brush[3] = p[1];
      this.draw();
      return;
    }
    var i = this.nearest(p[0], p[1]), d = this.data;
    this.hovered = i;
    if (i < 0) { this.tip.hidden = true; return; }
    var a = d.a[i], lines = [artists.names[a]];
    if (d.kind === "map") {
      var t = artists.top[a];
      lines.push("top tag: " + (t >= 0 ? artists.tags[t] : "none"));
    } else {
      lines.push(fmt(d.x[i]) + " listeners, norm " + fmt(d.y[i]));
    }
    this.tip.textContent = "";
    for (var k = 0; k < lines.length; k++) {
      var div = document.createElement("div");
      div.textContent = lines[k];
      if (k === 0) div.style.fontWeight = "600";
      this.tip.appendChild(div);
    }
    this.tip.hidden = false;
    var left = this.canvas.offsetLeft + this.px[i] * this.canvas.clientWidth / this.w + 10;
    var top = this.canvas.offsetTop + this.py[i] * this.canvas.clientHeight / this.h - 10;
    this.tip.style.left = left + "px";
    this.tip.style.top = top + "px";
  };

  Plot.prototype.brushStart = function (e) {
    var p = this.local(e);
    this.brush = [p[0], p[1], p[0], p[1]];
    this.tip.hidden = true;
    e.preventDefault();
  };

  Plot.prototype.brushEnd = function (e) {
    if (!this.brush) return;
    var p = this.local(e), b = this.brush;
    b[2] = p[0]; b[3] = p[1];
    this.brush = null;
    if (Math.abs(b[2] - b[0]) < 3 && Math.abs(b[3] - b[1]) < 3) { this.select(null); return; }
    var x0 = Math.min(b[0], b[2]), x1 = Math.max(b[0], b[2]);
    var y0 = Math.min(b[1], b[3]), y1 = Math.max(b[1], b[3]), s = new Set();
    for (var i = 0; i < this.n; i++)
      if (this.px[i] >= x0 && this.px[i] <= x1 && this.py[i] >= y0 && this.py[i] <= y1) s.add(i);
    this.select(s);
  };

  /* The brush's selection: highlighted on the plot, listed under it. */
  Plot.prototype.select = function (s) {
    this.selected = s;
    this.draw();
    var out = this.fig.querySelector(".selection");
    if (!out) return;
    if (!s) { out.textContent = "Drag over the plot to select artists; double-click to clear."; return; }
    var idx = Array.from(s), d = this.data;
    idx.sort(function (p, q) { return d.x[q] - d.x[p]; });
    var names = idx.slice(0, 12).map(function (i) { return artists.names[d.a[i]]; });
    out.textContent = idx.length + " artists selected" + (idx.length ? ": " + names.join(", ") +
      (idx.length > 12 ? ", \u2026" : "") : "");
    out.setAttribute("data-selected", String(idx.length));
  };

  var plots = [];
  var canvases = document.querySelectorAll("canvas.plot");
  for (var i = 0; i < canvases.length; i++) {
    var p = new Plot(canvases[i]);
    p.layout();
    p.draw();
    p.select(null);
    plots.push(p);
  }
  window.addEventListener("resize", function () {
    plots.forEach(function (p) { p.layout(); p.draw(); });
  });

  /* The map's tag filter: a bar of the tag chart (class tagbar, data-key
   * the tag) shows that tag's artists alone; clicking it again, or
   * "show all", shows every artist. */
  function mapOf(el) {
    var sec = el.closest("section"), c = sec && sec.querySelector("figure[data-kind=map] canvas.plot");
    for (var k = 0; k < plots.length; k++) if (plots[k].canvas === c) return plots[k];
    return null;
  }
  function setFilter(map, key) {
    map.filter = key;
    map.draw();
    var bars = map.fig.closest("section").querySelectorAll(".tagbar");
    for (var k = 0; k < bars.length; k++) {
      var on = key < 0 || +bars[k].dataset.key === key;
      bars[k].classList.toggle("off", !on);
      bars[k].setAttribute("aria-pressed", String(key >= 0 && on));
    }
  }
  document.querySelectorAll(".tagbar").forEach(function (bar) {
    function act() {
      var map = mapOf(bar);
      if (!map) return;
      var key = +bar.dataset.key;
      setFilter(map, map.filter === key ? -1 : key);
    }
    bar.addEventListener("click", act);
    bar.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); act(); } });
  });
  document.querySelectorAll("button.showall").forEach(function (btn) {
    btn.addEventListener("click", function () { var map = mapOf(btn); if (map) setFilter(map, -1); });
  });

  /* ------------------------------------------------------- self-test */
  function selftest() {
    var out = { errors: errors, charts: [], filter: null, hover: null, brush: null };
    document.querySelectorAll("figure.chart").forEach(function (f) {
      var c = f.querySelector("canvas.plot");
      var xl = f.querySelector(".axis.x .label"), yl = f.querySelector(".axis.y .label");
      out.charts.push({
        id: f.id, kind: f.dataset.kind, section: f.closest("section").id,
        marks: +f.dataset.marks,
        drawn: c ? +c.dataset.drawn : f.querySelectorAll("svg .mark").length,
        xlabel: xl ? xl.textContent : "", ylabel: yl ? yl.textContent : "",
        ticks: f.querySelectorAll(".axis .tick").length,
        title: (f.querySelector("svg text.title") || {}).textContent || "",
        table_rows: f.querySelectorAll("details tbody tr").length
      });
    });
    var bar = document.querySelector(".tagbar"), map = bar && mapOf(bar);
    if (map) {
      var all = +map.canvas.dataset.shown;
      bar.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      var shown = +map.canvas.dataset.shown;
      var offBars = document.querySelectorAll(".tagbar.off").length;
      bar.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      out.filter = { tag: bar.querySelector("title").textContent, expected: +bar.dataset.count,
                     shown: shown, all: all, restored: +map.canvas.dataset.shown, bars_off: offBars };
    }
    if (plots.length) {
      var p = plots[0], rect = p.canvas.getBoundingClientRect(), k = 0;
      var ev = { bubbles: true, clientX: rect.left + p.px[k] * rect.width / p.w,
                 clientY: rect.top + p.py[k] * rect.height / p.h };
      p.canvas.dispatchEvent(new MouseEvent("mousemove", ev));
      var h = p.hovered;
      out.hover = { plot: p.fig.id, tip: p.tip.hidden ? "" : p.tip.firstChild.textContent,
                    name: h >= 0 ? artists.names[p.data.a[h]] : null,
                    distance: h >= 0 ? Math.hypot(p.px[h] - p.px[k], p.py[h] - p.py[k]) : -1 };
      p.canvas.dispatchEvent(new MouseEvent("mouseleave", {}));
    }
    var sc = plots.filter(function (x) { return x.data.kind === "scatter"; })[0];
    if (sc) {
      var r2 = sc.canvas.getBoundingClientRect();
      sc.canvas.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, clientX: r2.left - 1, clientY: r2.top - 1 }));
      sc.canvas.dispatchEvent(new MouseEvent("mousemove", { bubbles: true, clientX: r2.right + 1, clientY: r2.bottom + 1 }));
      sc.canvas.dispatchEvent(new MouseEvent("mouseup", { bubbles: true, clientX: r2.right + 1, clientY: r2.bottom + 1 }));
      var sel = sc.fig.querySelector(".selection");
      out.brush = { plot: sc.fig.id, selected: sel ? +sel.dataset.selected : -1, points: sc.n };
      sc.select(null);
    }
    out.errors = errors;
    var pre = document.getElementById("selftest");
    pre.textContent = JSON.stringify(out);
    pre.hidden = false;
  }
  if (location.hash === "#selftest") {
    try { selftest(); } catch (e) { noteError("selftest: " + e); document.getElementById("selftest").textContent = JSON.stringify({ errors: errors }); }
  }
})();

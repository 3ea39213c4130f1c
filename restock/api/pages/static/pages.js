// restock pages: small enhancements on server-rendered pages. Everything works without
// this script except the charts, whose figures are also written out in words or tables.
(function () {
  "use strict";

  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    var boxes = function () { return all.form.querySelectorAll('input[name="' + name + '"]'); };
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
    });
  });

  document.querySelectorAll("input[data-pack]").forEach(function (input) {
    var out = document.querySelector('output[data-quantity-of="' + input.id + '"]');
    var pack = parseFloat(input.getAttribute("data-pack"));
    var unit = input.getAttribute("data-unit");
    input.addEventListener("input", function () {
      var packs = parseFloat(input.value);
      out.textContent = isNaN(packs) ? "" : "= " + (packs * pack).toLocaleString("en") + " " + unit;
    });
  });

  if (typeof Chart === "undefined") { return; }
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", sans-serif';
  Chart.defaults.color = "#39414d";
  Chart.defaults.animation = false;

  function data(el) { return JSON.parse(el.textContent); }

  // vertical lines for now, the next visit and the delivery
  var markers = {
    id: "markers",
    afterDatasetsDraw: function (chart, _args, opts) {
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      var colours = { now: "#5a6270", visit: "#6b21a8", delivery: "#15803d" };
      (opts.items || []).forEach(function (m, i) {
        if (m.x < x.min || m.x > x.max) { return; }
        var px = x.getPixelForValue(m.x);
        ctx.save();
        ctx.strokeStyle = colours[m.kind] || "#333";
        ctx.lineWidth = 2;
        ctx.setLineDash(m.kind === "now" ? [4, 4] : []);
        ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
        ctx.fillStyle = ctx.strokeStyle;
        ctx.font = "12px system-ui, sans-serif";
        ctx.textAlign = px > area.right - 60 ? "right" : "left";
        // one row per marker, so labels of close markers do not overlap
        ctx.fillText(m.label, px + (ctx.textAlign === "left" ? 4 : -4), area.top + 12 + 14 * i);
        ctx.restore();
      });
    }
  };

  document.querySelectorAll("script[data-level-chart]").forEach(function (el) {
    var d = data(el);
    var fmt = new Intl.DateTimeFormat("en-GB", { timeZone: d.zone, weekday: "short", day: "numeric" });
    var fmtLong = new Intl.DateTimeFormat("en-GB", { timeZone: d.zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
    var last = d.high.length ? d.high[d.high.length - 1].x : d.markers[0].x;
    d.markers.forEach(function (m) { last = Math.max(last, m.x); });
    var capacity = [{ x: d.start, y: d.capacity }, { x: last, y: d.capacity }];
    new Chart(document.getElementById(el.getAttribute("data-level-chart")), {
      type: "line",
      data: { datasets: [
        { label: "level", data: d.levels, borderColor: "#1d4f91", borderWidth: 1.5, pointRadius: 0 },
        { label: "P90", data: d.high, borderColor: "rgba(194,65,12,0)", pointRadius: 0, fill: "+1", backgroundColor: "rgba(194,65,12,.18)" },
        { label: "P10", data: d.low, borderColor: "rgba(194,65,12,0)", pointRadius: 0 },
        { label: "forecast median", data: d.median, borderColor: "#c2410c", borderDash: [6, 4], borderWidth: 2, pointRadius: 0 },
        { label: "shelf capacity", data: capacity, borderColor: "#9aa3b0", borderDash: [2, 3], borderWidth: 1, pointRadius: 0 }
      ] },
      options: {
        maintainAspectRatio: false, parsing: true, normalized: true,
        interaction: { mode: "nearest", axis: "x", intersect: false },
        scales: {
          x: { type: "linear", min: d.start, max: last, ticks: { maxTicksLimit: 8, callback: function (v) { return fmt.format(new Date(v)); } } },
          y: { min: 0, suggestedMax: d.capacity, title: { display: true, text: d.unit } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: function (items) { return items.length ? fmtLong.format(new Date(items[0].parsed.x)) : ""; } } },
          markers: { items: d.markers }
        }
      },
      plugins: [markers]
    });
  });

  var palette = ["#1d4f91", "#c2410c", "#15803d", "#6b21a8"];
  document.querySelectorAll("script[data-kpi-chart]").forEach(function (el) {
    var d = data(el);
    var pct = function (v) { return d.percent ? Math.round(v * 100) + "%" : v.toLocaleString("en"); };
    new Chart(document.getElementById(el.getAttribute("data-kpi-chart")), {
      type: d.kind,
      data: { labels: d.labels, datasets: d.series.map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: palette[i], borderColor: palette[i], spanGaps: true, pointRadius: 2 };
      }) },
      options: {
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { callback: pct } } },
        plugins: { legend: { display: d.series.length > 1, position: "bottom" },
                   tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + (c.raw === null ? "—" : pct(c.raw)); } } } }
      }
    });
  });
})();

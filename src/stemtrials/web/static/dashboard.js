/* Landscape charts. The page names the counts to fetch (data-stats-url: /api/stats with the page's filters); each
   chart's Vega-Lite spec is built here from that JSON and drawn by vega-embed as SVG. No inline script, no eval
   (vega-embed's `ast` option interprets Vega expressions instead of compiling them), nothing fetched but the stats. */
(function () {
  "use strict";

  var CATEGORY_ORDER = ["msc", "hsc", "hesc_derived", "hipsc_derived", "neural_stem_cell", "other_stem",
                        "extracellular_vesicles", "non_stem_cell_therapy"];
  var CATEGORY_LABEL = {
    msc: "MSC", hsc: "HSC", hesc_derived: "hESC-derived", hipsc_derived: "hiPSC-derived",
    neural_stem_cell: "Neural stem cells", other_stem: "Other stem cells",
    extracellular_vesicles: "Extracellular vesicles", non_stem_cell_therapy: "Non-stem-cell therapy"
  };
  var NO_PRODUCT = "No cell product identified";
  // Okabe–Ito colours (distinguishable with common colour-vision deficiencies); grey for "none identified".
  var CATEGORY_COLOR = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"];
  var PHASE_ORDER = ["early_phase1", "phase1", "phase2", "phase3", "phase4", "not_applicable", "other"];
  var PHASE_LABEL = {
    early_phase1: "Early phase 1", phase1: "Phase 1", phase2: "Phase 2", phase3: "Phase 3", phase4: "Phase 4",
    not_applicable: "Not applicable", other: "Other"
  };
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  var CONFIG = {
    font: FONT,
    view: {stroke: null},
    axis: {labelFontSize: 12, titleFontSize: 12, labelColor: "#222", titleColor: "#222", gridColor: "#e4e4e4",
           domainColor: "#888", tickColor: "#888"},
    legend: {labelFontSize: 12, titleFontSize: 12, labelColor: "#222", orient: "bottom", columns: 2,
             labelLimit: 220},
    bar: {color: "#1f5f99"},
    line: {color: "#1f5f99"}
  };

  function entries(counts) {
    return Object.keys(counts || {}).map(function (k) { return {key: k, n: counts[k]}; });
  }

  function base(description) {
    return {
      description: description,
      width: "container",  // with a fixed or per-row height, Vega-Lite sizes to fit the card's width only
      config: CONFIG
    };
  }

  // A horizontal bar chart of (label, count) rows, in the order given.
  function bars(rows, what, description) {
    return Object.assign(base(description), {
      height: {step: 22},
      data: {values: rows},
      mark: {type: "bar", tooltip: true, cornerRadiusEnd: 2},
      encoding: {
        y: {field: "label", type: "nominal", sort: null, title: null, axis: {labelLimit: 170}},
        x: {field: "n", type: "quantitative", title: "Trials", axis: {tickMinStep: 1, format: "d"}},
        tooltip: [{field: "label", type: "nominal", title: what}, {field: "n", type: "quantitative", title: "Trials"}]
      }
    });
  }

  function yearsByCategory(stats) {
    var table = stats.start_year_by_cell_category || {};
    var none = stats.start_year_without_cell_category || {};
    var rows = [];
    Object.keys(table).forEach(function (year) {
      Object.keys(table[year]).forEach(function (cat) {
        rows.push({year: year, category: CATEGORY_LABEL[cat] || cat, n: table[year][cat]});
      });
    });
    Object.keys(none).forEach(function (year) { rows.push({year: year, category: NO_PRODUCT, n: none[year]}); });
    // Colours stay fixed per category across selections; the legend lists only the categories present.
    var present = {};
    rows.forEach(function (r) { present[r.category] = true; });
    var domain = [], range = [];
    CATEGORY_ORDER.map(function (c) { return CATEGORY_LABEL[c]; }).concat([NO_PRODUCT]).forEach(function (name, i) {
      if (present[name]) { domain.push(name); range.push(CATEGORY_COLOR.concat(["#b5b5b5"])[i]); }
    });
    return {rows: rows, spec: Object.assign(base("Trials per start year, stacked by cell category"), {
      height: 260,
      data: {values: rows},
      mark: {type: "bar", tooltip: true},
      encoding: {
        x: {field: "year", type: "ordinal", title: "Start year", axis: {labelAngle: -45, labelOverlap: true}},
        y: {field: "n", type: "quantitative", aggregate: "sum", title: "Trials", axis: {tickMinStep: 1, format: "d"}},
        color: {field: "category", type: "nominal", title: null,
                scale: {domain: domain, range: range}},
        order: {field: "category", sort: "ascending"},
        tooltip: [{field: "year", title: "Start year"}, {field: "category", title: "Cell category"},
                  {field: "n", type: "quantitative", title: "Trials"}]
      }
    })};
  }

  function pluripotentOverTime(stats) {
    var table = stats.start_year_by_pluripotent_origin || {};
    var rows = [];
    Object.keys(table).forEach(function (year) {
      Object.keys(table[year]).forEach(function (origin) {
        rows.push({year: year, origin: origin, n: table[year][origin]});
      });
    });
    return {rows: rows, spec: Object.assign(base("Trials of hESC- and hiPSC-derived products per start year"), {
      height: 220,
      data: {values: rows},
      mark: {type: "line", point: {size: 60}, tooltip: true},
      encoding: {
        x: {field: "year", type: "ordinal", title: "Start year", axis: {labelAngle: -45, labelOverlap: true}},
        y: {field: "n", type: "quantitative", title: "Trials", axis: {tickMinStep: 1, format: "d"}},
        color: {field: "origin", type: "nominal", title: null,
                scale: {domain: ["hESC", "hiPSC"], range: ["#009E73", "#CC79A7"]}},
        strokeDash: {field: "origin", type: "nominal", title: null,
                     scale: {domain: ["hESC", "hiPSC"], range: [[1, 0], [6, 3]]}},
        tooltip: [{field: "year", title: "Start year"}, {field: "origin", title: "Origin"},
                  {field: "n", type: "quantitative", title: "Trials"}]
      }
    })};
  }

  var CHARTS = {
    years: yearsByCategory,
    phases: function (stats) {
      var rows = entries(stats.phase).sort(function (a, b) {
        return PHASE_ORDER.indexOf(a.key) - PHASE_ORDER.indexOf(b.key);
      }).map(function (e) { return {label: PHASE_LABEL[e.key] || e.key, n: e.n}; });
      return {rows: rows, spec: bars(rows, "Phase", "Trials per phase")};
    },
    conditions: function (stats) {
      var rows = entries(stats.condition).slice(0, 15).map(function (e) { return {label: e.key, n: e.n}; });
      return {rows: rows, spec: bars(rows, "Condition", "The most frequent conditions")};
    },
    countries: function (stats) {
      var rows = entries(stats.country).slice(0, 20).map(function (e) { return {label: e.key, n: e.n}; });
      return {rows: rows, spec: bars(rows, "Country", "Trials per country")};
    },
    "msc-tissue": function (stats) {
      var rows = entries(stats.msc_source_tissue).map(function (e) { return {label: e.key, n: e.n}; });
      return {rows: rows, spec: bars(rows, "Tissue", "Source tissues of MSC products")};
    },
    pluripotent: pluripotentOverTime
  };

  // Vega-Lite warns 'Dropping "fit-y"' for every width-fitted chart with per-row height, though that is exactly the
  // sizing asked for; keep the console for warnings that mean something.
  function quietLogger() {
    var base = window.vega.logger(window.vega.Warn);
    var logger = Object.create(base);
    logger.warn = function (first) {
      if (/Dropping "fit-y"/.test(String(first))) return logger;
      base.warn.apply(base, arguments);
      return logger;
    };
    return logger;
  }

  function message(el, state, text) {
    el.dataset.state = state;
    el.textContent = "";
    var p = document.createElement("p");
    p.className = state === "error" ? "chart-error" : "chart-empty";
    p.textContent = text;  // textContent: never parse anything as HTML
    el.appendChild(p);
  }

  function draw(el, stats) {
    var build = CHARTS[el.dataset.chart];
    if (!build) return Promise.resolve("skipped");
    var chart = build(stats);
    if (!chart.rows.length) {
      message(el, "empty", "No data for this chart in the current selection.");
      return Promise.resolve("empty");
    }
    // Two legend columns fit a card on a desktop; on a phone-width card they would be clipped.
    chart.spec.config = Object.assign({}, CONFIG, {
      legend: Object.assign({}, CONFIG.legend, {columns: el.clientWidth < 480 ? 1 : 2})
    });
    return window.vegaEmbed(el, chart.spec, {
      mode: "vega-lite", renderer: "svg", actions: false, ast: true, defaultStyle: false, logger: quietLogger(),
      tooltip: {disableDefaultStyle: true}
    }).then(function () {
      el.dataset.state = "rendered";
      return "rendered";
    }, function (err) {
      message(el, "error", "This chart could not be drawn: " + (err && err.message ? err.message : err));
      return "error";
    });
  }

  function start() {
    var root = document.getElementById("dashboard");
    if (!root) return;
    var status = document.getElementById("charts-status");
    var charts = Array.prototype.slice.call(root.querySelectorAll(".chart[data-chart]"));
    if (typeof window.vegaEmbed !== "function") {
      charts.forEach(function (el) { message(el, "error", "The chart library did not load; see the data tables."); });
      return;
    }
    fetch(root.dataset.statsUrl, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) throw new Error("the server answered " + response.status);
        return response.json();
      })
      .then(function (stats) { return Promise.all(charts.map(function (el) { return draw(el, stats); })); })
      .then(function (results) {
        var drawn = results.filter(function (r) { return r === "rendered"; }).length;
        if (status) status.textContent = drawn + " of " + charts.length + " charts drawn.";
        root.dataset.state = "done";
      })
      .catch(function (err) {
        charts.forEach(function (el) {
          message(el, "error", "The counts could not be loaded (" + err.message + "); see the data tables.");
        });
        root.dataset.state = "error";
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// Scored's chart embed: draws each chart's Vega spec (compiled from Vega-Lite when the site was built) with
// the self-hosted Vega runtime, fitted to its column and in the page's light or dark mode.
//
// * Width: a chart is first drawn at its designed size. If it is wider than its column, side-by-side panels
//   are stacked, legends get more rows, long titles wrap, and the plot width shrinks until it fits; as a
//   last resort the stylesheet scales the drawing down (svg max-width: 100%).
// * Dark mode: when <html data-theme> is "dark", the spec's light neutrals (background, text, grid) are
//   swapped for dark ones (DARK_COLOURS comes from scored.viz) and the background follows the page's own
//   --pst-color-background. A change of mode or of the column's width redraws the chart with the values
//   the reader had set on its controls.
(function () {
  "use strict";
  var DARK_COLOURS = /*DARK_COLOURS*/ {};
  var NARROW = 600;  // below this column width (px), legends get more rows and titles wrap sooner
  var charts = [];

  function isDark() {
    return document.documentElement.dataset.theme === "dark";
  }

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  // A grey from a chapter's own chart (say "#555555" for a note) turns as light as it was dark, within
  // limits that keep it readable on the dark background; white stays white (labels on coloured bars).
  function darkGrey(colour) {
    var hex = colour.slice(1).toLowerCase();
    if (hex.length === 3) hex = hex[0] + hex[0] + hex[1] + hex[1] + hex[2] + hex[2];
    if (hex.length !== 6 || hex === "ffffff") return null;
    var r = hex.slice(0, 2), g = hex.slice(2, 4), b = hex.slice(4, 6);
    if (r !== g || g !== b) return null;
    var v = Math.min(0xe8, Math.max(0x40, 255 - parseInt(r, 16))).toString(16);
    return "#" + v + v + v;
  }

  // A deep copy of the spec with every light neutral replaced by its dark counterpart.
  function darkSpec(spec) {
    var text = JSON.stringify(spec).replace(/"(#[0-9a-fA-F]{3,8})"/g, function (whole, colour) {
      var dark = DARK_COLOURS[colour.toLowerCase()] || darkGrey(colour);
      return dark ? '"' + dark + '"' : whole;
    });
    var copy = JSON.parse(text);
    copy.background = cssVar("--pst-color-background", copy.background);
    return copy;
  }

  function eachGroup(node, visit) {
    visit(node);
    (node.marks || []).forEach(function (mark) {
      if (mark.type === "group") eachGroup(mark, visit);
    });
  }

  // Stack concatenated panels: one column instead of a row.
  function stack(spec) {
    var stacked = false;
    eachGroup(spec, function (group) {
      if (group.layout && group.layout.columns !== 1) {
        group.layout.columns = 1;
        stacked = true;
      }
    });
    return stacked;
  }

  function titleSize(spec, title) {
    return title.fontSize || (spec.config && spec.config.title && spec.config.title.fontSize) || 15;
  }

  // Break a text into lines of at most `perLine` characters, at spaces; leave it be if it is short.
  function lines(text, perLine) {
    if (typeof text !== "string" || text.length <= perLine) return text;
    var out = [], line = "";
    text.split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > perLine) {
        out.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) out.push(line);
    return out;
  }

  // Wrap chart titles and subtitles, axis titles and legend titles to fit `width` pixels (an estimate:
  // an average glyph is 0.55 em wide).
  function wrapTitles(spec, width) {
    var perLine = function (size) { return Math.max(12, Math.floor(width / (size * 0.55))); };
    eachGroup(spec, function (group) {
      if (typeof group.title === "string") group.title = {text: group.title};
      var title = group.title;
      if (title) {
        var size = titleSize(spec, title);
        title.text = lines(title.text, perLine(size));
        if (title.subtitle) title.subtitle = lines(title.subtitle, perLine(0.8 * size));
      }
      (group.axes || []).forEach(function (axis) {
        axis.title = lines(axis.title, perLine(axis.titleFontSize || 13));
      });
      (group.legends || []).forEach(function (legend) {
        legend.title = lines(legend.title, perLine(legend.titleFontSize || 13));
      });
    });
  }

  // Legends above or below a narrow chart get rows of a few entries instead of one long row.
  function narrowLegends(spec, width) {
    eachGroup(spec, function (group) {
      (group.legends || []).forEach(function (legend) {
        if (legend.orient === "left" || legend.orient === "right") legend.orient = "bottom";
        if (legend.columns === undefined && !legend.gradientLength) {
          legend.columns = width < 480 ? 1 : Math.floor(width / 180);
          legend.direction = "horizontal";
        }
      });
    });
  }

  function scaleType(spec, name) {
    var found = null;
    eachGroup(spec, function (group) {
      (group.scales || []).forEach(function (scale) {
        if (scale.name === name) found = scale.type;
      });
    });
    return found;
  }

  // On a narrow chart, category labels under (or over) the bars wrap onto lines as wide as a bar, so
  // that neighbours do not overlap ("false positive rate" becomes three short lines).
  function wrapCategoryLabels(spec) {
    eachGroup(spec, function (group) {
      (group.axes || []).forEach(function (axis) {
        if (axis.orient !== "bottom" && axis.orient !== "top") return;
        if (axis.labels === false || axis.encode) return;
        var type = scaleType(spec, axis.scale);
        if (type !== "band" && type !== "point") return;
        var chars = "max(4, floor(bandwidth('" + axis.scale + "') / 7.5))";
        axis.labelAngle = 0;
        axis.labelLimit = 0;
        axis.encode = {labels: {update: {text: {signal:
          "split(trim(replace(datum.label, regexp('(.{1,' + " + chars + " + '})( +|$)', 'g'), '$1\\n')), '\\n')"
        }}}};
      });
    });
  }

  function svgWidth(chart) {
    var svg = chart.box.querySelector("svg.marks");
    return svg ? parseFloat(svg.getAttribute("width")) || svg.getBoundingClientRect().width : 0;
  }

  // Signals that hold a panel's width and that nothing recomputes: the ones shrinking can lower.
  function widthSignals(spec) {
    return (spec.signals || []).filter(function (s) {
      return /width$/i.test(s.name) && typeof s.value === "number" && !s.update && !s.bind;
    });
  }

  // Values of the controls bound to the chart, to carry over into its next drawing.
  function boundValues(chart) {
    var values = {};
    if (!chart.view) return values;
    (chart.spec.signals || []).forEach(function (s) {
      if (s.bind) {
        try { values[s.name] = chart.view.signal(s.name); } catch (e) { /* not in this view */ }
      }
    });
    return values;
  }

  function draw(chart, values) {
    var available = chart.box.clientWidth;
    var spec = isDark() ? darkSpec(chart.spec) : JSON.parse(JSON.stringify(chart.spec));
    if (chart.stacked) stack(spec);
    // Recompute the layout whenever a width changes (Vega computes it once by default), so that
    // narrowing a plot narrows the drawing.
    var autosize = typeof spec.autosize === "object" ? spec.autosize : {type: spec.autosize || "pad"};
    autosize.resize = true;
    spec.autosize = autosize;
    if (available < NARROW) {
      narrowLegends(spec, available);
      wrapCategoryLabels(spec);
    }
    wrapTitles(spec, available - 10);
    // Signals carry the reader's settings into the new drawing.
    (spec.signals || []).forEach(function (s) {
      if (Object.prototype.hasOwnProperty.call(values, s.name)) s.value = values[s.name];
    });
    if (chart.view) chart.view.finalize();
    chart.box.textContent = "";
    var view = new window.vega.View(window.vega.parse(spec), {renderer: "svg", container: chart.box, hover: true});
    chart.view = view;
    chart.box.scoredView = view;  // for the site's tests and for debugging in the console
    chart.width = available;
    chart.dark = isDark();
    return view.runAsync().then(function () {
      return fit(chart, spec, available, 0, null);
    });
  }

  // Shrink the panels until the drawing fits its column; first stack them if they sit side by side.
  // Where narrowing the plots gains nothing (a long line of text sets the width), they keep their width
  // and the stylesheet scales the whole drawing down instead.
  function fit(chart, spec, available, attempt, original) {
    var width = svgWidth(chart), overflow = width - available;
    if (overflow <= 1 || attempt >= 4) return null;
    if (!chart.stacked && stack(JSON.parse(JSON.stringify(spec)))) {
      chart.stacked = true;
      return draw(chart, boundValues(chart));
    }
    var view = chart.view;
    if (!original) {
      original = {width: spec.width !== undefined ? view.width() : null, signals: {}, svg: width};
      widthSignals(spec).forEach(function (s) { original.signals[s.name] = view.signal(s.name); });
    } else if (original.svg - width < 0.25 * (original.svg - available) && attempt >= 2) {
      // Narrowing did not help: put the plots back as they were designed.
      if (original.width !== null) view.width(original.width);
      Object.keys(original.signals).forEach(function (name) { view.signal(name, original.signals[name]); });
      return view.runAsync().then(function () { return null; });
    }
    // A plot never gets narrower than about half the column: past that, scaling reads better.
    var floor = function (designed) { return Math.min(designed, Math.max(120, 0.45 * available)); };
    var changed = false;
    if (original.width !== null) {
      var next = Math.max(floor(original.width), view.width() - overflow);
      changed = next < view.width();
      view.width(next);
    }
    Object.keys(original.signals).forEach(function (name) {
      var current = view.signal(name), next = Math.max(floor(original.signals[name]), current - overflow);
      if (next < current) {
        view.signal(name, next);
        changed = true;
      }
    });
    if (!changed) return null;
    return view.runAsync().then(function () {
      return fit(chart, spec, available, attempt + 1, original);
    });
  }

  function redraw(chart) {
    return draw(chart, boundValues(chart)).catch(function (err) { fail(chart, err); });
  }

  function fail(chart, err) {
    chart.box.textContent = "This chart could not be drawn: " + err;
    console.error(err);
  }

  function start() {
    document.querySelectorAll("div.scored-chart").forEach(function (box) {
      var source = box.nextElementSibling;
      if (!source || source.type !== "application/json") return;
      var chart = {box: box, spec: JSON.parse(source.textContent), view: null, stacked: false};
      charts.push(chart);
      draw(chart, {}).catch(function (err) { fail(chart, err); });
    });
    if (!charts.length) return;
    // Follow the page's light/dark switch.
    new MutationObserver(function () {
      charts.forEach(function (chart) {
        if (chart.dark !== isDark()) redraw(chart);
      });
    }).observe(document.documentElement, {attributes: true, attributeFilter: ["data-theme"]});
    // Follow the column's width (a phone turned sideways, a resized window), redrawing once it settles.
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        charts.forEach(function (chart) {
          if (Math.abs(chart.box.clientWidth - chart.width) > 8) {
            chart.stacked = false;
            redraw(chart);
          }
        });
      }, 200);
    });
  }

  if (!window.vega) {
    document.querySelectorAll("div.scored-chart").forEach(function (box) {
      box.textContent = "This interactive chart is drawn by the course's chart library, which was not loaded.";
    });
    return;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

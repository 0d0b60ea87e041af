// The analyst page's charts: each .chart[data-spec] element names a JSON block holding a Vega-Lite spec, drawn with
// vega-embed from /vendor/vega.js. Vega's expression interpreter (ast: true) keeps it within a CSP without
// 'unsafe-eval'; the canvas renderer and our own tooltip styles keep it without inline styles.
(function () {
  "use strict";
  document.querySelectorAll(".chart[data-spec]").forEach(function (element) {
    if (!window.vegaEmbed) {
      element.textContent = "The charting library did not load: the figures are in the tables.";
      element.setAttribute("data-drawn", "failed");
      return;
    }
    var spec = JSON.parse(document.getElementById(element.getAttribute("data-spec")).textContent);
    window.vegaEmbed(element, spec, {  // ast: vega-embed's own expression interpreter instead of eval
      renderer: "canvas", actions: false, ast: true, defaultStyle: false, tooltip: { disableDefaultStyle: true }
    }).then(function () {
      element.setAttribute("data-drawn", "true");
    }).catch(function (error) {
      element.textContent = "The chart could not be drawn: " + error.message;
      element.setAttribute("data-drawn", "failed");
    });
  });
}());

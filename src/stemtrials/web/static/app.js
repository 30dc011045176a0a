/* stemtrials web UI glue for htmx (loaded as a file: the pages carry no inline script, for a strict CSP).
   Everything here is an enhancement; every link and form works without JavaScript. */
(function () {
  "use strict";

  var NARROW = "(max-width: 47.99em)";

  // On a phone the filter list would push the results below the fold: start it collapsed there.
  function collapseFiltersOnPhones(root) {
    if (!window.matchMedia || !window.matchMedia(NARROW).matches) return;
    var toggles = (root || document).querySelectorAll("details.facets-toggle");
    for (var i = 0; i < toggles.length; i++) toggles[i].removeAttribute("open");
  }

  // After the results region is swapped: keep the search form in step with the URL's query and sort (a
  // "clear" link may have changed them), announce the new count, and move focus to the results heading when a
  // link inside the old region was used (that link is gone, so focus would otherwise fall back to the page top).
  document.addEventListener("htmx:afterSettle", function (evt) {
    var region = document.getElementById("region");
    if (!region || evt.target !== region) return;
    var q = document.getElementById("q");
    if (q && q.value !== (region.dataset.q || "")) q.value = region.dataset.q || "";
    var sort = document.getElementById("sort");
    if (sort && region.dataset.sort) sort.value = region.dataset.sort;
    collapseFiltersOnPhones(region);
    var heading = document.getElementById("results-heading") || document.getElementById("error-heading");
    var announce = document.getElementById("announce");
    if (announce && heading) announce.textContent = heading.textContent;
    var from = evt.detail && evt.detail.requestConfig && evt.detail.requestConfig.elt;
    if (heading && !(from && from.id === "search-form")) heading.focus();
  });

  document.addEventListener("DOMContentLoaded", function () { collapseFiltersOnPhones(document); });
})();

/* IMG Opportunity Board: small progressive enhancements.
 * Loaded with `defer`; no inline scripts (CSP: default-src 'self').
 * Everything here is optional: the site works without JavaScript.
 */
(function () {
  "use strict";

  var WIDE = window.matchMedia ? window.matchMedia("(min-width: 800px)") : null;

  /* (1) Filters drawer: always open on wide screens, collapsed by default on
   * narrow screens (the server renders it without `open`). */
  function syncDrawers() {
    if (!WIDE) return;
    var drawers = document.querySelectorAll("details.filters-drawer");
    for (var i = 0; i < drawers.length; i++) {
      if (WIDE.matches) {
        drawers[i].open = true;
      }
    }
  }

  /* (4) data-confirm="message" on a form: ask before submitting.
   * Capture phase so it runs before htmx handles the submit. For htmx-boosted
   * or hx-post forms prefer htmx's own `hx-confirm` attribute. */
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!form || !form.getAttribute) return;
      var message = form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  /* (3) data-autosubmit on a control: submit its form on change.
   * Search forms should normally use htmx attributes instead, e.g.
   *   <form hx-get="/search" hx-target="#results" hx-trigger="change, submit">
   * This fallback covers controls where that is not possible. */
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || !el.closest || !el.closest("[data-autosubmit]")) return;
    var form = el.form || el.closest("form");
    if (!form) return;
    if (window.htmx && (form.hasAttribute("hx-get") || form.hasAttribute("hx-post"))) {
      window.htmx.trigger(form, "submit");
    } else if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });

  /* (2) After htmx swaps new results in, move focus to the results heading so
   * keyboard and screen-reader users know the list changed. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) return;
    if (target.id !== "results" && !(target.closest && target.closest("#results"))) return;
    // Don't steal focus from someone typing in a search box (keyup triggers).
    var active = document.activeElement;
    var typing = active && (active.tagName === "TEXTAREA" ||
      (active.tagName === "INPUT" && /^(text|search|email|number|tel|url)$/i.test(active.type || "text")));
    var heading = document.getElementById("results-heading");
    if (heading && !typing) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      try {
        heading.focus({ preventScroll: false });
      } catch (e) {
        heading.focus();
      }
    }
    syncDrawers();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", syncDrawers);
  } else {
    syncDrawers();
  }
  if (WIDE) {
    if (WIDE.addEventListener) WIDE.addEventListener("change", syncDrawers);
    else if (WIDE.addListener) WIDE.addListener(syncDrawers);
  }
})();

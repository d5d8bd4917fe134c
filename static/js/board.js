/* IMG Opportunity Board: small progressive enhancements.
 * Loaded with `defer`; no inline scripts (CSP: default-src 'self').
 * Everything here is optional: the site works without JavaScript.
 */
(function () {
  "use strict";

  var WIDE = window.matchMedia ? window.matchMedia("(min-width: 800px)") : null;

  /* (1) Filters drawer: the server renders it open, so filters show without
   * JavaScript. With JavaScript it is always open on wide screens and folded
   * away on narrow ones until the visitor opens it. */
  function syncDrawers(keepOpen) {
    if (!WIDE) return;
    var drawers = document.querySelectorAll("details.filters-drawer");
    for (var i = 0; i < drawers.length; i++) {
      drawers[i].open = WIDE.matches || keepOpen === true;
    }
  }

  /* (4) data-confirm="message" on a form: ask before submitting.
   * Capture phase so it runs before htmx handles the submit. For htmx-boosted
   * or data-hx-post forms prefer htmx's own `data-hx-confirm` attribute. */
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
   *   <form data-hx-get="/search" data-hx-target="#results" data-hx-trigger="change, submit">
   * This fallback covers controls where that is not possible. */
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || !el.closest || !el.closest("[data-autosubmit]")) return;
    var form = el.form || el.closest("form");
    if (!form) return;
    if (window.htmx && (form.hasAttribute("data-hx-get") || form.hasAttribute("data-hx-post"))) {
      window.htmx.trigger(form, "submit");
    } else if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });

  /* (2) Search results are swapped into #search-body, which also holds the
   * filters. Before the swap, remember which control had focus and whether the
   * drawer was open; after it, put focus back on the same control in the new
   * markup (a keyboard user ticking boxes stays where they were) and announce
   * the new count in the status region. A button that was pressed (Search,
   * Apply filters) sends focus to the results heading instead. */
  var pending = null;

  function swapsResults(target) {
    return target && (target.id === "search-body" || target.id === "results");
  }

  function controlKey(el) {
    if (!el || el === document.body) return null;
    if (el.tagName === "INPUT" && (el.type === "checkbox" || el.type === "radio")) {
      return { name: el.name, value: el.value };
    }
    if (el.id) return { id: el.id };
    return null;
  }

  function findControl(root, key) {
    if (!key) return null;
    if (key.id) return document.getElementById(key.id);
    var boxes = root.querySelectorAll("input[name]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].name === key.name && boxes[i].value === key.value) return boxes[i];
    }
    return null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!swapsResults(target)) return;
    var active = document.activeElement;
    var inside = active && target.contains(active);
    var drawer = target.querySelector("details.filters-drawer");
    pending = {
      key: inside && active.tagName !== "BUTTON" ? controlKey(active) : null,
      // A pressed button, or a link that the swap removes (pagination): go to the results.
      toHeading: !!active && (active.tagName === "BUTTON" || (inside && active.tagName === "A")),
      drawerOpen: !!(drawer && drawer.open)
    };
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!swapsResults(target) || !pending) return;
    var state = pending;
    pending = null;
    syncDrawers(state.drawerOpen);
    var heading = document.getElementById("results-heading");
    var status = document.getElementById("search-status");
    if (status && heading) status.textContent = heading.textContent.replace(/\s+/g, " ").trim();
    var control = findControl(target, state.key);
    if (control) {
      control.focus({ preventScroll: true });
    } else if (state.toHeading && heading) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });

  /* (5) Keep the pushed search URL clean and shareable: the form sends every
   * field, so drop the empty ones, the radius when no place is given, and the
   * default sort. */
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (!detail || detail.verb !== "get" || !detail.elt || detail.elt.id !== "search-form") return;
    var data = detail.formData;
    if (!data || typeof data.forEach !== "function") return;
    var drop = [];
    data.forEach(function (value, key) {
      if (value === "") drop.push(key);
    });
    if (!data.get("near")) drop.push("radius_miles");
    if (data.get("sort") === "relevance") drop.push("sort");  // the default order
    for (var i = 0; i < drop.length; i++) data["delete"](drop[i]);
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

// == h17mod: the inline subscribe box inside the search form ==
(function () {
  "use strict";
  // Typing an address is not a change of search: keep the form's "change" trigger from
  // searching (and re-rendering the box away) while the visitor types it.
  document.addEventListener("change", function (event) {
    if (event.target && event.target.closest && event.target.closest("#subscribe-inline")) {
      event.stopPropagation();
    }
  }, true);
  // Enter in the address field subscribes instead of submitting the search.
  document.addEventListener("keydown", function (event) {
    var box = event.target && event.target.closest && event.target.closest("#subscribe-inline");
    if (!box || event.key !== "Enter" || event.target.tagName !== "INPUT") return;
    var button = box.querySelector("button[formaction]");
    if (button) { event.preventDefault(); button.click(); }
  }, true);
  // A search never carries the address.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (detail && detail.verb === "get" && detail.formData && detail.formData["delete"]) {
      detail.formData["delete"]("subscribe_email");
    }
  });
  // A refused address (400) is shown in the box, at the field.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail && detail.xhr && detail.xhr.status === 400 && detail.target &&
        detail.target.id === "subscribe-inline") {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();

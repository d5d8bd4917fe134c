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

// == h18cal: an event's time in the visitor's own time zone, the host's beside it ==
(function () {
  if (!window.Intl || !Intl.DateTimeFormat) return;
  var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  function fmt(date, withDay) {
    var opts = {hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
    if (withDay) { opts.weekday = "short"; opts.month = "short"; opts.day = "numeric"; opts.year = "numeric"; }
    return new Intl.DateTimeFormat(undefined, opts).format(date);
  }
  function localise(root) {
    var boxes = (root || document).querySelectorAll("[data-event-times]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i], local = box.querySelector("[data-event-local]");
      if (!local || !local.hidden || box.getAttribute("data-zone") === mine) continue;
      var start = new Date(box.getAttribute("data-start")), end = box.getAttribute("data-end");
      var sameDay = end && new Date(end).toDateString() === start.toDateString();
      var time = document.createElement("time");
      time.setAttribute("datetime", box.getAttribute("data-start"));
      time.textContent = fmt(start, true) + (end ? "–" + fmt(new Date(end), !sameDay) : "") + " your time (" + mine + ")";
      local.appendChild(time);
      local.appendChild(document.createTextNode(" · "));
      local.hidden = false;
      var note = box.querySelector("[data-host-note]");
      if (note) note.hidden = false;
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { localise(); });
  else localise();
  document.addEventListener("htmx:afterSwap", function (event) { localise(event.target); });
})();

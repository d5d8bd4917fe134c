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
      // A field the server marked invalid stays in view: its error is inside.
      drawers[i].open = WIDE.matches || keepOpen === true ||
        !!drawers[i].querySelector('[aria-invalid="true"]');
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

// == h17phone: the phone's Apply bar stays out of the way while the header's Apply is on screen ==
(function () {
  "use strict";
  var top = document.querySelector(".listing__apply");
  var bar = document.querySelector(".apply-bar");
  if (!top || !bar || !("IntersectionObserver" in window)) return;  // no JS: the bar always shows
  new IntersectionObserver(function (entries) {
    // visibility, not display: the bar keeps its room, so nothing below it moves (no layout shift)
    bar.classList.toggle("apply-bar--idle", entries[entries.length - 1].isIntersecting);
  }).observe(top);
})();
// == h18plan: the tracker's forms show their field errors (a 400) in place ==
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail && event.detail.target;
  if (target && target.id === "tracker" && event.detail.xhr.status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// After the swap the form that had focus is gone: go to the first field in error, else to
// the saved message, so keyboard and screen-reader users land where the answer is.
document.addEventListener("htmx:afterSettle", function (event) {
  var elt = event.detail && event.detail.elt;
  if (!elt || !elt.getAttribute || elt.getAttribute("data-hx-target") !== "#tracker") return;
  var tracker = document.getElementById("tracker");
  if (!tracker) return;
  var invalid = tracker.querySelector("[aria-invalid='true']");
  var status = tracker.querySelector(".tracker__status .banner");
  if (invalid) {
    invalid.focus();
  } else if (status) {
    status.setAttribute("tabindex", "-1");
    status.focus();
  }
});
// == h17search: the search page: errors at the field, no jump, Near, exclusive USMLE, sheet ==
(function () {
  "use strict";

  var WIDE = window.matchMedia ? window.matchMedia("(min-width: 800px)") : null;
  var changed = null;     // the control whose change started the request
  var anchor = null;      // where it was on screen just before the swap
  var closeSheet = false; // "Show N results" pressed: fold the sheet, go to the results

  function isSearchBody(el) { return el && el.id === "search-body"; }

  function keyOf(el) {
    if (!el || !el.name && !el.id) return null;
    if (el.type === "checkbox" || el.type === "radio") return { name: el.name, value: el.value };
    return el.id ? { id: el.id } : null;
  }

  function find(key) {
    if (!key) return null;
    if (key.id) return document.getElementById(key.id);
    var boxes = document.querySelectorAll("#search-form input[name]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].name === key.name && boxes[i].value === key.value) return boxes[i];
    }
    return null;
  }

  function shown(el) { return !!(el && el.getClientRects().length); }

  /* "None yet" excludes the USMLE steps. Capture phase: the boxes are fixed before htmx
   * (listening on the form) reads them for the request this same change sends. */
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || !el.closest || !el.closest("#search-form")) return;
    if (el.hasAttribute("data-filter-list")) {  // a browser-side list filter: not a search
      event.stopPropagation();
      return;
    }
    if (el.name === "usmle" && el.checked) {
      var boxes = el.form.querySelectorAll('input[name="usmle"]');
      for (var i = 0; i < boxes.length; i++) {
        var other = boxes[i];
        if (other !== el && (el.value === "none") !== (other.value === "none")) other.checked = false;
      }
    }
    changed = keyOf(el);
  }, true);

  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest && event.target.closest("[data-close-sheet]");
    if (el) closeSheet = true;
  }, true);

  /* "Nearest" needs a place: enabled as soon as Near holds some text. */
  function syncNearest() {
    var near = document.getElementById("near");
    var sort = document.getElementById("sort");
    if (!near || !sort) return;
    var option = sort.querySelector('option[value="distance"]');
    if (!option) return;
    var hasPlace = near.value.trim() !== "";
    option.disabled = !hasPlace && sort.value !== "distance";
    option.textContent = hasPlace ? "Nearest" : "Nearest (enter a place)";
  }

  /* Long lists without a server-side box (state): filter the options as you type. */
  function enableLocalFilters() {
    var boxes = document.querySelectorAll("[data-local-filter]");
    for (var i = 0; i < boxes.length; i++) boxes[i].hidden = false;
  }

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el) return;
    if (el.id === "near") syncNearest();
    var listId = el.getAttribute && el.getAttribute("data-filter-list");
    if (!listId) return;
    var needle = el.value.trim().toLowerCase();
    var items = document.querySelectorAll("#" + listId + " > li");
    for (var i = 0; i < items.length; i++) {
      var box = items[i].querySelector("input");
      var label = items[i].textContent.toLowerCase();
      items[i].hidden = !!needle && label.indexOf(needle) === -1 && !(box && box.checked);
    }
  });

  /* A rejected search (400) answers with the page's own fragment: the errors at their
   * fields and what the rest of the search found. htmx leaves 4xx unswapped by default. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var d = event.detail;
    if (!d || !isSearchBody(d.target)) return;
    if (d.xhr && d.xhr.status === 400) {
      d.shouldSwap = true;
      d.isError = false;
    }
    var control = find(changed) || document.activeElement;
    anchor = shown(control) && d.target.contains(control)
      ? { key: keyOf(control), top: control.getBoundingClientRect().top } : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var d = event.detail;
    if (!d || !isSearchBody(d.target)) return;
    var layout = d.target.querySelector("[data-searching]");
    var hero = document.getElementById("search-hero");
    if (hero && layout) hero.hidden = layout.getAttribute("data-searching") === "true";
    syncNearest();
    enableLocalFilters();
    var heading = document.getElementById("results-heading");
    var status = document.getElementById("search-status");
    var errors = d.target.querySelectorAll(".field-error");
    if (status && errors.length) {
      var said = [];
      for (var i = 0; i < errors.length; i++) said.push(errors[i].textContent.trim());
      status.textContent = said.join(" ") + " " + (heading ? heading.textContent.trim() : "");
    }
    var drawer = d.target.querySelector("details.filters-drawer");
    if (closeSheet && drawer && !(WIDE && WIDE.matches)) drawer.open = false;
    // Keep the changed control where it was on screen (no jump to the bottom of the
    // results); if it is gone, or the sheet was folded, bring the results heading into view.
    var control = anchor && !closeSheet ? find(anchor.key) : null;
    if (control && shown(control)) {
      var delta = control.getBoundingClientRect().top - anchor.top;
      // On a phone the open filters are a full-screen sheet that scrolls by itself.
      var sheet = drawer && drawer.open && getComputedStyle(drawer).position === "fixed";
      if (sheet) drawer.scrollTop += delta;
      else window.scrollBy(0, delta);
    } else if (heading && (closeSheet || heading.getBoundingClientRect().top < 0 ||
                           heading.getBoundingClientRect().top > window.innerHeight)) {
      heading.scrollIntoView({ block: "start" });
    }
    if (closeSheet && heading) heading.focus({ preventScroll: true });
    changed = null;
    anchor = null;
    closeSheet = false;
  });

  function start() {
    syncNearest();
    enableLocalFilters();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
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

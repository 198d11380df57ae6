// Digital YRD dashboard: progressive enhancement only. Every page works without this file:
// the map regions are links with <title>s, the table headers are ?sort= links, the form submits.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // --- indicator / year selectors: apply on change -------------------------------------------
  var form = document.getElementById("map-form");
  if (form) {
    var indicator = document.getElementById("indicator-select");
    var year = document.getElementById("year-select");
    if (indicator && year) {
      indicator.addEventListener("change", function () {
        // A year of the previous indicator may not exist for the new one: let the server pick
        // the latest year instead of showing a notice for a choice the user did not make.
        year.disabled = true;
        form.submit();
      });
      year.addEventListener("change", function () { form.submit(); });
    }
  }

  // --- map tooltip ------------------------------------------------------------------------------
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setupMap(svg) {
    var wrap = svg.closest(".map-wrap");
    var tip = wrap ? wrap.querySelector(".map-tooltip") : null;
    if (!tip) return;
    var unit = svg.getAttribute("data-unit") || "";
    var tYear = svg.getAttribute("data-t-year") || "Year";
    var tSource = svg.getAttribute("data-t-source") || "Source";
    var sep = svg.getAttribute("data-t-sep") || ": ";

    // The <title>s are the no-JS tooltip; move them to aria-labels so two tooltips never overlap.
    svg.querySelectorAll(".region").forEach(function (link) {
      var title = link.querySelector("title");
      if (title) {
        link.setAttribute("aria-label", title.textContent);
        title.remove();
      }
    });

    function fill(path) {
      tip.textContent = "";
      tip.appendChild(el("div", "tt-name", path.getAttribute("data-name")));
      var value = el("div", "tt-value");
      var raw = path.getAttribute("data-value");
      if (raw === "") {
        value.classList.add("is-nodata");
        value.textContent = path.getAttribute("data-text");
      } else {
        value.textContent = path.getAttribute("data-text");
        value.appendChild(el("span", "tt-unit", unit));
      }
      tip.appendChild(value);
      var y = path.getAttribute("data-year");
      if (y) tip.appendChild(el("div", "tt-meta tt-year", tYear + sep + y));
      var src = path.getAttribute("data-source");
      if (src) tip.appendChild(el("div", "tt-meta tt-source", tSource + sep + src));
    }

    function place(clientX, clientY) {
      var box = wrap.getBoundingClientRect();
      var x = clientX - box.left + 14;
      var y = clientY - box.top + 14;
      var w = tip.offsetWidth;
      var h = tip.offsetHeight;
      if (x + w > box.width) x = Math.max(0, clientX - box.left - w - 14);
      if (y + h > box.height) y = Math.max(0, clientY - box.top - h - 14);
      tip.style.left = x + "px";
      tip.style.top = y + "px";
    }

    function show(path, clientX, clientY) {
      fill(path);
      tip.hidden = false;
      place(clientX, clientY);
    }

    function hide() { tip.hidden = true; }

    svg.addEventListener("mousemove", function (ev) {
      var path = ev.target.closest ? ev.target.closest("path[data-code]") : null;
      if (!path) { hide(); return; }
      if (tip.hidden || tip.getAttribute("data-code") !== path.getAttribute("data-code")) {
        tip.setAttribute("data-code", path.getAttribute("data-code"));
        fill(path);
        tip.hidden = false;
      }
      place(ev.clientX, ev.clientY);
    });
    svg.addEventListener("mouseleave", hide);
    svg.addEventListener("focusin", function (ev) {
      var path = ev.target.querySelector ? ev.target.querySelector("path[data-code]") : null;
      if (!path) return;
      var r = path.getBoundingClientRect();
      show(path, r.left + r.width / 2, r.top + r.height / 2);
    });
    svg.addEventListener("focusout", hide);
  }

  document.querySelectorAll("svg.choropleth").forEach(setupMap);

  // --- ranking <-> map highlight ----------------------------------------------------------------
  document.querySelectorAll(".ranking li[data-code]").forEach(function (li) {
    var code = li.getAttribute("data-code");
    var path = document.querySelector('svg.choropleth path[data-code="' + code + '"]');
    if (!path) return;
    li.addEventListener("mouseenter", function () { path.classList.add("is-hover"); });
    li.addEventListener("mouseleave", function () { path.classList.remove("is-hover"); });
    path.addEventListener("mouseenter", function () { li.classList.add("is-hover"); });
    path.addEventListener("mouseleave", function () { li.classList.remove("is-hover"); });
  });

  // --- sortable table: sort in place, keep the URL shareable -----------------------------------
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var tbody = table.tBodies[0];
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th"));
    headers.forEach(function (th, index) {
      var link = th.querySelector("a[data-key]");
      if (!link) return;
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        var key = link.getAttribute("data-key");
        var numeric = link.getAttribute("data-numeric") === "1";
        var current = table.getAttribute("data-sort");
        var order = table.getAttribute("data-order");
        if (key === current) order = order === "asc" ? "desc" : "asc";
        else order = numeric ? "desc" : "asc";
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (a, b) {
          var va = a.cells[index].getAttribute("data-sort-value");
          var vb = b.cells[index].getAttribute("data-sort-value");
          // Missing numbers always go last, whatever the order (as on the server).
          if (numeric) {
            if (va === "" && vb === "") return 0;
            if (va === "") return 1;
            if (vb === "") return -1;
            var d = parseFloat(va) - parseFloat(vb);
            return order === "asc" ? d : -d;
          }
          var c = va < vb ? -1 : va > vb ? 1 : 0;
          return order === "asc" ? c : -c;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
        table.setAttribute("data-sort", key);
        table.setAttribute("data-order", order);
        headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", order === "asc" ? "ascending" : "descending");
        if (window.history && window.history.replaceState) {
          var url = new URL(window.location.href);
          url.searchParams.set("sort", key);
          url.searchParams.set("order", order);
          url.searchParams.delete("lang");
          window.history.replaceState(null, "", url.pathname + url.search + "#cities");
        }
      });
    });
  });
})();

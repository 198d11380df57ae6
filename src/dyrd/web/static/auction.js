// Auction room: poll the public auction API every 2 s and show the (possibly extended) end,
// the highest bid and the bids. Progressive enhancement: without it the page shows the state
// at load time and a reload refreshes it.
(function () {
  "use strict";
  var room = document.getElementById("auction-room");
  if (!room || !window.fetch) return;
  var api = room.getAttribute("data-api");
  function field(name) { return room.querySelector('[data-field="' + name + '"]'); }
  function local(iso) {
    var d = new Date(iso);
    // Beijing time, as the server renders it (UTC+8, no daylight saving).
    var b = new Date(d.getTime() + 8 * 3600 * 1000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return b.getUTCFullYear() + "-" + two(b.getUTCMonth() + 1) + "-" + two(b.getUTCDate()) + " " +
      two(b.getUTCHours()) + ":" + two(b.getUTCMinutes()) + ":" + two(b.getUTCSeconds());
  }
  function cell(text, cls) {
    var td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text;
    return td;
  }
  function show(a) {
    field("phase").textContent = a.phase;
    var end = field("current_end");
    end.textContent = local(a.current_end);
    end.setAttribute("data-iso", a.current_end);
    field("extensions").textContent = String(a.extensions);
    field("highest").textContent = a.highest === null ? "—" : a.highest;
    field("minimum_next").textContent = a.minimum_next;
    field("outcome").textContent = a.outcome === null ? "—" : a.outcome;
    var body = document.querySelector("#mk-auction-bids tbody");
    while (body.firstChild) body.removeChild(body.firstChild);
    a.bids.forEach(function (b) {
      var tr = document.createElement("tr");
      tr.appendChild(cell(b.bidder));
      tr.appendChild(cell(b.amount, "num mono"));
      tr.appendChild(cell(local(b.placed_at), "mono"));
      tr.appendChild(cell(local(b.end_after), "mono"));
      tr.appendChild(cell(room.getAttribute(b.extended ? "data-yes" : "data-no")));
      body.appendChild(tr);
    });
  }
  function poll() {
    fetch(api, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (a) { if (a) show(a); })
      .catch(function () { /* keep the last state; try again on the next tick */ });
  }
  window.setInterval(poll, 2000);
})();

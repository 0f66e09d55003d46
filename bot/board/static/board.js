/* The command-centre board: polls /api/state and redraws the panels in place.
 *
 * Credentials: a wall screen sends the token of its link; inside Telegram the page sends the
 * signed initData that Telegram put in the launch parameters (tgWebAppData in the URL's
 * fragment), read here directly so that the page needs no script from outside. Every text
 * comes from the server, already in the viewer's language; names are set as text, never as
 * HTML.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("board-config").textContent);
  var COLORS = { staffed: "#2e7d32", short: "#f9a825", empty: "#c62828", idle: "#9e9e9e" };
  var statusLine = document.getElementById("board-status");
  var refreshes = 0;
  var failures = 0; // polls that came to nothing, counted like refreshes
  var stopped = false;
  var updated = ""; // "updated 07:10" of the data shown
  // The same with its day, for the offline notice: a screen may stay offline overnight.
  var updatedOn = "";

  // -- Telegram ---------------------------------------------------------------------------------

  function postToTelegram(type, data) {
    var payload = JSON.stringify(data || {});
    try {
      if (window.TelegramWebviewProxy && window.TelegramWebviewProxy.postEvent) {
        window.TelegramWebviewProxy.postEvent(type, payload);
      } else if (window.external && typeof window.external.notify === "function") {
        window.external.notify(JSON.stringify({ eventType: type, eventData: data || {} }));
      } else if (window.parent !== window) {
        window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), "*");
      }
    } catch (error) {
      /* outside Telegram there is nobody to tell */
    }
  }

  function initData() {
    var webApp = window.Telegram && window.Telegram.WebApp;
    if (webApp && webApp.initData) {
      return webApp.initData;
    }
    var fromHash = new URLSearchParams(window.location.hash.slice(1)).get("tgWebAppData");
    try {
      if (fromHash) {
        window.sessionStorage.setItem("tgWebAppData", fromHash);
      } else {
        fromHash = window.sessionStorage.getItem("tgWebAppData");
      }
    } catch (error) {
      /* storage may be off; the fragment is enough */
    }
    return fromHash;
  }

  // -- Telegram's theme -------------------------------------------------------------------------
  // Telegram hands its colours in the launch parameters (tgWebAppThemeParams) and sends
  // theme_changed when the user switches between day and night: the page wears them, so a
  // leader in night mode does not get a white page. A wall screen keeps the board's own.

  var THEME = {
    "--bg": ["secondary_bg_color", "bg_color"],
    "--card": ["section_bg_color", "bg_color"],
    "--ink": ["text_color"],
    "--muted": ["subtitle_text_color", "hint_color"],
    "--line": ["secondary_bg_color"],
    "--poor": ["destructive_text_color"],
  };

  function launchTheme() {
    var text = new URLSearchParams(window.location.hash.slice(1)).get("tgWebAppThemeParams");
    try {
      if (text) {
        window.sessionStorage.setItem("tgWebAppThemeParams", text);
      } else {
        text = window.sessionStorage.getItem("tgWebAppThemeParams");
      }
    } catch (error) {
      /* storage may be off; the fragment is enough */
    }
    try {
      return text ? JSON.parse(text) : null;
    } catch (error) {
      return null;
    }
  }

  function isDark(hex) {
    var match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
    if (!match) {
      return false;
    }
    var r = parseInt(match[1], 16), g = parseInt(match[2], 16), b = parseInt(match[3], 16);
    return 0.299 * r + 0.587 * g + 0.114 * b < 128;
  }

  function applyTheme(params) {
    if (!params || config.mode === "screen") {
      return;
    }
    var root = document.documentElement.style;
    Object.keys(THEME).forEach(function (name) {
      var found = null;
      THEME[name].forEach(function (key) {
        if (!found && /^#[0-9a-f]{6}$/i.test(params[key] || "")) {
          found = params[key];
        }
      });
      if (found) {
        root.setProperty(name, found);
      } else {
        root.removeProperty(name); // the board's own colour
      }
    });
    root.colorScheme = isDark(params.bg_color) ? "dark" : "light";
    themed();
  }

  function receiveEvent(type, data) {
    if (type === "theme_changed" && data) {
      applyTheme(data.theme_params);
    }
  }

  // Telegram's apps call window.Telegram.WebView.receiveEvent; Telegram Web posts messages.
  window.Telegram = window.Telegram || {};
  window.Telegram.WebView = window.Telegram.WebView || {};
  window.Telegram.WebView.receiveEvent = receiveEvent;
  window.addEventListener("message", function (event) {
    try {
      var message = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
      if (message && message.eventType) {
        receiveEvent(message.eventType, message.eventData);
      }
    } catch (error) {
      /* not Telegram's */
    }
  });

  function credentials() {
    if (config.mode === "screen") {
      return config.token ? "screen " + config.token : null;
    }
    var data = initData();
    return data ? "tma " + data : null;
  }

  // -- small helpers ----------------------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  function escapeHtml(text) {
    var node = document.createElement("span");
    node.textContent = text || "";
    return node.innerHTML;
  }

  // -- map --------------------------------------------------------------------------------------

  var map = null;
  var markers = {};
  var fitted = false;
  // When someone last moved the map themselves (dragged, zoomed, pinched, used its keys or
  // buttons, opened a popup): 0 for never.
  var touchedAt = 0;
  // A post added (or moved) outside the view brings the view to every post again, so that a
  // wall screen shows it without anyone reloading or touching the screen. Not while a person
  // is looking around the map themselves: a refresh must not snatch the view from under their
  // hand. Their view stands until they have left the map alone for HANDS_OFF_MS; then the map
  // counts as untouched again, so a wall screen someone panned once does not stop following
  // new posts for good.
  var HANDS_OFF_MS = 10 * 60 * 1000;

  function touched() {
    touchedAt = Date.now();
  }

  function handsOff() {
    return !touchedAt || Date.now() - touchedAt >= HANDS_OFF_MS;
  }

  function ensureMap() {
    if (map || !document.getElementById("map") || !window.L) {
      return map;
    }
    map = L.map("map", { zoomControl: true });
    // Leaflet credits itself with a link to its site, in the corner a thumb panning the map
    // lands on: in Telegram that page replaces the board, and a Mini App has no way back.
    // The credit stays, as text.
    map.attributionControl.setPrefix("Leaflet");
    // Unreachable tiles leave the background blank; the markers are vectors and still show.
    L.tileLayer(config.tile_url, {
      maxZoom: 19,
      // A or b or c for {s}, or those MAP_TILE_URL names in {switch:...} (AMap's 1 to 4).
      subdomains: config.tile_subdomains,
      attribution: escapeHtml(config.tile_attribution),
    }).addTo(map);
    map.setView([35.0, 105.0], 4);
    zoomWords();
    map.on("popupopen", fitPopup);
    // The person's own gestures only: the refits and Leaflet's own moves fire none of these.
    ["pointerdown", "mousedown", "touchstart", "wheel", "keydown"].forEach(function (type) {
      map.getContainer().addEventListener(type, touched, { capture: true, passive: true });
    });
    return map;
  }

  function zoomWords() {
    // Leaflet names its zoom buttons in English (their tooltip, and what a screen reader
    // says): in the viewer's language instead, again after a /lang.
    [["in", config.labels.zoom_in], ["out", config.labels.zoom_out]].forEach(function (pair) {
      var button = map && map.getContainer().querySelector(".leaflet-control-zoom-" + pair[0]);
      if (button && pair[1]) {
        button.title = pair[1];
        button.setAttribute("aria-label", pair[1]);
      }
    });
  }

  // Leaflet lets a popup's text grow to 300 px, and its bubble adds some 50 px of margins: on
  // a phone (a map of some 315 px) a long post name or shift line made the bubble wider than
  // the map, whose edge cut the text off. A popup is kept to the width the map has room for.
  // Its height too: a crowded post (forty on post at a big crossing) listed everyone in a
  // bubble taller than a phone's map, the names below its edge out of reach. Past the map's
  // height less the bubble's padding, tip and Leaflet's pan margins, the list scrolls inside.
  var POPUP_WIDEST = 300;
  var POPUP_MARGINS = 64;
  var POPUP_VERTICAL_MARGINS = 90;

  function fitPopup(event) {
    var popup = event.popup;
    var size = map.getSize();
    var widest = Math.max(120, Math.min(POPUP_WIDEST, size.x - POPUP_MARGINS));
    var tallest = Math.max(120, size.y - POPUP_VERTICAL_MARGINS);
    if (popup.options.maxWidth !== widest || popup.options.maxHeight !== tallest) {
      popup.options.maxWidth = widest;
      popup.options.maxHeight = tallest;
      popup.update();
    }
  }

  function popupContent(popup, stateLabel, idle) {
    var box = element("div", "popup");
    box.appendChild(element("strong", "popup-title", popup.title));
    box.appendChild(element("div", "popup-unit", popup.unit));
    box.appendChild(element("div", "popup-state", stateLabel));
    // With a shift under way, its hours then how many are on post; with none, the line that
    // heads the day's next shifts ("Next shifts today") above them, and "and N more" last.
    var staffing = element("div", "popup-staffing", popup.staffing);
    if (idle) {
      box.appendChild(staffing);
    }
    popup.shifts.forEach(function (line) {
      box.appendChild(element("div", "popup-shift", line));
    });
    if (popup.more) {
      box.appendChild(element("div", "popup-more", popup.more));
    }
    if (!idle) {
      box.appendChild(staffing);
    }
    if (popup.people.length) {
      box.appendChild(peopleList(popup.people));
    }
    // Checked in for the next shift before it starts: apart, not counted on post.
    if (popup.early) {
      box.appendChild(element("div", "popup-early", popup.early.label));
      box.appendChild(peopleList(popup.early.people));
    }
    return box;
  }

  function peopleList(people) {
    var list = element("ul", "popup-people");
    people.forEach(function (person) {
      var item = element("li", "popup-person");
      item.appendChild(element("span", "popup-name", person.name));
      item.appendChild(element("span", "popup-time", " " + person.time));
      if (person.note) {
        item.appendChild(element("span", "popup-note", " " + person.note));
      }
      list.appendChild(item);
    });
    return list;
  }

  // Posts of one crossing may share their coordinates: their dots lie one on the other and
  // only the top one can be tapped. The top one is the post that most needs attention, and
  // tapping the spot names every post there.
  var ATTENTION = { idle: 0, staffed: 1, short: 2, empty: 3 };

  function spotKey(marker) {
    var at = marker.getLatLng();
    return at.lat + "," + at.lng;
  }

  function sharing(marker) {
    var key = spotKey(marker);
    return Object.keys(markers).map(function (id) { return markers[id]; }).filter(
      function (other) { return other !== marker && spotKey(other) === key; }
    );
  }

  function spotContent(layer) {
    var box = element("div", "popup-spot");
    [layer].concat(sharing(layer)).forEach(function (marker) {
      box.appendChild(popupContent(marker.item.popup, marker.label, marker.item.state === "idle"));
    });
    return box;
  }

  function stackSpots() {
    var spots = {};
    Object.keys(markers).forEach(function (id) {
      var key = spotKey(markers[id]);
      (spots[key] = spots[key] || []).push(markers[id]);
    });
    Object.keys(spots).forEach(function (key) {
      var together = spots[key];
      if (together.length < 2) {
        return;
      }
      together.sort(function (a, b) { return ATTENTION[a.item.state] - ATTENTION[b.item.state]; });
      together.forEach(function (marker) { marker.bringToFront(); });
    });
  }

  function markerStyle(state) {
    return { radius: 9, weight: 2, color: "#ffffff", fillColor: COLORS[state], fillOpacity: 0.95 };
  }

  function renderMap(section, data) {
    var target = ensureMap();
    if (!target) {
      return;
    }
    var seen = {};
    var bounds = [];
    var labels = {};
    var view = fitted ? target.getBounds() : null;
    var outside = false; // a post new to the map, or moved, lies outside the view
    var open = []; // the markers whose popup is open
    data.legend.forEach(function (entry) { labels[entry.state] = entry.label; });
    // A city has 2,000 posts, refreshed every few seconds on a phone: a marker is restyled only
    // when its state changes, and its popup is built when it opens (and again while it is open).
    data.markers.forEach(function (item) {
      seen[item.id] = true;
      var marker = markers[item.id];
      if (!marker) {
        marker = L.circleMarker([item.lat, item.lng], markerStyle(item.state)).addTo(target);
        marker.bindPopup(spotContent);
        markers[item.id] = marker;
        outside = outside || (view !== null && !view.contains([item.lat, item.lng]));
      } else {
        var at = marker.getLatLng();
        if (at.lat !== item.lat || at.lng !== item.lng) {
          marker.setLatLng([item.lat, item.lng]);
          outside = outside || (view !== null && !view.contains([item.lat, item.lng]));
        }
        if (marker.item.state !== item.state) {
          marker.setStyle(markerStyle(item.state));
        }
      }
      var changed = !marker.item || marker.item.state !== item.state;
      marker.item = item;
      marker.label = labels[item.state];
      if (marker.isPopupOpen()) {
        open.push(marker);
      }
      var path = changed ? marker.getElement() : null;
      if (path) {
        path.setAttribute("class", "leaflet-interactive post-marker state-" + item.state);
        path.setAttribute("data-post", String(item.id));
        path.setAttribute("data-state", item.state);
      }
      bounds.push([item.lat, item.lng]);
    });
    Object.keys(markers).forEach(function (id) {
      if (!seen[id]) {
        target.removeLayer(markers[id]);
        delete markers[id];
      }
    });
    stackSpots();
    // Open popups are built again once every marker holds its fresh item: a spot's popup also
    // shows posts the loop above reached after the one it is open on.
    open.forEach(function (marker) {
      if (!marker.isPopupOpen()) {
        return;
      }
      // Without Leaflet panning the map back to the popup: the leader may have dragged the
      // map away to look around. And where they had scrolled a crowded post's list: Leaflet
      // lays the new content out from its full height, which puts the list back at its top.
      var popup = marker.getPopup();
      var bubble = popup.getElement();
      var content = bubble ? bubble.querySelector(".leaflet-popup-content") : null;
      var scrolled = content ? content.scrollTop : 0;
      var autoPan = popup.options.autoPan;
      popup.options.autoPan = false;
      popup.update();
      popup.options.autoPan = autoPan;
      if (content && scrolled) {
        content.scrollTop = scrolled; // as far as the list still reaches
      }
    });
    if (bounds.length && (!fitted || (outside && handsOff()))) {
      target.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
      fitted = true;
    }
    var legend = section.querySelector('[data-role="legend"]');
    clear(legend);
    data.legend.forEach(function (entry) {
      var item = element("li", "legend-item state-" + entry.state);
      var swatch = element("span", "swatch");
      swatch.style.background = COLORS[entry.state];
      item.appendChild(swatch);
      item.appendChild(element("span", "legend-label", entry.label));
      item.appendChild(element("span", "legend-count", String(entry.count)));
      legend.appendChild(item);
    });
    if (!data.markers.length) {
      legend.appendChild(element("li", "legend-empty", config.labels.no_posts));
    }
  }

  // -- figures and the day's curve --------------------------------------------------------------

  var plot = null;
  var plotWords = ""; // the labels the chart was made with
  var lastCurve = null;

  function ink(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function themed() {
    // The chart paints its axes on a canvas: draw it again in the new colours.
    if (plot) {
      var box = plot.root.parentNode;
      plot.destroy();
      plot = null;
      if (lastCurve) {
        renderCurve(box, lastCurve);
      }
    }
  }

  function curveSize(box) {
    var width = Math.max(240, box.clientWidth || 320);
    return { width: width, height: Math.round(Math.min(220, Math.max(140, width * 0.35))) };
  }

  function latest(u, value, series, idx) {
    // Nobody points at the chart (a wall screen, a phone between taps): the legend reads the
    // latest point, now, rather than a dash all day.
    if (idx !== null && idx !== undefined) {
      return value;
    }
    var values = u.data[series];
    return values.length ? values[values.length - 1] : null;
  }

  function renderCurve(box, curve) {
    if (!window.uPlot) {
      return;
    }
    lastCurve = curve;
    // The chart writes its legend once, when it is made: after /lang the data speaks another
    // language, and the chart is made again in it.
    var words = config.labels.time + "\n" + curve.label;
    if (plot && plotWords !== words) {
      plot.destroy();
      plot = null;
    }
    var xs = curve.points.map(function (point) { return point[0]; });
    var ys = curve.points.map(function (point) { return point[1]; });
    if (!plot) {
      var size = curveSize(box);
      var zoned = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), config.zone); };
      var hoursMinutes = uPlot.fmtDate("{HH}:{mm}");
      var clock = function (ts) { return ts === null || ts === undefined ? "—" : hoursMinutes(zoned(ts)); };
      plot = new uPlot(
        {
          width: size.width,
          height: size.height,
          tzDate: zoned,
          scales: { y: { range: [0, 100] } },
          legend: { show: true },
          series: [
            {
              label: config.labels.time,
              value: function (u, v, series, idx) { return clock(latest(u, v, 0, idx)); },
            },
            {
              label: curve.label,
              stroke: "#1565c0",
              fill: "rgba(21, 101, 192, 0.12)",
              width: 2,
              spanGaps: false,
              value: function (u, v, series, idx) {
                var shown = latest(u, v, 1, idx);
                return shown === null || shown === undefined ? "—" : shown + "%";
              },
            },
          ],
          axes: [
            {
              stroke: ink("--muted"),
              grid: { stroke: ink("--line") },
              ticks: { stroke: ink("--line") },
              values: function (u, values) { return values.map(clock); },
            },
            {
              stroke: ink("--muted"),
              grid: { stroke: ink("--line") },
              ticks: { stroke: ink("--line") },
              values: function (u, values) { return values.map(function (v) { return v + "%"; }); },
            },
          ],
        },
        [xs, ys],
        box
      );
      plotWords = words;

    } else {
      plot.setData([xs, ys]);
    }
  }

  function renderFigures(section, data) {
    var list = section.querySelector('[data-role="figures"]');
    clear(list);
    data.figures.forEach(function (figure) {
      var item = element("div", "figure figure-" + figure.key);
      item.setAttribute("data-key", figure.key);
      item.appendChild(element("dt", null, figure.label));
      item.appendChild(element("dd", null, figure.value));
      list.appendChild(item);
    });
    renderCurve(section.querySelector('[data-role="curve"]'), data.curve);
  }

  // -- tables (the ranking, and any table a later panel brings) ---------------------------------

  function renderTable(section, data) {
    var table = section.querySelector('[data-role="table"]');
    var head = table.querySelector("thead");
    var body = table.querySelector("tbody");
    clear(head);
    clear(body);
    var headRow = element("tr");
    data.columns.forEach(function (column) { headRow.appendChild(element("th", null, column)); });
    head.appendChild(headRow);
    var text = {};
    (data.text_columns || []).forEach(function (index) { text[index] = true; });
    data.rows.forEach(function (row) {
      var line = element("tr", "tone-" + (row.tone || "none"));
      row.cells.forEach(function (cell, index) {
        line.appendChild(element("td", text[index] ? "cell-text" : null, cell));
      });
      body.appendChild(line);
    });
  }

  var VIEWS = { map: renderMap, figures: renderFigures, table: renderTable };

  // -- a wall screen pages through its long tables ----------------------------------------------

  function turnPage(box) {
    // The next screenful of a table longer than its card: the first row not wholly shown goes
    // to the top, under the heading row; after the last row, the first page again.
    if (box.scrollHeight <= box.clientHeight + 1) {
      box.scrollTop = 0;
      return;
    }
    var head = box.querySelector("thead");
    var headHeight = head ? head.offsetHeight : 0;
    var bottom = box.scrollTop + box.clientHeight;
    var rows = box.querySelectorAll("tbody tr");
    var target = 0;
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].offsetTop + rows[i].offsetHeight > bottom + 1) {
        target = Math.max(rows[i].offsetTop - headHeight, box.scrollTop + 1);
        break;
      }
    }
    box.scrollTop = target;
  }

  function turnPages() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-scroll"), turnPage);
  }

  // -- the loop ---------------------------------------------------------------------------------

  function speak(page) {
    // The page was served in its address's language; the data comes in the viewer's.
    if (!page) {
      return;
    }
    config.labels = page.labels;
    document.documentElement.lang = page.html_lang;
    document.title = page.title;
    document.getElementById("board-title").textContent = page.title;
    document.querySelector("#board-denied p").textContent = page.labels.denied;
    zoomWords();
  }

  function undeny() {
    if (!document.body.classList.contains("is-denied")) {
      return;
    }
    document.body.classList.remove("is-denied");
    document.getElementById("board-denied").hidden = true;
    document.getElementById("board-panels").hidden = false;
    if (map) {
      map.invalidateSize(); // hidden meanwhile: Leaflet measures its box again
    }
  }

  function render(payload) {
    undeny();
    speak(payload.page);
    document.getElementById("board-scope").textContent = payload.scope;
    updated = payload.updated;
    updatedOn = payload.updated_on;
    statusLine.textContent = updated;
    statusLine.classList.remove("offline");
    payload.panels.forEach(function (panel) {
      var section = document.getElementById("panel-" + panel.key);
      var draw = VIEWS[panel.view];
      if (section && panel.title) {
        section.querySelector("h2").textContent = panel.title;
        var named = section.querySelector(".map[aria-label]"); // named for screen readers
        if (named) {
          named.setAttribute("aria-label", panel.title);
        }
      }
      if (section && draw) {
        draw(section, panel.data);
      }
    });
    if (config.mode === "screen" && refreshes > 0) {
      turnPages(); // nobody scrolls a wall screen: a page a refresh
    }
    refreshes += 1;
    document.body.setAttribute("data-refreshes", String(refreshes));
  }

  // The reasons the board's 403 names (server.py, BoardServer.state).
  var BOARD_REASONS = ["expired", "archived", "unit_archived", "forbidden"];

  function deny(reason, page) {
    // "expired": a Mini App left open past its Telegram login, to reopen with /board;
    // "archived": a wall screen's unit archived (the link works again once it is restored);
    // "unit_archived": the viewer's own unit archived, as /board tells them.
    // None is a matter of rights. `page`: the words in the language of whoever is refused.
    speak(page);
    var told = reason === "expired" || reason === "archived" || reason === "unit_archived";
    var text = told ? config.labels[reason] : config.labels.denied;
    // A wall screen's unit may be restored: the link still holds, and nobody walks up to a
    // screen on the wall to reload it. It keeps asking, and shows the board again (undeny).
    stopped = reason !== "archived";
    if (map) {
      Object.keys(markers).forEach(function (id) { map.removeLayer(markers[id]); });
    }
    markers = {};
    document.getElementById("board-panels").hidden = true;
    document.querySelector("#board-denied p").textContent = text;
    document.getElementById("board-denied").hidden = false;
    statusLine.textContent = text;
    document.body.classList.add("is-denied");
  }

  // -- a page open across an upgrade -----------------------------------------------------------
  // Every answer names the build the server serves now; a page served another one (a wall
  // screen left open for weeks while the bot was upgraded) reloads itself to get the new script.
  // Only an answer with data can do it: a failing, refusing or half-upgraded server (a 503, an
  // error page of a proxy) leaves the page as it is. And once per build: a page that comes back
  // with the old build again (replicas behind a load balancer still being upgraded) goes on
  // showing the board and tries again at most once every RELOAD_AGAIN_MS, never in a loop.

  var RELOADED = "dutybot.board.reloadedFor";
  var RELOAD_AGAIN_MS = 60 * 60 * 1000;

  function reloadFor(build) {
    if (!build || !config.build || build === config.build) {
      return false;
    }
    try {
      var last = JSON.parse(window.sessionStorage.getItem(RELOADED) || "null");
      if (last && last.build === build && Date.now() - last.at < RELOAD_AGAIN_MS) {
        return false;
      }
      window.sessionStorage.setItem(RELOADED, JSON.stringify({ build: build, at: Date.now() }));
    } catch (error) {
      return false; // with nowhere to note the reload, one could become a loop: stay
    }
    stopped = true;
    // What the screen says until the new page has come (a slow network, a big vendored file).
    statusLine.textContent = config.labels.reloading || statusLine.textContent;
    window.location.reload();
    return true;
  }

  function schedule() {
    if (!stopped) {
      window.setTimeout(poll, config.refresh_seconds * 1000);
    }
  }

  function poll() {
    var authorization = credentials();
    if (!authorization) {
      deny();
      return;
    }
    // A dropped network can leave a request hanging for good: give it up after a while, so
    // the screen says it is offline instead of showing old figures as if they were live.
    var aborter = window.AbortController ? new AbortController() : null;
    var timer = window.setTimeout(function () {
      if (aborter) {
        aborter.abort();
      }
    }, config.timeout_seconds * 1000);
    fetch(config.api, {
      headers: { Authorization: authorization },
      cache: "no-store",
      credentials: "same-origin",
      signal: aborter ? aborter.signal : undefined,
    })
      .then(function (response) {
        if (response.status === 403) {
          // The board's refusals name their reason. A 403 without one is not the board's
          // verdict but a proxy's page (a firewall's challenge, a rate limit): the screen is
          // offline for now and asks again, instead of going dark for good with a valid link.
          return response.json().then(function (body) {
            // Only the board's own reasons: a gateway's JSON may have an "error" too.
            if (!body || BOARD_REASONS.indexOf(body.error) < 0) {
              throw new Error("HTTP 403 without the board's reason");
            }
            deny(body.error, body.page);
            schedule(); // only while a restored unit may bring the board back (deny)
            return null;
          });
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (payload) {
        window.clearTimeout(timer); // the body too has come in time
        if (payload && reloadFor(payload.build)) {
          return;
        }
        if (payload) {
          render(payload);
          schedule();
        }
      })
      .catch(function () {
        window.clearTimeout(timer);
        // Offline, and since when the figures on screen date.
        var offline = config.labels.offline;
        statusLine.textContent = updatedOn ? offline + " · " + updatedOn : offline;
        statusLine.classList.add("offline");
        failures += 1;
        document.body.setAttribute("data-failures", String(failures));
        schedule();
      });
  }

  window.addEventListener("resize", function () {
    if (plot) {
      plot.setSize(curveSize(plot.root.parentNode));
    }
  });
  applyTheme(launchTheme());
  postToTelegram("web_app_ready");
  postToTelegram("web_app_expand");
  // Telegram minimises a Mini App on a downward swipe: a drag on the map must pan the map.
  // The Mini App's header still closes it (Telegram Mini Apps 7.7 and later; ignored before).
  postToTelegram("web_app_setup_swipe_behavior", { allow_vertical_swipe: false });
  poll();
})();

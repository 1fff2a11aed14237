//! `GET /_fake/map`: one self-contained HTML page (inline CSS and script,
//! nothing fetched but the fake's own admin paths) that polls
//! `/_fake/access-log?since=N` every 500 ms and, when records arrive,
//! fetches `/_fake/map.svg` again and swaps it in. Without JavaScript it
//! shows `/_fake/map.svg` as an image.

/// The page; `{{SINCE}}` is replaced by the last `seq` when served.
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lattice fake · service map</title>
<link rel="icon" href="data:,">
<style>
body{margin:0;font:13px "DejaVu Sans Mono",Menlo,Consolas,monospace;background:#f6f7f9;color:#222}
header{display:flex;gap:18px;align-items:baseline;padding:8px 14px;border-bottom:1px solid #d8dde3;background:#fff}
header b{font-size:14px}
#status{color:#555}
#status.down{color:#b71c1c}
#map{padding:10px;overflow:auto}
#map svg{display:block}
#tip{position:fixed;display:none;max-width:760px;white-space:pre-wrap;background:#fff;border:1px solid #8a99aa;
  border-radius:4px;padding:6px 9px;box-shadow:0 2px 8px rgba(0,0,0,.2);pointer-events:none;font-size:12px;z-index:1}
</style>
</head>
<body>
<header><b>lattice fake · service map</b><span id="status">connecting…</span>
<a href="/_fake/map.svg">map.svg</a><a href="/_fake/access-log">access-log</a></header>
<div id="map" data-since="{{SINCE}}"><noscript><img src="/_fake/map.svg" alt="service map"></noscript></div>
<div id="tip"></div>
<script>
"use strict";
(function () {
  var map = document.getElementById("map");
  var status = document.getElementById("status");
  var tip = document.getElementById("tip");
  var since = Number(map.getAttribute("data-since")) || 0;
  var drawn = null;
  var polls = 0;

  // Tooltips: each edge's and node's <title> moves to data-tip, shown in #tip.
  function adoptTitles() {
    var groups = map.querySelectorAll("g.edge, g.node");
    for (var i = 0; i < groups.length; i++) {
      var t = groups[i].querySelector("title");
      if (t) {
        groups[i].setAttribute("data-tip", t.textContent);
        t.parentNode.removeChild(t);
      }
    }
  }

  function redraw() {
    return fetch("/_fake/map.svg", {cache: "no-store"}).then(function (r) {
      if (!r.ok) { throw new Error("map.svg answered " + r.status); }
      return r.text();
    }).then(function (svg) {
      if (svg !== drawn) {
        map.innerHTML = svg;
        drawn = svg;
        adoptTitles();
      }
    });
  }

  function poll() {
    polls++;
    fetch("/_fake/access-log?since=" + since, {cache: "no-store"}).then(function (r) {
      if (!r.ok) { throw new Error("access-log answered " + r.status); }
      return r.text();
    }).then(function (text) {
      var lines = text.split("\n").filter(function (l) { return l.trim() !== ""; });
      var fresh = lines.length > 0;
      if (fresh) { since = JSON.parse(lines[lines.length - 1]).seq || since; }
      // New records, the first poll, or every 5 s (a reset clears the map).
      if (fresh || drawn === null || polls % 10 === 0) { return redraw(); }
    }).then(function () {
      status.className = "";
      status.textContent = "live · last record #" + since + " · " + new Date().toLocaleTimeString();
    }).catch(function (e) {
      status.className = "down";
      status.textContent = "fake not reachable (" + e.message + "); retrying";
    }).then(function () {
      setTimeout(poll, 500);
    });
  }

  map.addEventListener("mousemove", function (e) {
    var g = e.target.closest ? e.target.closest("g[data-tip]") : null;
    if (!g) { tip.style.display = "none"; return; }
    tip.textContent = g.getAttribute("data-tip");
    tip.style.display = "block";
    var x = e.clientX + 16, y = e.clientY + 16;
    if (x + tip.offsetWidth > window.innerWidth) { x = Math.max(0, e.clientX - tip.offsetWidth - 8); }
    if (y + tip.offsetHeight > window.innerHeight) { y = Math.max(0, e.clientY - tip.offsetHeight - 8); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  });
  map.addEventListener("mouseleave", function () { tip.style.display = "none"; });
  poll();
})();
</script>
</body>
</html>
"#;

/// The page, polling from `since`.
pub(crate) fn render(since: u64) -> String {
    PAGE.replace("{{SINCE}}", &since.to_string())
}

// Private: the viewer's stylesheet and its one small script (served from the viewer itself: no CDN).

/** The stylesheet (served as /app.css; inlined in exported pages). */
export const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1d1d1f;background:#fafafa}
header.top{background:#23252b;color:#fff;padding:8px 18px;display:flex;gap:18px;align-items:center}
header.top a{color:#fff;text-decoration:none;font-weight:600}
header.top .brand{font-size:16px;margin-right:12px}
main{padding:14px 18px;max-width:1500px}
figure{margin:0 0 12px}
figcaption{margin-top:4px}
h3{font-size:14px;margin:12px 0 6px}
.scroll{max-width:100%;overflow-x:auto}
.nowrap{white-space:nowrap}
a.run-link{display:inline-block;max-width:28ch;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;vertical-align:bottom}
.once{flex-basis:100%;margin-top:4px}
ul.chips{display:inline;list-style:none;padding:0;margin:0 0 0 6px}
ul.chips li{display:inline-block;background:#fff;border:1px solid #e3e3e3;border-radius:4px;padding:1px 7px;margin:0 6px 6px 0;font-size:13px;font-variant-numeric:tabular-nums}
ul.chips .k{color:#555}
.kv-cols{gap:0 24px}
td.tags{min-width:11em}
figure svg,figure img{max-width:100%;height:auto}
table.kv td:last-child{overflow-wrap:anywhere}
pre.json{max-height:360px}
h1{font-size:20px;margin:6px 0 10px}
h2{font-size:16px;margin:18px 0 8px;border-bottom:1px solid #ddd;padding-bottom:3px}
a{color:#0b5cad}
table.grid{border-collapse:collapse;background:#fff;font-size:13px}
table.grid th,table.grid td{padding:4px 9px;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}
table.grid th{background:#f0f0f0;position:sticky;top:0;white-space:nowrap}
table.grid td.num{text-align:right;font-variant-numeric:tabular-nums}
table.grid tr.diff td{background:#fff4d6}
table.grid tr.error td{background:#fff1f1}
table.kv td:first-child{color:#555;white-space:nowrap}
table.kv td.num{text-align:left}
.cell-text{max-width:640px;white-space:pre-wrap;word-break:break-word}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:6px 0 12px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#555}
input,select,button{font:inherit;padding:3px 6px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;color:#fff;background:#777}
.status-finished{background:#2e7d32}.status-running{background:#1565c0}.status-failed{background:#c62828}
.status-crashed{background:#6d4c41}.status-killed{background:#ad1457}
.charts{display:flex;flex-wrap:wrap;gap:10px}
.charts figure{margin:0;background:#fff;border:1px solid #e3e3e3}
.pager{margin:8px 0;display:flex;gap:10px;align-items:center}
pre.output,pre.preview{background:#111;color:#eee;padding:10px;max-height:480px;overflow:auto;white-space:pre-wrap;word-break:break-word;font-size:12px}
pre.preview{background:#fff;color:#111;border:1px solid #ddd}
.muted{color:#777}
.tag{display:inline-block;background:#e8eef7;border-radius:3px;padding:0 5px;margin:0 3px 0 0;font-size:12px}
details.columns{display:inline-block}
details.columns div{display:flex;flex-wrap:wrap;gap:4px 12px;max-width:900px;background:#fff;padding:6px;border:1px solid #ddd}
img.thumb{max-width:100%;border:1px solid #ddd;background:#fff}
.side{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}
.side>div{min-width:0;max-width:100%}
td.long{min-width:18em}
table.grid th.run-head{white-space:normal;max-width:16em;overflow-wrap:anywhere}
@media (max-width:760px){main{padding:10px}table.grid{display:block;overflow-x:auto;max-width:100%}.side{display:block}}
`;

/**
 * The client script (served as /app.js, the only script CSP allows): a live run's charts are reloaded
 * from the server every 2 s until the run ends. Everything else works without script.
 */
export const JS = `"use strict";
(function () {
  var box = document.querySelector("[data-live-src]");
  if (!box) return;
  var busy = false;
  function tick() {
    if (busy || box.getAttribute("data-live") !== "1") return;
    busy = true;
    fetch(box.getAttribute("data-live-src"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        busy = false;
        if (text === null) return;
        var doc = new DOMParser().parseFromString(text, "text/html");
        var next = doc.querySelector("[data-live-src]");
        if (!next) return;
        box.innerHTML = next.innerHTML;
        box.setAttribute("data-live", next.getAttribute("data-live") || "0");
        var status = document.getElementById("status"), now = next.getAttribute("data-status");
        if (status && now) { status.textContent = now; status.className = "badge status-" + now; }
        box.setAttribute("data-updates", String(Number(box.getAttribute("data-updates") || "0") + 1));
      }, function () { busy = false; });
  }
  setInterval(tick, 2000);
})();
`;

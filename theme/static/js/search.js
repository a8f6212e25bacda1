/* Static site search over /search-index.json: titles, summaries and attachment names, in Chinese. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var q = (params.get("q") || "").trim();
  var sort = params.get("sort") || "relevance";
  var box = document.getElementById("search-results");
  var input = document.getElementById("q-main");
  var select = document.getElementById("sort");
  if (input) { input.value = q; }
  if (select) { select.value = sort; }
  if (!box || !q) { return; }
  box.textContent = "正在搜索……";
  fetch("/search-index.json").then(function (r) { return r.json(); }).then(function (items) {
    var terms = q.split(/\s+/).filter(Boolean);
    var hits = [];
    items.forEach(function (it) {
      var score = 0;
      var hay = it.t + " " + it.s + " " + it.c + " " + (it.a || []).join(" ");
      var all = terms.every(function (t) { return hay.indexOf(t) !== -1; });
      if (!all) { return; }
      if (it.t === q) { score += 100; }
      terms.forEach(function (t) { if (it.t.indexOf(t) !== -1) { score += 10; } });
      hits.push({ it: it, score: score });
    });
    hits.sort(function (a, b) {
      if (sort === "date") { return a.it.d < b.it.d ? 1 : -1; }
      return b.score - a.score || (a.it.d < b.it.d ? 1 : -1);
    });
    box.textContent = "";
    var p = document.createElement("p");
    p.textContent = "找到 " + hits.length + " 条结果";
    box.appendChild(p);
    var ul = document.createElement("ul");
    hits.slice(0, 100).forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = h.it.u;
      a.textContent = h.it.t;
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "item-date";
      meta.textContent = " " + h.it.c + " " + h.it.d;
      li.appendChild(meta);
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }).catch(function () { box.textContent = "搜索索引加载失败，请稍后重试。"; });
})();

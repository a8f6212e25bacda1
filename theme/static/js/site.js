/* Progressive enhancement only: every page works without this script. */
(function () {
  "use strict";
  var root = document.documentElement;
  var store = {
    get: function (k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { window.localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };
  var params = new URLSearchParams(window.location.search);
  var mode = params.get("mode");
  if (mode === "care" || mode === "text" || mode === "standard") { store.set("govsite-mode", mode); }
  mode = store.get("govsite-mode") || "standard";
  root.classList.toggle("care", mode === "care");
  root.classList.toggle("text-only", mode === "text");
  var size = parseInt(store.get("govsite-font") || "0", 10) || 0;
  function applyFont() { root.style.setProperty("--base", (16 + size * 2) + "px"); }
  if (size && mode !== "care") { applyFont(); }
  document.addEventListener("DOMContentLoaded", function () {
    var tools = document.querySelector(".font-tools");
    if (tools) {
      tools.hidden = false;
      tools.addEventListener("click", function (ev) {
        var btn = ev.target.closest("button[data-font]");
        if (!btn) { return; }
        var step = parseInt(btn.getAttribute("data-font"), 10);
        size = step === 0 ? 0 : Math.max(-1, Math.min(4, size + step));
        store.set("govsite-font", String(size));
        applyFont();
      });
    }
    var reader = document.querySelector(".read-aloud");
    if (reader && "speechSynthesis" in window) {
      reader.hidden = false;
      reader.addEventListener("click", function () {
        if (window.speechSynthesis.speaking) { window.speechSynthesis.cancel(); return; }
        var body = document.querySelector(".article");
        var u = new SpeechSynthesisUtterance(body ? body.innerText : "");
        u.lang = "zh-CN";
        window.speechSynthesis.speak(u);
      });
    }
  });
})();

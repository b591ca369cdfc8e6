// Start: language from the last visit or the browser, then the page named in the address.
"use strict";
(function () {
  let l = null;
  try { l = localStorage.getItem("xietong-lang"); } catch (e) {}
  if (!l) l = (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
  document.getElementById("lang").addEventListener("click", () => S.setLang(S.lang === "zh" ? "en" : "zh"));
  window.addEventListener("hashchange", () => S.show(location.hash.slice(1)));
  S.setLang(l);
  S.show(location.hash.slice(1) || "sim");
})();

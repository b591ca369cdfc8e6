// Core of the studio page: requests to the studio, language, page switching, small DOM helpers.
// Every computation happens on the server (the library crates); this file only moves data.
"use strict";
// Script errors are kept for the end-to-end tests, which require none.
window.__errors = [];
window.addEventListener("error", e => window.__errors.push(String(e.message)));
window.addEventListener("unhandledrejection", e => window.__errors.push(String(e.reason)));
const S = {
  pages: {},
  lang: "en",
  // fetch JSON from the studio; state-changing requests carry the header the server requires.
  async api(method, path, body) {
    const opts = { method, headers: { "X-Xietong-Studio": "1" } };
    if (body instanceof FormData) opts.body = body;
    else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
    let r;
    try { r = await fetch(path, opts); } catch (e) { return { ok: false, status: 0, data: { error: String(e) } }; }
    let data = null;
    const text = await r.text();
    try { data = JSON.parse(text); } catch (e) { data = { error: text }; }
    return { ok: r.ok, status: r.status, data };
  },
  t(key) {
    const d = I18N[S.lang] || I18N.en;
    return d[key] !== undefined ? d[key] : (I18N.en[key] !== undefined ? I18N.en[key] : key);
  },
  applyI18n(root) {
    (root || document).querySelectorAll("[data-i18n]").forEach(e => { e.textContent = S.t(e.dataset.i18n); });
    (root || document).querySelectorAll("[data-i18n-title]").forEach(e => { e.title = S.t(e.dataset.i18nTitle); });
  },
  setLang(l) {
    S.lang = l === "zh" ? "zh" : "en";
    try { localStorage.setItem("xietong-lang", S.lang); } catch (e) {}
    document.documentElement.lang = S.lang === "zh" ? "zh-CN" : "en";
    document.getElementById("lang").textContent = S.lang === "zh" ? "English" : "中文";
    S.applyI18n();
    Object.values(S.pages).forEach(p => p.onLang && p.onLang());
  },
  show(name) {
    if (!S.pages[name]) name = "sim";
    document.querySelectorAll(".page").forEach(p => p.classList.toggle("active", p.id === "page-" + name));
    document.querySelectorAll("#nav a").forEach(a => a.classList.toggle("active", a.dataset.page === name));
    const p = S.pages[name];
    if (!p.started) { p.started = true; p.init(document.getElementById("page-" + name)); S.applyI18n(); }
  },
  // el("div", {class: "x", onclick: f}, [children or text])
  el(tag, attrs, kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(e.dataset, v);
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of [].concat(kids || [])) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  },
  // Poll a job until it ends; `on(view)` gets every new state.
  async poll(id, on) {
    let since;
    for (;;) {
      const r = await S.api("GET", `/api/jobs/${id}` + (since !== undefined ? `?since=${since}` : ""));
      if (!r.ok) { on({ status: "failed", message: r.data && r.data.error }); return; }
      const v = r.data;
      on(v);
      since = v.version;
      if (v.status !== "running") return v;
      await new Promise(res => setTimeout(res, 150));
    }
  },
  // A library table ({caption, header, rows, note}) as HTML.
  table(t) {
    const tb = S.el("table", { class: "grid" });
    if (t.caption) tb.append(S.el("caption", { text: t.caption }));
    tb.append(S.el("tr", {}, t.header.map(h => S.el("th", { text: h }))));
    for (const row of t.rows) tb.append(S.el("tr", {}, row.map(c => S.el("td", { text: c }))));
    const wrap = S.el("div", { class: "scroll" }, [tb]);
    if (t.note) wrap.append(S.el("p", { class: "muted", text: t.note }));
    return wrap;
  },
  // Charts are SVG made by xietong-report on the server.
  charts(el, svgs) {
    el.replaceChildren(...(svgs || []).map(s => { const d = S.el("div", { class: "chart" }); d.innerHTML = s; return d; }));
  },
  downloads(el, job, files) {
    el.replaceChildren(...(files || []).map(f => S.el("a", { class: "button", href: `/api/jobs/${job}/files/${encodeURIComponent(f)}`, download: f, text: "⬇ " + f })));
  },
  // Offer text as a file download made in the page (no server round trip, no path).
  saveText(name, text, type) {
    const a = S.el("a", { href: URL.createObjectURL(new Blob([text], { type: type || "text/plain" })), download: name });
    document.body.append(a); a.click(); a.remove();
  },
  toast(msg) {
    const t = document.getElementById("toast");
    t.textContent = msg; t.style.display = "block";
    clearTimeout(S._toast); S._toast = setTimeout(() => { t.style.display = "none"; }, 3000);
  },
  debounce(f, ms) { let h; return (...a) => { clearTimeout(h); h = setTimeout(() => f(...a), ms); }; },
};
// A text editor that marks problems in place: a transparent textarea over a layer that draws the
// same text with the faulty lines tinted and the faulty column underlined. Problems are
// [{line, column, message}], 1-based, as the library loaders report them.
S.editor = function (onChange) {
  const under = S.el("pre", { class: "under", "aria-hidden": "true" });
  const ta = S.el("textarea", { class: "code over", spellcheck: "false", autocomplete: "off" });
  const wrap = S.el("div", { class: "code-wrap" }, [under, ta]);
  let problems = [];
  const paint = () => {
    const lines = ta.value.split("\n");
    const byLine = new Map();
    for (const p of problems) if (p.line) { if (!byLine.has(p.line)) byLine.set(p.line, []); byLine.get(p.line).push(p); }
    under.replaceChildren(...lines.map((l, i) => {
      const ps = byLine.get(i + 1);
      if (!ps) return S.el("div", { class: "ln" }, [l || " "]);
      const c = Math.max(1, Math.min(ps[0].column || 1, l.length + 1)) - 1;
      return S.el("div", { class: "ln bad", title: ps.map(p => p.message).join("\n") },
        [l.slice(0, c), S.el("span", { class: "squiggle" }, [l.slice(c) || " "])]);
    }));
    under.scrollTop = ta.scrollTop; under.scrollLeft = ta.scrollLeft;
  };
  ta.addEventListener("input", () => { paint(); onChange && onChange(ta.value); });
  ta.addEventListener("scroll", () => { under.scrollTop = ta.scrollTop; under.scrollLeft = ta.scrollLeft; });
  return {
    el: wrap, textarea: ta,
    get value() { return ta.value; },
    set value(v) { ta.value = v; paint(); },
    mark(ps) { problems = ps || []; paint(); },
  };
};

// Simulator page: the scenario as a form made from its own document (levers first, provinces,
// zones and domains as editable tables), or as TOML text; every edit is checked by the server
// with the CLI's loader and problems are marked on the field and the line. Runs stream charts.
"use strict";
S.pages.sim = (function () {
  let doc = null, name = "scenario.toml", choices = {}, labels = {}, variants = [], root, formEl, editor, problemsEl, statusEl;
  let mode = "form", job = null;
  const ORDER = ["levers", "name", "description", "calendar", "provinces", "zones", "domains", "central", "behaviour", "dynamics", "stages", "dilemma", "demand"];
  const FIRST = ["id", "name_zh", "name_en", "province", "axis", "tier", "sequencing", "uniformity", "flexibility", "standardization", "cadre", "timing", "start", "effort", "reward", "punishment", "mean", "sd"];
  const ordered = ks => ks.slice().sort((a, b) => ((FIRST.indexOf(a) + 1) || 99) - ((FIRST.indexOf(b) + 1) || 99));
  const pattern = p => p.replace(/\[\d+\]/g, "[]");
  // The model's display names for scenario paths (xietong_model::labels), else the key.
  const label = (k, path) => {
    const l = path && labels[path];
    if (l) return `${S.lang === "zh" ? l[1] : l[0]} (${k})`;
    return (S.lang === "zh" && FIELD_ZH[k]) ? `${FIELD_ZH[k]} (${k})` : k;
  };
  const isDist = v => v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0 && Object.keys(v).every(k => k === "mean" || k === "sd");
  const changed = S.debounce(() => check({ doc }), 200);

  // One input for a scalar at obj[key] (path names it for the server's messages).
  function input(obj, key, path) {
    const v = obj[key];
    const set = x => { obj[key] = x; changed(); };
    const ch = choices[pattern(path)];
    if (ch) {
      return S.el("select", { "data-path": path, onchange: e => set(e.target.value) },
        ch.map(c => S.el("option", { value: c, selected: c === v }, [c])));
    }
    if (typeof v === "boolean") return S.el("input", { type: "checkbox", "data-path": path, checked: v, onchange: e => set(e.target.checked) });
    if (typeof v === "number") {
      const num = S.el("input", { type: "number", step: "any", value: v, "data-path": path });
      const parse = s => (s.trim() !== "" && isFinite(Number(s))) ? Number(s) : s;
      if (path.startsWith("levers.") && v >= 0 && v <= 1) {
        const r = S.el("input", { type: "range", min: 0, max: 1, step: 0.01, value: v, "aria-label": path });
        r.addEventListener("input", () => { num.value = r.value; set(Number(r.value)); });
        num.addEventListener("input", () => { r.value = num.value; set(parse(num.value)); });
        return S.el("span", { class: "pair" }, [r, num]);
      }
      num.addEventListener("input", () => set(parse(num.value)));
      return num;
    }
    if (Array.isArray(v)) {
      return S.el("span", { class: "pair" }, v.map((x, i) => input(v, i, `${path}[${i}]`)));
    }
    const t = S.el("input", { type: "text", value: v, "data-path": path, size: Math.min(40, Math.max(8, String(v).length + 2)) });
    t.addEventListener("input", () => set(t.value));
    return t;
  }

  function cell(obj, key, path) {
    const v = obj[key];
    if (isDist(v)) return S.el("span", { class: "dist", "data-path": path }, ordered(Object.keys(v)).map(k => S.el("span", {}, [label(k) + " ", input(v, k, `${path}.${k}`)])));
    return input(obj, key, path);
  }

  function fields(obj, path) {
    const out = [];
    for (const k of ordered(Object.keys(obj))) {
      const p = path ? `${path}.${k}` : k, v = obj[k];
      if (v && typeof v === "object" && !Array.isArray(v) && !isDist(v)) out.push(fieldset(v, p, k));
      else if (Array.isArray(v) && v.length && typeof v[0] === "object") out.push(tableOf(v, p, k));
      else out.push(S.el("div", { class: "field" }, [S.el("label", { text: label(k, p) }), cell(obj, k, p)]));
    }
    return out;
  }

  function fieldset(obj, path, k) {
    const top = !path.includes(".");
    return S.el("fieldset", { class: path === "levers" ? "levers" : "", "data-path": path }, [
      S.el("legend", top && I18N.en["sec." + k] ? { "data-i18n": "sec." + k, text: S.t("sec." + k) } : { text: label(k) }),
      ...fields(obj, path)]);
  }

  // Rows of an array of tables as an editable table (columns: every key of any row).
  function tableOf(rows, path, k) {
    const cols = [];
    rows.forEach(r => Object.keys(r).forEach(c => { if (!cols.includes(c)) cols.push(c); }));
    cols.splice(0, cols.length, ...ordered(cols));
    const tb = S.el("table", { class: "grid" }, [S.el("tr", {}, [...cols.map(c => S.el("th", { text: label(c) })), S.el("th")])]);
    rows.forEach((r, i) => {
      tb.append(S.el("tr", { "data-path": `${path}[${i}]` }, [
        ...cols.map(c => S.el("td", {}, [c in r ? cell(r, c, `${path}[${i}].${c}`) : ""])),
        S.el("td", {}, [S.el("button", { type: "button", onclick: () => { rows.splice(i, 1); render(); changed(); } }, [S.t("sim.delRow")])]),
      ]));
    });
    const add = S.el("button", { type: "button", onclick: () => { rows.push(JSON.parse(JSON.stringify(rows[rows.length - 1]))); render(); changed(); } }, [S.t("sim.addRow")]);
    return S.el("fieldset", { "data-path": path }, [S.el("legend", { "data-i18n": "sec." + k, text: S.t("sec." + k) }), S.el("div", { class: "scroll" }, [tb]), add]);
  }

  function render() {
    if (!doc) return;
    const general = {};
    const keys = Object.keys(doc).sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
    const parts = [];
    for (const k of keys) {
      const v = doc[k];
      if (v && typeof v === "object" && !Array.isArray(v)) parts.push(fieldset(v, k, k));
      else if (Array.isArray(v) && v.length && typeof v[0] === "object") parts.push(tableOf(v, k, k));
      else general[k] = true;
    }
    const gen = S.el("fieldset", {}, [S.el("legend", { "data-i18n": "sec.general", text: S.t("sec.general") }),
      ...Object.keys(general).map(k => S.el("div", { class: "field" }, [S.el("label", { text: label(k) }), cell(doc, k, k)]))]);
    parts.splice(1, 0, gen);
    formEl.replaceChildren(...parts);
  }

  // Ask the server to check the scenario; mark problems on fields and lines.
  async function check(body) {
    body.name = name;
    const r = await S.api("POST", "/api/sim/check", body);
    if (!r.ok) { showProblems([{ message: r.data.error }], r.data.error); return false; }
    if (r.data.doc && body.toml !== undefined) doc = r.data.doc;
    if (body.doc !== undefined) editor.value = r.data.toml;
    if (r.data.ok) { showProblems([], null, r.data.summary); return true; }
    showProblems(r.data.problems.problems, r.data.problems.message);
    return false;
  }

  function showProblems(ps, message, summary) {
    root.querySelectorAll(".invalid").forEach(e => { e.classList.remove("invalid"); e.removeAttribute("title"); });
    for (const p of ps) {
      if (!p.path) continue;
      let e = formEl.querySelector(`[data-path="${CSS.escape(p.path)}"]`);
      // The closest enclosing field or row when the value itself has no input (e.g. a missing key).
      let q = p.path;
      while (!e && /[.\[]/.test(q)) { q = q.replace(/(\.[^.\[]*|\[\d+\])$/, ""); e = formEl.querySelector(`[data-path="${CSS.escape(q)}"]`); }
      if (e) { e.classList.add("invalid"); e.title = p.message; }
    }
    editor.mark(ps);
    problemsEl.replaceChildren(...(message ? message.split("\n") : []).map(l => S.el("li", { text: l })));
    statusEl.className = ps.length ? "err" : "ok";
    statusEl.dataset.i18n = ps.length ? "sim.invalid" : "sim.valid";
    statusEl.textContent = S.t(statusEl.dataset.i18n) + (summary ? ` — ${summary.provinces}/${summary.zones}/${summary.jurisdictions}/${summary.domains} · ${summary.periods}q ${summary.start}` : "");
  }

  async function load() {
    const r = await S.api("GET", "/api/sim/builtin");
    doc = r.data.doc; choices = r.data.choices; labels = r.data.labels || {}; variants = r.data.variants; name = r.data.name;
    editor.value = r.data.toml;
    render(); fillVariants(); await check({ doc });
    editor.value = r.data.toml;
  }

  function fillVariants() {
    for (const sel of root.querySelectorAll("select.variant")) {
      const keep = sel.value;
      sel.replaceChildren(S.el("option", { value: "", "data-i18n": "sim.asEdited", text: S.t("sim.asEdited") }),
        ...variants.map(v => S.el("option", { value: v.name, title: v.sets.join(", ") }, [v.name])));
      sel.value = keep || sel.dataset.default || "";
    }
  }

  function scenarioBody() { return mode === "text" ? { toml: editor.value, name } : { doc, name }; }

  function progress(el, v) {
    const bar = el.querySelector("progress"), txt = el.querySelector(".ptext");
    bar.max = v.total || 1; bar.value = v.done || 0;
    const st = v.status === "running" ? "" : " — " + S.t({ done: "sim.done", cancelled: "sim.cancelled", failed: "sim.failed" }[v.status] || v.status);
    txt.textContent = `${v.done || 0}/${v.total || 0} ${S.t("sim.progress")}${st}` + (v.message ? `: ${v.message}` : "");
  }

  async function runJob(path, body, out, onView) {
    const btn = out.querySelector("button.go"), cancel = out.querySelector("button.cancel");
    const r = await S.api("POST", path, Object.assign(scenarioBody(), body, { lang: S.lang }));
    if (!r.ok) {
      if (r.data.details && r.data.details.problems) showProblems(r.data.details.problems, r.data.details.message);
      out.querySelector(".ptext").textContent = r.data.error;
      return;
    }
    btn.disabled = true; cancel.disabled = false;
    const id = r.data.job;
    cancel.onclick = () => S.api("POST", `/api/jobs/${id}/cancel`);
    const end = await S.poll(id, v => { progress(out, v); onView(v, id); });
    btn.disabled = false; cancel.disabled = true;
    return end;
  }

  // The run report (report.html of `xietong run`) shown in the page, sandboxed, and its files.
  function showReport(box, filesEl, id, files) {
    const frame = S.el("iframe", { class: "report", src: `/api/jobs/${id}/files/report.html?inline=true&v=${Date.now()}` });
    frame.addEventListener("load", () => { frame.dataset.loaded = "1"; });
    box.replaceChildren(frame);
    S.downloads(filesEl, id, files);
  }

  // Shown reports are redrawn by the server in the new language (no re-run).
  async function relang(shown, draw) {
    if (!shown.job) return;
    const r = await S.api("POST", `/api/jobs/${shown.job}/lang`, { lang: S.lang });
    if (r.ok) { draw(r.data, shown.job); progress(shown.out, r.data); }
  }
  const shownRun = {}, shownCmp = {};

  function init(el) {
    root = el;
    formEl = S.el("form", { id: "sim-form", onsubmit: e => e.preventDefault() });
    editor = S.editor(S.debounce(() => check({ toml: editor.value }), 250));
    problemsEl = S.el("ul", { class: "problems", id: "sim-problems" });
    statusEl = S.el("span", { id: "sim-status" });
    const fileIn = S.el("input", { type: "file", accept: ".toml", class: "hidden", id: "sim-file" });
    fileIn.addEventListener("change", async () => {
      const f = fileIn.files[0]; if (!f) return;
      name = f.name; editor.value = await f.text();
      if (await check({ toml: editor.value }) || doc) render();
      setMode("text");
    });
    const formTab = S.el("button", { type: "button", "data-i18n": "sim.form", onclick: () => setMode("form") });
    const textTab = S.el("button", { type: "button", "data-i18n": "sim.text", onclick: () => setMode("text") });
    const textWrap = S.el("div", { class: "hidden" }, [editor.el]);
    function setMode(m) {
      if (m === "form" && mode === "text") { check({ toml: editor.value }).then(() => render()); }
      mode = m;
      formTab.classList.toggle("active", m === "form"); textTab.classList.toggle("active", m === "text");
      formEl.classList.toggle("hidden", m !== "form"); textWrap.classList.toggle("hidden", m !== "text");
    }
    const runOut = S.el("div", { class: "card", id: "sim-run" }, [
      S.el("h3", { "data-i18n": "sim.results" }),
      S.el("div", { class: "bar" }, [
        S.el("label", { "data-i18n": "sim.seed" }), S.el("input", { type: "number", id: "sim-seed", value: 1, min: 0, style: "width:70px" }),
        S.el("label", { "data-i18n": "sim.runs" }), S.el("input", { type: "number", id: "sim-runs", value: 30, min: 1, style: "width:70px" }),
        S.el("button", { type: "button", class: "primary go", id: "sim-run-btn", "data-i18n": "sim.run" }),
        S.el("button", { type: "button", class: "cancel", disabled: true, "data-i18n": "sim.cancel" }),
        S.el("progress", { value: 0, max: 1 }), S.el("span", { class: "ptext muted" })]),
      S.el("div", { class: "bar" }, [S.el("label", { "data-i18n": "sim.figures" }),
        S.el("select", { id: "sim-figures" }, ["", "svg", "png", "svg,png"].map(f => S.el("option", { value: f }, [f || "—"])))]),
      S.el("p", { class: "muted", id: "sim-note" }),
      S.el("div", { class: "charts", id: "sim-charts" }), S.el("div", { class: "downloads bar", id: "sim-files" })]);
    const drawRun = (v, id) => {
      if (v.status === "done" && v.files && v.files.includes("report.html")) {
        shownRun.job = id;
        showReport(root.querySelector("#sim-charts"), root.querySelector("#sim-files"), id, v.files);
        root.querySelector("#sim-note").textContent = "";
        return;
      }
      if (v.partial && v.partial.charts) {
        S.charts(root.querySelector("#sim-charts"), v.partial.charts);
        root.querySelector("#sim-note").textContent = `${S.t("sim.previewOf")} ${v.partial.runs}`;
      }
    };
    runOut.querySelector("button.go").onclick = () => {
      shownRun.job = null;
      runJob("/api/sim/run", { seed: Number(root.querySelector("#sim-seed").value), runs: Number(root.querySelector("#sim-runs").value),
        figures: root.querySelector("#sim-figures").value }, runOut, drawRun);
    };
    shownRun.draw = drawRun; shownRun.out = runOut;
    const cmpOut = S.el("div", { class: "card", id: "sim-cmp" }, [
      S.el("h3", { "data-i18n": "sim.compare" }),
      S.el("div", { class: "bar" }, [
        S.el("label", { "data-i18n": "sim.armA" }), S.el("select", { class: "variant", id: "sim-a", "data-default": "key_first" }),
        S.el("label", { "data-i18n": "sim.armB" }), S.el("select", { class: "variant", id: "sim-b", "data-default": "basic_first" }),
        S.el("label", { "data-i18n": "sim.runs" }), S.el("input", { type: "number", id: "sim-cmp-runs", value: 20, min: 2, style: "width:70px" }),
        S.el("button", { type: "button", class: "primary go", id: "sim-cmp-btn", "data-i18n": "sim.compareRun" }),
        S.el("button", { type: "button", class: "cancel", disabled: true, "data-i18n": "sim.cancel" }),
        S.el("progress", { value: 0, max: 1 }), S.el("span", { class: "ptext muted" })]),
      S.el("div", { class: "side" }, [S.el("div", { class: "charts", id: "sim-cmp-a" }), S.el("div", { class: "charts", id: "sim-cmp-b" })]),
      S.el("div", { id: "sim-cmp-table" }), S.el("div", { class: "downloads bar", id: "sim-cmp-files" })]);
    const drawCmp = (v, id) => {
      const d = v.result && v.result.a ? v.result : v.partial;
      if (d) { S.charts(root.querySelector("#sim-cmp-a"), d.a); S.charts(root.querySelector("#sim-cmp-b"), d.b); }
      if (v.result && v.result.table) { shownCmp.job = id; root.querySelector("#sim-cmp-table").replaceChildren(S.table(v.result.table)); }
      S.downloads(root.querySelector("#sim-cmp-files"), id, v.files);
    };
    cmpOut.querySelector("button.go").onclick = () => {
      shownCmp.job = null;
      runJob("/api/sim/compare", { a: root.querySelector("#sim-a").value, b: root.querySelector("#sim-b").value,
        seed: Number(root.querySelector("#sim-seed").value), runs: Number(root.querySelector("#sim-cmp-runs").value),
        figures: root.querySelector("#sim-figures").value }, cmpOut, drawCmp);
    };
    shownCmp.draw = drawCmp; shownCmp.out = cmpOut;
    el.append(
      S.el("h2", { "data-i18n": "sim.title" }),
      S.el("div", { class: "bar" }, [
        S.el("button", { type: "button", "data-i18n": "sim.builtin", onclick: () => { mode = "form"; load(); setMode("form"); } }),
        S.el("button", { type: "button", "data-i18n": "sim.open", onclick: () => fileIn.click() }), fileIn,
        S.el("button", { type: "button", id: "sim-save", "data-i18n": "sim.save", onclick: () => S.saveText(name.endsWith(".toml") ? name : "scenario.toml", editor.value, "application/toml") }),
        S.el("span", { class: "tabs" }, [formTab, " ", textTab]), statusEl]),
      problemsEl,
      S.el("div", { class: "cols" }, [S.el("div", { class: "card" }, [formEl, textWrap]), S.el("div", {}, [runOut, cmpOut])]));
    setMode("form");
    load();
  }

  return { init, onLang() {
    if (doc) { render(); fillVariants(); }
    relang(shownRun, shownRun.draw); relang(shownCmp, shownCmp.draw);
  } };
})();

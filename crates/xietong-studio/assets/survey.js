// Survey page: upload an export, see and edit the drafted codebook, pick an analysis from the
// menu; the result is recomputed by the server whenever an option changes.
"use strict";
S.pages.survey = (function () {
  let root, up = null, cols = [], editor, lastText = "", lastJson = null, seq = 0;
  const ANALYSES = ["descriptives", "ttest", "anova", "chi2", "alpha", "multi"];
  const NEEDS = { ttest: ["value", "group", "conf"], anova: ["value", "group"], chi2: ["row", "col"], alpha: ["items"], multi: ["items", "group"], descriptives: [] };

  function select(id, multiple) {
    const s = S.el("select", { id, multiple: multiple || false, size: multiple ? 8 : false }, [
      multiple ? null : S.el("option", { value: "" }, ["—"]), ...cols.map(c => S.el("option", { value: c }, [c]))]);
    s.addEventListener("change", run);
    return s;
  }

  function options() {
    const a = root.querySelector("#survey-analysis").value, box = root.querySelector("#survey-options");
    const keep = {};
    box.querySelectorAll("select,input").forEach(e => { keep[e.id] = e.multiple ? [...e.selectedOptions].map(o => o.value) : e.value; });
    const rows = [];
    for (const k of NEEDS[a]) {
      let input;
      if (k === "conf") { input = S.el("input", { id: "survey-conf", type: "number", step: "0.01", value: 0.95, style: "width:70px" }); input.addEventListener("input", S.debounce(run, 200)); }
      else input = select("survey-" + k, k === "items");
      rows.push(S.el("div", { class: "field" }, [S.el("label", { "data-i18n": "survey.opt." + k, text: S.t("survey.opt." + k) }), input]));
    }
    if (a === "descriptives") rows.push(S.el("button", { type: "button", class: "primary", id: "survey-full", "data-i18n": "survey.full", text: S.t("survey.full"), onclick: full }));
    box.replaceChildren(...rows);
    for (const [id, v] of Object.entries(keep)) {
      const e = box.querySelector("#" + id); if (!e) continue;
      if (e.multiple) [...e.options].forEach(o => { o.selected = v.includes(o.value); }); else e.value = v;
    }
  }

  async function run() {
    const a = root.querySelector("#survey-analysis").value;
    if (!up || a === "descriptives") return;
    const v = id => { const e = root.querySelector("#survey-" + id); return e ? e.value : ""; };
    const items = root.querySelector("#survey-items") ? [...root.querySelector("#survey-items").selectedOptions].map(o => o.value) : [];
    const body = { id: up.id, name: up.name, analysis: a, value: v("value"), group: v("group"), row: v("row"), col: v("col"), items };
    if (a === "ttest") body.conf = Number(v("conf"));
    const my = ++seq;
    const r = await S.api("POST", "/api/survey/quick", body);
    if (my !== seq) return;
    const out = root.querySelector("#survey-out");
    if (!r.ok) { out.className = "err"; out.textContent = r.data.error; lastText = ""; lastJson = null; return; }
    out.className = ""; out.textContent = r.data.text; lastText = r.data.text; lastJson = r.data.result;
  }

  async function full() {
    const r = await S.api("POST", "/api/survey/analyze", { id: up.id, name: up.name, codebook: editor.value, lang: S.lang });
    const out = root.querySelector("#survey-out");
    if (!r.ok) { out.className = "err"; out.textContent = r.data.error; return; }
    out.className = "muted"; out.textContent = "…";
    const v = await S.poll(r.data.job, () => {});
    if (v.status !== "done") { out.className = "err"; out.textContent = v.message || v.status; return; }
    out.textContent = "";
    const job = await S.api("GET", `/api/jobs/${r.data.job}`);
    const frame = S.el("iframe", { id: "survey-report", style: "width:100%;height:900px;border:1px solid #ccc;background:#fff" });
    frame.src = `/api/jobs/${r.data.job}/files/report.html?inline=true`;
    root.querySelector("#survey-report-box").replaceChildren(frame);
    S.downloads(root.querySelector("#survey-files"), r.data.job, job.data.files);
  }

  async function uploadFile(f) {
    const fd = new FormData(); fd.append("file", f, f.name);
    const msg = root.querySelector("#survey-msg");
    const r = await S.api("POST", "/api/upload", fd);
    if (!r.ok) { msg.className = "err"; msg.textContent = r.data.error || `HTTP ${r.status}`; return; }
    const l = await S.api("POST", "/api/survey/load", { id: r.data.id, name: f.name });
    if (!l.ok) { msg.className = "err"; msg.textContent = l.data.error; return; }
    up = { id: r.data.id, name: f.name }; cols = l.data.columns;
    msg.className = "ok"; msg.textContent = `${f.name}: ${l.data.rows} × ${cols.length} (${l.data.encoding})`;
    editor.value = l.data.codebook;
    root.querySelector("#survey-options").replaceChildren();
    options(); run();
  }

  function init(el) {
    root = el;
    editor = S.editor(null);
    const fileIn = S.el("input", { type: "file", id: "survey-file", accept: ".csv,.tsv,.xlsx,.xls", class: "hidden" });
    fileIn.addEventListener("change", () => { if (fileIn.files[0]) uploadFile(fileIn.files[0]); });
    const menu = S.el("select", { id: "survey-analysis" }, ANALYSES.map(a => S.el("option", { value: a, "data-i18n": "survey.a." + a, text: S.t("survey.a." + a) })));
    menu.value = "ttest";
    menu.addEventListener("change", () => { options(); run(); });
    el.append(
      S.el("h2", { "data-i18n": "survey.title" }),
      S.el("div", { class: "bar" }, [S.el("button", { type: "button", "data-i18n": "survey.upload", onclick: () => fileIn.click() }), fileIn, S.el("span", { id: "survey-msg" })]),
      S.el("div", { class: "cols" }, [
        S.el("div", { class: "card" }, [S.el("h3", { "data-i18n": "survey.codebook" }), editor.el,
          S.el("button", { type: "button", "data-i18n": "survey.saveCodebook", onclick: () => S.saveText("codebook.toml", editor.value, "application/toml") })]),
        S.el("div", {}, [
          S.el("div", { class: "card" }, [S.el("h3", { "data-i18n": "survey.analysis" }), S.el("div", { class: "bar" }, [menu]), S.el("div", { id: "survey-options" })]),
          S.el("div", { class: "card" }, [S.el("h3", { "data-i18n": "survey.results" }),
            S.el("pre", { id: "survey-out", style: "white-space:pre;overflow-x:auto;font-size:12.5px" }),
            S.el("div", { class: "bar" }, [
              S.el("button", { type: "button", "data-i18n": "survey.exportText", onclick: () => lastText && S.saveText("result.txt", lastText) }),
              S.el("button", { type: "button", "data-i18n": "survey.exportJson", onclick: () => lastJson && S.saveText("result.json", JSON.stringify(lastJson, null, 2), "application/json") })]),
            S.el("div", { id: "survey-report-box" }), S.el("div", { class: "downloads bar", id: "survey-files" })])])]));
  }
  // A report already shown is asked for again in the new language.
  return { init, onLang() { if (root) { const a = root.querySelector("#survey-analysis"); if (a) options(); if (root.querySelector("#survey-report") && up) full(); } } };
})();

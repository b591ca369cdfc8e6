// Experiments page: start an experiment file, watch its progress, resume one that was cancelled
// or left when the studio closed, and see its Morris / Sobol' / sweep report.
"use strict";
S.pages.experiment = (function () {
  let root, editor, baseEditor, running = null, shown = null;

  // An experiment's status in the page's language (the word itself if it has no translation).
  function statusWord(status) {
    const key = "exp.st." + status, word = S.t(key);
    return word === key ? status : word;
  }

  async function refresh() {
    const r = await S.api("GET", "/api/experiment/list");
    const tb = root.querySelector("#exp-list");
    tb.replaceChildren(S.el("tr", {}, [S.el("th", { text: S.t("exp.name") }), S.el("th", { text: S.t("exp.status") }), S.el("th")]),
      ...r.data.map(e => S.el("tr", { "data-id": e.id }, [S.el("td", { text: e.id }), S.el("td", { class: "exp-status", "data-status": e.status, text: statusWord(e.status) }), S.el("td", {}, [
        e.status === "partial" ? S.el("button", { type: "button", class: "exp-resume", text: S.t("exp.resume"), onclick: () => go("/api/experiment/resume", { id: e.id }) }) : null,
        e.status === "complete" ? S.el("button", { type: "button", class: "exp-analyze", text: S.t("exp.analyze"), onclick: () => analyze(e.id) }) : null])])));
  }

  // The last progress seen, so that a language switch can write it again in the new language.
  let last = null;
  function progressText(v) {
    const bar = root.querySelector("#exp-progress"); bar.max = v.total || 1; bar.value = v.done || 0;
    const st = v.status === "running" ? "" : " — " + S.t({ done: "sim.done", cancelled: "sim.cancelled", failed: "sim.failed" }[v.status] || v.status);
    root.querySelector("#exp-ptext").textContent = `${v.done}/${v.total} ${S.t("exp.runs")}${st}` + (v.message ? `: ${v.message}` : "");
  }

  async function go(path, body) {
    const msg = root.querySelector("#exp-msg");
    const r = await S.api("POST", path, body);
    if (!r.ok) { msg.className = "err"; msg.textContent = r.data.error; return; }
    msg.className = ""; msg.textContent = r.data.id;
    running = r.data.job;
    root.querySelector("#exp-cancel").disabled = false;
    await refresh();
    const v = await S.poll(r.data.job, v => { last = v; progressText(v); });
    running = null; root.querySelector("#exp-cancel").disabled = true;
    await refresh();
    return v;
  }

  async function analyze(id) {
    shown = id;
    const r = await S.api("POST", "/api/experiment/analyze", { id, lang: S.lang });
    const msg = root.querySelector("#exp-msg");
    if (!r.ok) { msg.className = "err"; msg.textContent = r.data.error; return; }
    const v = await S.poll(r.data.job, () => {});
    if (v.status !== "done") { msg.className = "err"; msg.textContent = v.message || v.status; return; }
    const full = await S.api("GET", `/api/jobs/${r.data.job}`);
    const frame = S.el("iframe", { id: "exp-report", style: "width:100%;height:1000px;border:1px solid #ccc;background:#fff" });
    frame.src = `/api/jobs/${r.data.job}/files/${encodeURIComponent(full.data.files.find(f => f.endsWith(".html")))}?inline=true`;
    root.querySelector("#exp-report-box").replaceChildren(frame);
    S.downloads(root.querySelector("#exp-files"), r.data.job, full.data.files);
  }

  function init(el) {
    root = el;
    editor = S.editor(null);
    // The base scenario of an experiment on a scenario file: opened or edited here and sent with
    // the experiment (the studio reads no path the experiment names).
    baseEditor = S.editor(null);
    const baseIn = S.el("input", { type: "file", accept: ".toml", class: "hidden", id: "exp-base-file" });
    baseIn.addEventListener("change", async () => { const f = baseIn.files[0]; if (f) { baseEditor.value = await f.text(); root.querySelector("#exp-base-name").textContent = f.name; } });
    const sel = S.el("select", { id: "exp-example" });
    const fileIn = S.el("input", { type: "file", accept: ".toml", class: "hidden" });
    fileIn.addEventListener("change", async () => { const f = fileIn.files[0]; if (f) editor.value = await f.text(); });
    sel.addEventListener("change", () => { const ex = S.exp_examples.find(x => x.name === sel.value); if (ex) editor.value = ex.text; });
    el.append(
      S.el("h2", { "data-i18n": "exp.title" }),
      S.el("div", { class: "bar" }, [S.el("label", { "data-i18n": "exp.example" }), sel,
        S.el("button", { type: "button", "data-i18n": "exp.open", onclick: () => fileIn.click() }), fileIn,
        S.el("button", { type: "button", class: "primary", id: "exp-start", "data-i18n": "exp.start", onclick: () => go("/api/experiment/start", { text: editor.value, scenario: baseEditor.value || null }) }),
        S.el("button", { type: "button", id: "exp-cancel", disabled: true, "data-i18n": "sim.cancel", onclick: () => running && S.api("POST", `/api/jobs/${running}/cancel`) }),
        S.el("progress", { id: "exp-progress", value: 0, max: 1 }), S.el("span", { id: "exp-ptext", class: "muted" }), S.el("span", { id: "exp-msg" })]),
      S.el("div", { class: "cols" }, [
        S.el("div", {}, [S.el("div", { class: "card" }, [editor.el]),
          S.el("div", { class: "card", id: "exp-base" }, [S.el("h3", { "data-i18n": "exp.base" }),
            S.el("p", { class: "muted", "data-i18n": "exp.baseHelp" }),
            S.el("div", { class: "bar" }, [S.el("button", { type: "button", id: "exp-base-open", "data-i18n": "exp.baseOpen", onclick: () => baseIn.click() }), baseIn,
              S.el("button", { type: "button", "data-i18n": "exp.baseClear", onclick: () => { baseEditor.value = ""; root.querySelector("#exp-base-name").textContent = ""; } }),
              S.el("span", { id: "exp-base-name", class: "muted" })]), baseEditor.el])]),
        S.el("div", {}, [S.el("div", { class: "card" }, [S.el("h3", { "data-i18n": "exp.list" }),
          S.el("table", { class: "grid", id: "exp-list" }), S.el("button", { type: "button", "data-i18n": "exp.refresh", onclick: refresh })]),
          S.el("div", { class: "card" }, [S.el("h3", { "data-i18n": "exp.results" }), S.el("div", { id: "exp-report-box" }), S.el("div", { class: "downloads bar", id: "exp-files" })])])]));
    S.api("GET", "/api/experiment/examples").then(r => {
      S.exp_examples = r.data;
      sel.replaceChildren(...r.data.map(x => S.el("option", { value: x.name }, [x.name])));
      editor.value = r.data[0].text;
    });
    refresh();
  }
  // A report already shown is asked for again in the new language.
  return { init, onLang() { if (root) { refresh(); if (last) progressText(last); if (shown) analyze(shown); } } };
})();

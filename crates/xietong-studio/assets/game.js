// Game page: a game-file editor with errors marked in place as you type, one slider per
// parameter, and the rest points, stability conditions and phase portrait recomputed by the
// server on every change. Clicking the portrait starts a trajectory there.
"use strict";
S.pages.game = (function () {
  let root, editor, name = "game.toml", values = {}, params = [], starts = [], last = null, seq = 0, shown = 0;
  const run = S.debounce(() => analyze(), 120);

  async function analyze() {
    const my = ++seq, t0 = performance.now();
    const r = await S.api("POST", "/api/game/analyze", { text: editor.value, name, values, starts, lang: S.lang });
    if (my < shown) return; // an older answer arriving late
    shown = my;
    const d = r.data, msg = root.querySelector("#game-msg");
    if (!r.ok || !d.ok) {
      editor.mark((d && d.problems) || []);
      msg.className = "err"; msg.textContent = (d && (d.message || d.error)) || "error";
      return;
    }
    editor.mark([]);
    last = d;
    msg.className = "ok"; msg.textContent = `${S.t("game.ok")} — ${d.title}`;
    root.querySelector("#game-ms").textContent = `${S.t("game.roundtrip")} ${d.millis.toFixed(1)} ms / ${(performance.now() - t0).toFixed(0)} ms`;
    sliders(d.parameters);
    root.querySelector("#game-rest").replaceChildren(S.table({
      caption: null,
      header: [S.t("game.rest"), S.t("game.kind"), S.t("game.eigenvalues"), S.t("game.stability")],
      rows: d.rest_points.map(p => [p.point, p.kind, p.eigenvalues.join(", "), p.stability]), note: d.warnings.join(" ") || null,
    }));
    root.querySelector("#game-cond").replaceChildren(S.table({
      caption: null, header: [S.t("game.rest"), "λ", "=", S.t("game.value"), S.t("game.stability")],
      rows: d.conditions.flatMap(c => c.eigenvalues.map((e, i) => [i ? "" : c.point, `${e.population} → ${e.to}`, e.text, Number(e.value).toPrecision(4), i ? "" : c.stability])), note: null,
    }));
    const ph = root.querySelector("#game-phase");
    if (d.portrait) { ph.innerHTML = d.portrait; }
    else if (d.time_paths && d.time_paths.length) {
      // No phase plane for this game: the time paths `xietong game simulate` draws for it.
      ph.replaceChildren(S.el("p", { class: "muted", id: "game-timepaths-note", "data-i18n": "game.timePaths", text: S.t("game.timePaths") }),
        ...d.time_paths.map(svg => { const c = S.el("div", { class: "chart timepath" }); c.innerHTML = svg; return c; }));
    } else { ph.textContent = "—"; }
  }

  // One slider per parameter (range around the file's value); rebuilt only when the set changes.
  function sliders(ps) {
    const box = root.querySelector("#game-params");
    const names = ps.map(p => p.name).join(",");
    if (params !== null && names === params.join(",")) return;
    params = ps.map(p => p.name);
    box.replaceChildren(...ps.map(p => {
      const span = Math.max(1, Math.abs(p.file_value) * 2);
      const lo = p.file_value >= 0 ? 0 : -span, hi = span;
      const num = S.el("input", { type: "number", step: "any", value: p.value, style: "width:80px", "data-param": p.name });
      const r = S.el("input", { type: "range", min: lo, max: hi, step: (hi - lo) / 200, value: p.value, "data-param": p.name, "aria-label": p.name });
      r.addEventListener("input", () => { num.value = r.value; values[p.name] = Number(r.value); analyze(); });
      num.addEventListener("input", () => { if (num.value.trim() !== "" && isFinite(Number(num.value))) { r.value = num.value; values[p.name] = Number(num.value); run(); } });
      return S.el("div", { class: "field" }, [S.el("label", { text: p.name }), S.el("span", { class: "pair" }, [r, num])]);
    }));
  }

  function setText(n, t) { name = n; editor.value = t; values = {}; params = null; starts = []; analyze(); }

  // Click on the portrait: shares under the pointer, from the plot frame of the chart.
  function clickPortrait(ev) {
    const svg = root.querySelector("#game-phase svg"); if (!svg) return;
    const frame = svg.querySelector("rect[fill=none]"); if (!frame) return;
    const pt = svg.createSVGPoint(); pt.x = ev.clientX; pt.y = ev.clientY;
    const p = pt.matrixTransform(svg.getScreenCTM().inverse());
    const x = +frame.getAttribute("x"), y = +frame.getAttribute("y"), w = +frame.getAttribute("width"), h = +frame.getAttribute("height");
    const a = (p.x - x) / w, b = 1 - (p.y - y) / h;
    if (a < 0 || a > 1 || b < 0 || b > 1) return;
    starts.push([a, b]); if (starts.length > 16) starts.shift();
    analyze();
  }

  function init(el) {
    root = el;
    editor = S.editor(S.debounce(() => { params = null; analyze(); }, 150));
    const sel = S.el("select", { id: "game-example" });
    const fileIn = S.el("input", { type: "file", accept: ".toml", class: "hidden" });
    fileIn.addEventListener("change", async () => { const f = fileIn.files[0]; if (f) setText(f.name, await f.text()); });
    sel.addEventListener("change", () => { const ex = S.game_examples.find(x => x.name === sel.value); if (ex) setText(ex.name, ex.text); });
    el.append(
      S.el("h2", { "data-i18n": "game.title" }),
      S.el("div", { class: "bar" }, [S.el("label", { "data-i18n": "game.example" }), sel,
        S.el("button", { type: "button", "data-i18n": "game.open", onclick: () => fileIn.click() }), fileIn,
        S.el("button", { type: "button", "data-i18n": "game.exportGame", onclick: () => S.saveText(name, editor.value, "application/toml") }),
        S.el("button", { type: "button", "data-i18n": "game.exportSvg", onclick: () => { const s = root.querySelector("#game-phase svg"); if (s) S.saveText(name.replace(/\.toml$/, "") + "-phase.svg", s.outerHTML, "image/svg+xml"); } }),
        S.el("button", { type: "button", "data-i18n": "game.exportTex", onclick: exportTex }),
        S.el("span", { id: "game-msg" }), S.el("span", { id: "game-ms", class: "muted" })]),
      S.el("div", { class: "cols" }, [
        S.el("div", {}, [S.el("div", { class: "card" }, [editor.el]),
          S.el("div", { class: "card" }, [S.el("h3", { "data-i18n": "game.params" }), S.el("div", { id: "game-params" })])]),
        S.el("div", {}, [
          S.el("div", { class: "card" }, [S.el("h3", { "data-i18n": "game.rest" }), S.el("div", { id: "game-rest" })]),
          S.el("div", { class: "card" }, [S.el("h3", { "data-i18n": "game.conditions" }), S.el("div", { id: "game-cond" })]),
          S.el("div", { class: "card" }, [S.el("h3", { "data-i18n": "game.phase" }), S.el("p", { class: "muted", "data-i18n": "game.click" }),
            S.el("div", { id: "game-phase", class: "chart", onclick: clickPortrait }),
            S.el("button", { type: "button", onclick: () => { starts = []; analyze(); } }, ["×"])]),
        ])]));
    S.api("GET", "/api/game/examples").then(r => {
      S.game_examples = r.data;
      sel.replaceChildren(...r.data.map(x => S.el("option", { value: x.name }, [x.name])));
      setText(r.data[0].name, r.data[0].text);
    });
  }

  // The LaTeX table of `xietong game analyze --latex` (made by xietong-present on the server).
  function exportTex() {
    if (last && last.latex) S.saveText(name.replace(/\.toml$/, "") + ".tex", last.latex, "application/x-tex");
  }

  return { init, onLang() { if (root) analyze(); } };
})();

// RnnGen serving sample page: plain DOM; the heat-map colours come from d3-scale-chromatic, vendored in vendor/ and
// loaded by index.html before this file (served by the app itself, so the page works offline).
"use strict";

const errorBox = document.getElementById("error");

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(json.error || `HTTP ${response.status}`);
  return json;
}

function showError(error) { errorBox.textContent = error ? String(error.message || error) : ""; }

// Heat-map colour of a weight at `level` = weight / strongest weight of the map (0..1): d3's sequential "Blues" scheme
// (near white for no weight, dark blue for the strongest), with white text on cells dark enough that it contrasts
// better than black (WCAG relative luminance). If the vendored scripts did not load, the former red shading.
const vendoredScheme = typeof d3 === "object" && typeof d3.interpolateBlues === "function" && typeof d3.rgb === "function";

function heatColor(level) {
  level = Math.min(1, Math.max(0, Number(level) || 0));
  if (!vendoredScheme)
    return { scheme: "fallback", background: `rgba(220, 40, 30, ${+level.toFixed(3)})`, text: level > 0.55 ? "white" : "black" };
  const color = d3.rgb(d3.interpolateBlues(level));
  const linear = c => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = 0.2126 * linear(color.r) + 0.7152 * linear(color.g) + 0.0722 * linear(color.b);
  const onWhite = 1.05 / (luminance + 0.05), onBlack = (luminance + 0.05) / 0.05;
  return { scheme: "d3.interpolateBlues", background: color.formatRgb(), text: onWhite >= onBlack ? "white" : "black" };
}

function renderClassification(result) {
  document.getElementById("label").textContent = result.label;
  const table = document.getElementById("probabilities");
  table.replaceChildren();
  result.classes.forEach((name, k) => {
    const p = result.probabilities[k];
    const row = table.insertRow();
    row.insertCell().textContent = name;
    row.insertCell().textContent = (100 * p).toFixed(1) + " %";
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.style.width = Math.max(1, Math.round(200 * p)) + "px";
    row.insertCell().appendChild(bar);
  });
  const heatmap = document.getElementById("heatmap");
  heatmap.replaceChildren();
  const max = Math.max(...result.attention.map(a => a.weight), 1e-12);
  for (const { char, weight } of result.attention) {
    const cell = document.createElement("span");
    const level = weight / max;                       // 0..1, relative to the strongest character
    cell.textContent = char === " " ? "\u00a0" : char;
    cell.title = `'${char}': ${weight.toFixed(4)}`;
    cell.dataset.weight = String(weight);
    const color = heatColor(level);
    cell.style.backgroundColor = color.background;
    cell.style.color = color.text;
    heatmap.appendChild(cell);
  }
  document.getElementById("classification").hidden = false;
}

// One row per output character, one column per input character; a cell per (output, input) pair, colored like the
// classifier's heat map (heatColor, relative to the strongest weight of the whole map).
function renderNormalization(result) {
  document.getElementById("date-output").textContent = result.output || "(no output)";
  const table = document.getElementById("date-heatmap");
  table.replaceChildren();
  const visible = token => (token === " " ? "\u2423" : token);   // ␣ for a space
  const header = table.insertRow();
  header.appendChild(document.createElement("th"));
  for (const token of result.sourceTokens) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = visible(token);
    header.appendChild(th);
  }
  const max = Math.max(...result.attention.flat(), 1e-12);
  result.targetTokens.forEach((target, r) => {
    const row = table.insertRow();
    row.dataset.row = String(r);
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = visible(target);
    row.appendChild(th);
    result.attention[r].forEach((weight, c) => {
      const cell = row.insertCell();
      const level = weight / max;
      cell.className = "cell";
      cell.dataset.row = String(r);
      cell.dataset.column = String(c);
      cell.dataset.weight = String(weight);
      cell.title = `'${target}' ← '${result.sourceTokens[c]}': ${weight.toFixed(4)}`;
      cell.style.backgroundColor = heatColor(level).background;
    });
  });
  document.getElementById("date-result").hidden = false;
}

document.getElementById("date-form").addEventListener("submit", async event => {
  event.preventDefault();
  try {
    showError(null);
    renderNormalization(await post("/api/normalize", { text: document.getElementById("date-text").value }));
  } catch (error) { showError(error); }
});

document.getElementById("classify-form").addEventListener("submit", async event => {
  event.preventDefault();
  try {
    showError(null);
    renderClassification(await post("/api/classify", { text: document.getElementById("classify-text").value }));
  } catch (error) { showError(error); }
});

document.getElementById("generate-form").addEventListener("submit", async event => {
  event.preventDefault();
  const output = document.getElementById("generated");
  try {
    showError(null);
    const result = await post("/api/generate", {
      prompt: document.getElementById("prompt").value,
      length: Number(document.getElementById("length").value),
      temperature: Number(document.getElementById("temperature").value),
    });
    const prompt = document.createElement("span");
    prompt.className = "prompt";
    prompt.textContent = result.prompt;
    output.replaceChildren(prompt, document.createTextNode(result.text));
  } catch (error) { showError(error); }
});

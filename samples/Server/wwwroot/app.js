// RnnGen serving sample page: plain DOM, no dependencies (works offline).
"use strict";

const errorBox = document.getElementById("error");

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(json.error || `HTTP ${response.status}`);
  return json;
}

function showError(error) { errorBox.textContent = error ? String(error.message || error) : ""; }

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
    cell.style.backgroundColor = `rgba(220, 40, 30, ${level.toFixed(3)})`;
    cell.style.color = level > 0.55 ? "white" : "black";
    heatmap.appendChild(cell);
  }
  document.getElementById("classification").hidden = false;
}

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

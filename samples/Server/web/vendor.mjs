// Copies the front-end libraries of samples/Server out of node_modules into ../wwwroot/vendor, the built asset that is
// committed and served as static files (the app and CI never run npm):
//
//   cd samples/Server/web && npm ci && npm run vendor
//
// For each package below: its UMD builds (dist/*.min.js, which define the global `d3`) and its licence (as
// <package>.LICENSE.txt); then VERSIONS.txt (package, version, licence, sha256 of each file). No network, no build
// step; the output depends only on the installed packages, so re-running it on the same lock file changes nothing.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Load order: each package's UMD build reads its dependencies from the global `d3` (index.html loads them in this order).
const PACKAGES = ["d3-color", "d3-interpolate", "d3-scale-chromatic"];

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "wwwroot", "vendor");
const manifest = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));

function fail(message) {
  console.error(`vendor: ${message}`);
  process.exit(1);
}

const declared = Object.keys(manifest.dependencies ?? {}).sort();
if (declared.join() !== [...PACKAGES].sort().join())
  fail(`package.json declares ${declared.join(", ")} but vendor.mjs copies ${PACKAGES.join(", ")}; keep them in step`);

const sha256 = path => createHash("sha256").update(readFileSync(path)).digest("hex");
const packages = [];
for (const name of PACKAGES) {
  const source = join(here, "node_modules", name);
  if (!existsSync(join(source, "package.json"))) fail(`${name} is not installed; run npm ci first`);
  const pkg = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
  if (pkg.version !== manifest.dependencies[name])
    fail(`${name} ${pkg.version} is installed but package.json pins ${manifest.dependencies[name]}; run npm ci`);
  const builds = readdirSync(join(source, "dist")).filter(f => f.endsWith(".min.js")).sort();
  if (builds.length === 0) fail(`${name} ${pkg.version} has no dist/*.min.js`);
  const licence = ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE"].find(f => existsSync(join(source, f)));
  if (!licence) fail(`${name} ${pkg.version} ships no LICENSE file`);
  const files = [...builds.map(b => ({ from: join(source, "dist", b), to: b })), { from: join(source, licence), to: `${name}.LICENSE.txt` }];
  packages.push({ name, version: pkg.version, license: pkg.license, files });
}

// Start from an empty folder so that a file dropped from a package does not linger.
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
const lines = [
  "# Front-end libraries of samples/Server, copied from npm by samples/Server/web/vendor.mjs",
  "# (refresh: cd samples/Server/web && npm ci && npm run vendor). Do not edit these files by hand.",
  "# package version licence, then each file and its sha256",
];
for (const { name, version, license, files } of packages) {
  lines.push("", `${name} ${version} ${license}`);
  for (const { from, to } of files) {
    copyFileSync(from, join(target, to));
    lines.push(`  ${to} sha256:${sha256(join(target, to))}`);
  }
}
writeFileSync(join(target, "VERSIONS.txt"), lines.join("\n") + "\n");
console.log(`vendor: ${packages.reduce((n, p) => n + p.files.length, 0)} files and VERSIONS.txt written to ${target}`);
console.log(lines.filter(l => l !== "" && !l.startsWith("#")).join("\n"));

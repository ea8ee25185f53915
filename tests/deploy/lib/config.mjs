// The server config files inside the rendered ConfigMaps must be accepted by `quiver serve --check-config`,
// together with the QUIVER__/QDRANT__ environment overrides the pods set (those are validated too).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { podSpecOf } from "./kubernetes.mjs";

export const CONFIG_MAPS = /^(quiver-config|quiver-scratch-config)(-[a-z0-9]+)?$/;

/** Problem if the binary is missing or predates --check-config. */
export function binaryProblems(bin) {
  if (!fs.existsSync(bin)) return [`${bin} not found: run make build`];
  const r = spawnSync(bin, ["serve", "--help"], { encoding: "utf8" });
  if (!`${r.stdout}${r.stderr}`.includes("--check-config")) return [`${bin} has no --check-config: rebuild it (make build)`];
  return [];
}

/** Environment override names the pods mounting this ConfigMap set (values replaced by dummies). */
function overridesFor(objects, configMapName) {
  const env = {};
  for (const o of objects) {
    const spec = podSpecOf(o);
    if (!spec || !(spec.volumes || []).some((v) => v.configMap?.name === configMapName)) continue;
    for (const c of [...(spec.initContainers || []), ...(spec.containers || [])]) {
      for (const e of c.env || []) if (/^(QUIVER|QDRANT)__/.test(e.name)) env[e.name] = "check-config-dummy-value";
    }
  }
  return env;
}

/** Runs every config file of every matching ConfigMap through `quiver serve --config F --check-config`. */
export function checkConfigs(objects, bin) {
  const problems = [];
  const maps = objects.filter((o) => o.kind === "ConfigMap" && CONFIG_MAPS.test(o.metadata.name));
  if (maps.length === 0) problems.push("no quiver-config ConfigMap rendered");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-check-config-"));
  try {
    for (const cm of maps) {
      const overrides = overridesFor(objects, cm.metadata.name);
      for (const [key, text] of Object.entries(cm.data || {})) {
        const file = path.join(dir, `${cm.metadata.name}-${key}`);
        fs.writeFileSync(file, text);
        const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(QUIVER|QDRANT)__/.test(k)));
        const r = spawnSync(bin, ["serve", "--config", file, "--check-config"], { encoding: "utf8", env: { ...clean, ...overrides } });
        if (r.status !== 0) {
          problems.push(`ConfigMap ${cm.metadata.name} key ${key} (env ${Object.keys(overrides).join(",") || "none"}): exit ${r.status}: ${`${r.stdout}${r.stderr}`.trim().slice(0, 400)}`);
        }
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

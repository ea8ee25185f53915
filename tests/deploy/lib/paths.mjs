// Locations and per-overlay expectations shared by the deploy checks.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const DEPLOY = path.join(REPO, "deploy");
export const TERRAFORM = path.join(DEPLOY, "terraform");
export const K8S = path.join(DEPLOY, "k8s");
export const QUIVER_BIN = process.env.QUIVER_BIN || path.join(REPO, "build/quiver");

const common = { namespace: "quiver", externalSecrets: ["quiver-api-key"] };
export const OVERLAYS = {
  "single-node": { ...common, storageClasses: ["gp3"], scheduling: "eks", replicas: 1 },
  "qdrant-cluster": { ...common, storageClasses: ["gp3"], scheduling: "eks", replicas: 3, podManagementPolicy: "Parallel" },
  local: { ...common, storageClasses: ["standard"], scheduling: "none", replicas: 1 },
};

/** Copies deploy/ (without generated or Terraform working files) into a fresh temp dir; returns its deploy/. */
export function copyDeploy() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-deploy-"));
  const skip = new Set([".terraform", ".generated", "node_modules"]);
  fs.cpSync(DEPLOY, path.join(root, "deploy"), { recursive: true, filter: (src) => !skip.has(path.basename(src)) });
  return path.join(root, "deploy");
}

/** Replaces `from` by `to` in a file, failing loudly if `from` is absent (a mutation must really happen). */
export function mutate(file, from, to) {
  const text = fs.readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`mutation target not found in ${file}: ${from}`);
  fs.writeFileSync(file, text.replace(from, to));
}

/** Fills the Terraform template used by the platform module (only ${name} and ${jsonencode(name)} forms). */
export function renderTemplate(text, vars) {
  return text.replace(/\$\{(?:jsonencode\((\w+)\)|(\w+))\}/g, (m, j, plain) => {
    const name = j || plain;
    if (!(name in vars)) throw new Error(`template variable ${name} has no value`);
    return j ? JSON.stringify(vars[name]) : String(vars[name]);
  });
}

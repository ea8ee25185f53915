// Offline checks of deploy/terraform: parse every .tf with HashiCorp's HCL parser (@cdktf/hcl2json, Go HCL
// compiled to wasm), then check references, module calls, pins, variables, outputs, tags and backends.
// Every check returns a list of problems (strings); an empty list means the check passed.
import fs from "node:fs";
import path from "node:path";
import { parse } from "@cdktf/hcl2json";
import { REGISTRY_MODULES } from "./registry-modules.mjs";

export const REQUIRED_TAGS = ["Project", "Environment", "Owner", "ManagedBy"];
const META_ARGS = new Set(["source", "version", "providers", "count", "for_each", "depends_on"]);
// Resource type prefix → provider local name; resources of other prefixes need a required_providers entry.
const BUILTIN_TYPES = new Set(["terraform_data", "terraform_remote_state"]);

/** Recursively lists the directories under root that contain .tf files. */
export function terraformDirs(root) {
  const dirs = [];
  const walk = (dir) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.endsWith(".tf"))) dirs.push(dir);
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith(".")) walk(path.join(dir, e.name));
    }
  };
  walk(root);
  return dirs.sort();
}

/** Parses one HCL file; returns {json} or {error}. */
export async function parseHcl(file) {
  try {
    return { json: await parse(path.basename(file), fs.readFileSync(file, "utf8")) };
  } catch (e) {
    return { error: `${file}: ${String(e.message || e).slice(0, 400)}` };
  }
}

/** Loads a Terraform module directory into one merged view. Parse failures are in `problems`. */
export async function loadModule(dir) {
  const mod = {
    dir, problems: [], variables: {}, locals: {}, modules: {}, outputs: {}, resources: {}, data: {},
    providers: {}, requiredProviders: {}, terraform: [], expressions: [],
  };
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".tf")).sort()) {
    const { json, error } = await parseHcl(path.join(dir, name));
    if (error) { mod.problems.push(`parse error: ${error}`); continue; }
    for (const [k, v] of Object.entries(json.variable || {})) mod.variables[k] = v[0];
    for (const block of json.locals || []) Object.assign(mod.locals, block);
    for (const [k, v] of Object.entries(json.module || {})) mod.modules[k] = v[0];
    for (const [k, v] of Object.entries(json.output || {})) mod.outputs[k] = v[0];
    for (const [type, byName] of Object.entries(json.resource || {})) {
      for (const [n, v] of Object.entries(byName)) mod.resources[`${type}.${n}`] = v[0];
    }
    for (const [type, byName] of Object.entries(json.data || {})) {
      for (const [n, v] of Object.entries(byName)) mod.data[`${type}.${n}`] = v[0];
    }
    for (const [k, v] of Object.entries(json.provider || {})) mod.providers[k] = v;
    for (const t of json.terraform || []) {
      mod.terraform.push(t);
      for (const rp of t.required_providers || []) Object.assign(mod.requiredProviders, rp);
    }
    collectExpressions(json, `${name}`, mod.expressions);
  }
  return mod;
}

/** Collects every string holding an interpolation, with the path where it occurs. */
function collectExpressions(node, where, out) {
  if (typeof node === "string") {
    if (node.includes("${")) out.push({ where, expr: node });
  } else if (Array.isArray(node)) {
    node.forEach((v, i) => collectExpressions(v, `${where}[${i}]`, out));
  } else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) collectExpressions(v, `${where}.${k}`, out);
  }
}

const isLocalSource = (s) => typeof s === "string" && (s.startsWith("./") || s.startsWith("../"));
const unwrap = (s) => (typeof s === "string" ? s.replace(/^\$\{/, "").replace(/\}$/, "") : s);

/** var./local./module./data./resource references must resolve within the module. */
export function checkReferences(mod, modulesByDir) {
  const problems = [];
  for (const { where, expr } of mod.expressions) {
    // Drop string literals inside expressions, so "kubernetes.io/role/elb" never looks like a reference.
    const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const m of code.matchAll(/(?<![\w.])var\.([A-Za-z_][\w-]*)/g)) {
      if (!(m[1] in mod.variables)) problems.push(`${mod.dir}: ${where}: var.${m[1]} is not declared`);
    }
    for (const m of code.matchAll(/(?<![\w.])local\.([A-Za-z_][\w-]*)/g)) {
      if (!(m[1] in mod.locals)) problems.push(`${mod.dir}: ${where}: local.${m[1]} is not defined`);
    }
    for (const m of code.matchAll(/(?<![\w.])module\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?/g)) {
      const call = mod.modules[m[1]];
      if (!call) { problems.push(`${mod.dir}: ${where}: module.${m[1]} is not declared`); continue; }
      if (!m[2]) continue;
      const outputs = moduleOutputs(mod, call, modulesByDir);
      if (outputs && !outputs.has(m[2])) {
        problems.push(`${mod.dir}: ${where}: module.${m[1]} has no output ${m[2]}`);
      }
    }
    for (const m of code.matchAll(/(?<![\w.])data\.([a-z][\w]*)\.([A-Za-z_][\w-]*)/g)) {
      if (!(`${m[1]}.${m[2]}` in mod.data)) problems.push(`${mod.dir}: ${where}: data.${m[1]}.${m[2]} is not declared`);
    }
    for (const m of code.matchAll(/(?<![\w.])((?:aws|kubernetes|helm|local|random|terraform)_[a-z0-9_]+)\.([A-Za-z_][\w-]*)/g)) {
      if (!(`${m[1]}.${m[2]}` in mod.resources)) problems.push(`${mod.dir}: ${where}: resource ${m[1]}.${m[2]} is not declared`);
    }
  }
  return problems;
}

function moduleOutputs(mod, call, modulesByDir) {
  if (isLocalSource(call.source)) {
    const child = modulesByDir.get(path.resolve(mod.dir, call.source));
    return child ? new Set(Object.keys(child.outputs)) : null;
  }
  const known = REGISTRY_MODULES[`${call.source}@${call.version}`];
  return known ? new Set(known.outputs) : null;
}

/** Arguments passed to a module must be its variables; required variables must be passed; registry modules
 *  must be pinned to an exact version whose inputs were verified (registry-modules.mjs). */
export function checkModuleCalls(mod, modulesByDir) {
  const problems = [];
  for (const [name, call] of Object.entries(mod.modules)) {
    const args = Object.keys(call).filter((k) => !META_ARGS.has(k));
    if (isLocalSource(call.source)) {
      if (call.version) problems.push(`${mod.dir}: module.${name}: local modules take no version`);
      const child = modulesByDir.get(path.resolve(mod.dir, call.source));
      if (!child) { problems.push(`${mod.dir}: module.${name}: source ${call.source} is not a module directory`); continue; }
      for (const a of args) if (!(a in child.variables)) problems.push(`${mod.dir}: module.${name}: ${child.dir} has no variable ${a}`);
      for (const [v, decl] of Object.entries(child.variables)) {
        if (!("default" in decl) && !args.includes(v)) problems.push(`${mod.dir}: module.${name}: required variable ${v} is not set`);
      }
      continue;
    }
    if (!/^\d+\.\d+\.\d+$/.test(String(call.version || ""))) {
      problems.push(`${mod.dir}: module.${name}: registry module ${call.source} must be pinned to an exact version (got ${call.version})`);
      continue;
    }
    const known = REGISTRY_MODULES[`${call.source}@${call.version}`];
    if (!known) { problems.push(`${mod.dir}: module.${name}: ${call.source}@${call.version} has no verified input list in registry-modules.mjs`); continue; }
    for (const a of args) if (!known.inputs.includes(a)) problems.push(`${mod.dir}: module.${name}: ${call.source}@${call.version} has no input ${a}`);
    for (const [arg, allowed] of Object.entries(known.nested || {})) {
      if (!call[arg] || typeof call[arg] !== "object") continue;
      for (const [key, item] of Object.entries(call[arg])) {
        if (!item || typeof item !== "object") continue;
        for (const k of Object.keys(item)) {
          if (!allowed.includes(k)) problems.push(`${mod.dir}: module.${name}: ${arg}.${key}.${k} is not an attribute of ${arg} in ${call.source}@${call.version}`);
        }
      }
    }
  }
  return problems;
}

/** terraform.required_version, pinned providers (source + bounded version), every used provider declared. */
export function checkPins(mod) {
  const problems = [];
  if (!mod.terraform.some((t) => t.required_version)) problems.push(`${mod.dir}: terraform.required_version is missing`);
  for (const [name, req] of Object.entries(mod.requiredProviders)) {
    if (!req.source) problems.push(`${mod.dir}: provider ${name} has no source`);
    const v = String(req.version || "");
    if (!/^(~>\s*\d+\.\d+(\.\d+)?|=?\s*\d+\.\d+\.\d+)$/.test(v)) {
      problems.push(`${mod.dir}: provider ${name} must be pinned with ~> X.Y or an exact version (got "${v}")`);
    }
  }
  const used = new Set([...Object.keys(mod.resources), ...Object.keys(mod.data)]
    .map((r) => r.split(".")[0]).filter((t) => !BUILTIN_TYPES.has(t)).map((t) => t.split("_")[0]));
  for (const p of Object.keys(mod.providers)) used.add(p);
  for (const p of used) if (!(p in mod.requiredProviders)) problems.push(`${mod.dir}: provider ${p} is used but not in required_providers`);
  return problems;
}

/** Variables typed and described, string/number variables validated; outputs described. */
export function checkVariablesAndOutputs(mod) {
  const problems = [];
  for (const [name, v] of Object.entries(mod.variables)) {
    if (!v.type) problems.push(`${mod.dir}: variable ${name} has no type`);
    if (!v.description || String(v.description).length < 10) problems.push(`${mod.dir}: variable ${name} has no description`);
    const type = unwrap(v.type);
    if ((type === "string" || type === "number") && !(v.validation && v.validation.length)) {
      problems.push(`${mod.dir}: variable ${name} (${type}) has no validation`);
    }
  }
  for (const [name, o] of Object.entries(mod.outputs)) {
    if (!o.description) problems.push(`${mod.dir}: output ${name} has no description`);
  }
  return problems;
}

/** Stacks: local.tags carries the required tags; an aws provider applies them as default_tags; every module
 *  call whose module takes `tags` receives them; S3 backend with locking and encryption. */
export function checkStack(mod, modulesByDir) {
  const problems = [];
  const tags = String(mod.locals.tags || "");
  for (const t of REQUIRED_TAGS) {
    if (!new RegExp(`\\b${t}\\s*=`).test(tags)) problems.push(`${mod.dir}: local.tags lacks the required tag ${t}`);
  }
  for (const blocks of Object.entries(mod.providers).filter(([k]) => k === "aws").map(([, v]) => v)) {
    for (const b of blocks) {
      const dt = (b.default_tags || [])[0];
      if (!dt || !/local\.tags/.test(String(dt.tags))) problems.push(`${mod.dir}: provider aws must set default_tags { tags = local.tags }`);
    }
  }
  for (const [name, call] of Object.entries(mod.modules)) {
    const child = isLocalSource(call.source) ? modulesByDir.get(path.resolve(mod.dir, call.source)) : null;
    if (child && "tags" in child.variables && !/local\.tags/.test(String(call.tags))) {
      problems.push(`${mod.dir}: module.${name} must receive tags = local.tags`);
    }
  }
  const backends = mod.terraform.flatMap((t) => Object.entries(t.backend || {}));
  const s3 = backends.find(([k]) => k === "s3");
  if (!s3) problems.push(`${mod.dir}: a stack needs an s3 backend`);
  else {
    const cfg = s3[1][0] || {};
    if (cfg.use_lockfile !== true && !cfg.dynamodb_table) problems.push(`${mod.dir}: the s3 backend needs locking (use_lockfile = true)`);
    if (cfg.encrypt !== true) problems.push(`${mod.dir}: the s3 backend must set encrypt = true`);
  }
  return problems;
}

/** Registry modules get the required tags through `tags` too (default_tags do not reach everything). */
export function checkRegistryTags(mod) {
  const problems = [];
  for (const [name, call] of Object.entries(mod.modules)) {
    const known = REGISTRY_MODULES[`${call.source}@${call.version}`];
    if (known && known.inputs.includes("tags") && !call.tags) problems.push(`${mod.dir}: module.${name} must pass tags`);
  }
  return problems;
}

/** The example tfvars sets only declared variables and every required one. */
export async function checkTfvarsExample(mod, file) {
  const { json, error } = await parseHcl(file);
  if (error) return [`parse error: ${error}`];
  const problems = [];
  for (const k of Object.keys(json)) if (!(k in mod.variables)) problems.push(`${file}: ${k} is not a variable of ${mod.dir}`);
  for (const [k, v] of Object.entries(mod.variables)) {
    if (!("default" in v) && !(k in json)) problems.push(`${file}: required variable ${k} is missing`);
  }
  return problems;
}

/** The platform stack reads the cluster stack's outputs (local.cluster = data.terraform_remote_state.cluster
 *  .outputs): every output it uses must exist there. */
export function checkRemoteState(mod, modulesByDir) {
  const problems = [];
  if (!("terraform_remote_state.cluster" in mod.data)) return problems;
  const cluster = modulesByDir.get(path.resolve(mod.dir, "../cluster"));
  if (!cluster) return [`${mod.dir}: reads the cluster stack's state but ../cluster is missing`];
  const alias = Object.entries(mod.locals).find(([, v]) => /^\$\{data\.terraform_remote_state\.cluster\.outputs\}$/.test(String(v)));
  const patterns = [/data\.terraform_remote_state\.cluster\.outputs\.([A-Za-z_]\w*)/g];
  if (alias) patterns.push(new RegExp(`(?<![\\w.])local\\.${alias[0]}\\.([A-Za-z_]\\w*)`, "g"));
  for (const { where, expr } of mod.expressions) {
    for (const re of patterns) {
      for (const m of expr.matchAll(re)) {
        if (!(m[1] in cluster.outputs)) problems.push(`${mod.dir}: ${where}: the cluster stack has no output ${m[1]}`);
      }
    }
  }
  return problems;
}

/** Loads every module under root and runs all checks; returns {problems, modules}. */
export async function checkTree(root) {
  const dirs = terraformDirs(root);
  const modules = new Map();
  for (const d of dirs) modules.set(path.resolve(d), await loadModule(d));
  const problems = [];
  for (const mod of modules.values()) {
    problems.push(...mod.problems, ...checkReferences(mod, modules), ...checkModuleCalls(mod, modules),
      ...checkPins(mod), ...checkVariablesAndOutputs(mod), ...checkRegistryTags(mod));
    if (mod.dir.includes(`${path.sep}stacks${path.sep}`)) {
      problems.push(...checkStack(mod, modules), ...checkRemoteState(mod, modules));
      const example = path.join(mod.dir, "terraform.tfvars.example");
      if (!fs.existsSync(example)) problems.push(`${mod.dir}: terraform.tfvars.example is missing`);
      else problems.push(...(await checkTfvarsExample(mod, example)));
    }
  }
  return { problems, modules };
}

// Offline checks of deploy/k8s: render overlays with `kubectl kustomize`, validate every object against the
// Kubernetes OpenAPI schemas shipped in kubernetes-models, reject unknown field names, and apply policies.
// Every check returns a list of problems (strings); an empty list means the check passed.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import YAML from "yaml";

const require = createRequire(import.meta.url);

/** Renders a kustomization directory. Returns {objects} or {error}. */
export function render(dir) {
  const r = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) return { error: `kubectl: ${r.error.message}` };
  if (r.status !== 0) return { error: `kubectl kustomize ${dir} failed: ${r.stderr.trim()}` };
  const objects = YAML.parseAllDocuments(r.stdout).map((d) => d.toJS()).filter((o) => o);
  return { objects, yaml: r.stdout };
}

const id = (o) => `${o.kind}/${o?.metadata?.name}`;

// apiVersion → kubernetes-models module path prefix ("apps/v1" → "kubernetes-models/apps/v1").
function modelFor(obj) {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  const modPath = group ? `kubernetes-models/${group}/${version}/${obj.kind}` : `kubernetes-models/${version}/${obj.kind}`;
  try {
    return require(modPath)[obj.kind];
  } catch {
    return null;
  }
}

// Prometheus Operator kinds are not in kubernetes-models: checked structurally here instead.
const CRD_CHECKS = {
  "monitoring.coreos.com/v1/ServiceMonitor": (o) =>
    o.spec?.selector && Array.isArray(o.spec?.endpoints) && o.spec.endpoints.length > 0 ? [] : ["needs spec.selector and spec.endpoints"],
  "monitoring.coreos.com/v1/PodMonitor": (o) =>
    o.spec?.selector && Array.isArray(o.spec?.podMetricsEndpoints) ? [] : ["needs spec.selector and spec.podMetricsEndpoints"],
  "monitoring.coreos.com/v1/PrometheusRule": (o) =>
    (o.spec?.groups || []).flatMap((g) => (g.rules || []).filter((r) => !r.expr || !(r.alert || r.record)).map((r) => `rule in group ${g.name} needs expr and alert/record`))
      .concat(Array.isArray(o.spec?.groups) ? [] : ["needs spec.groups"]),
};

/** Validates one object against its schema (types, required fields, enums) and rejects unknown fields. */
export function validateObject(obj) {
  if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) return [`object without apiVersion/kind/metadata.name: ${JSON.stringify(obj).slice(0, 120)}`];
  const crd = CRD_CHECKS[`${obj.apiVersion}/${obj.kind}`];
  if (crd) return crd(obj).map((p) => `${id(obj)}: ${p}`);
  const Model = modelFor(obj);
  if (!Model) return [`${id(obj)}: no schema for ${obj.apiVersion} ${obj.kind}`];
  try {
    new Model(obj).validate();
  } catch (e) {
    return [`${id(obj)}: schema: ${String(e.message).slice(0, 600)}`];
  }
  return unknownFields(Model, obj).map((p) => `${id(obj)}: unknown field ${p}`);
}

/** The generated validators read every property their schema declares (`data.exec`, `data.httpGet`, ...), and
 *  iterate the keys of maps. Running one over a proxy that records property reads tells which keys of each object
 *  the schema knows; any other key is an unknown field (what `kubectl apply` would drop or the API server
 *  reject). Objects the validator never looks into (free-form fields) are skipped. */
export function unknownFields(Model, obj) {
  const seen = new WeakMap();
  const proxies = new WeakMap();
  const wrap = (t) => {
    if (t === null || typeof t !== "object") return t;
    if (proxies.has(t)) return proxies.get(t);
    seen.set(t, new Set());
    const note = (target, key) => { if (typeof key === "string") seen.get(target).add(key); };
    const p = new Proxy(t, {
      get(target, key, receiver) { note(target, key); return wrap(Reflect.get(target, key, receiver)); },
      has(target, key) { note(target, key); return Reflect.has(target, key); },
      ownKeys(target) { for (const k of Reflect.ownKeys(target)) note(target, k); return Reflect.ownKeys(target); },
      getOwnPropertyDescriptor(target, key) { note(target, key); return Reflect.getOwnPropertyDescriptor(target, key); },
    });
    proxies.set(t, p);
    return p;
  };
  const copy = structuredClone(obj);
  Model.prototype.validate.call(wrap(copy));
  const unknown = [];
  const walk = (o, where) => {
    if (Array.isArray(o)) { o.forEach((v, i) => walk(v, `${where}[${i}]`)); return; }
    if (o === null || typeof o !== "object") return;
    const keys = seen.get(o);
    for (const k of Object.keys(o)) {
      if (keys && keys.size > 0 && !keys.has(k)) unknown.push(`${where}.${k}`);
      walk(o[k], `${where}.${k}`);
    }
  };
  walk(copy, "");
  return unknown;
}

/** Pod template and containers of a workload object (null for non-workloads). */
export function podSpecOf(o) {
  switch (o.kind) {
    case "Pod": return o.spec;
    case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet": case "Job": return o.spec?.template?.spec;
    case "CronJob": return o.spec?.jobTemplate?.spec?.template?.spec;
    default: return null;
  }
}

const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

function containersOf(spec) {
  const init = (spec.initContainers || []).map((c) => ({ c, sidecar: c.restartPolicy === "Always", init: true }));
  return [...init, ...(spec.containers || []).map((c) => ({ c, sidecar: false, init: false }))];
}

/** Policies for every rendered object. `expect.storageClasses` lists the classes PVCs may use. */
export function checkPolicies(objects, expect) {
  const problems = [];
  for (const o of objects) {
    const spec = podSpecOf(o);
    if (o.kind === "Secret") problems.push(`${id(o)}: Secrets must not come from Git (create them outside, see docs)`);
    if (o.kind === "CronJob") problems.push(...cronJobProblems(o));
    if (o.kind === "StatefulSet") problems.push(...statefulSetProblems(o, expect));
    if (o.kind === "PersistentVolumeClaim" && !expect.storageClasses.includes(o.spec?.storageClassName)) {
      problems.push(`${id(o)}: storageClassName ${o.spec?.storageClassName} is not one of ${expect.storageClasses}`);
    }
    if (!spec) continue;
    const podSc = spec.securityContext || {};
    for (const { c, sidecar, init } of containersOf(spec)) {
      const where = `${id(o)} container ${c.name}`;
      problems.push(...imageProblems(c.image).map((p) => `${where}: ${p}`));
      const r = c.resources || {};
      if (!r.requests?.cpu || !r.requests?.memory) problems.push(`${where}: needs resources.requests.cpu and .memory`);
      if (!r.limits?.memory) problems.push(`${where}: needs resources.limits.memory`);
      const serving = (LONG_RUNNING.has(o.kind) && !init) || sidecar;
      if (serving && (!c.readinessProbe || !c.livenessProbe)) problems.push(`${where}: needs readinessProbe and livenessProbe`);
      if (sidecar && !c.startupProbe) problems.push(`${where}: a sidecar needs a startupProbe (the main container waits for it)`);
      const sc = c.securityContext || {};
      const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      const uid = sc.runAsUser ?? podSc.runAsUser;
      if (nonRoot !== true || uid === 0) problems.push(`${where}: must run as non-root (runAsNonRoot: true, runAsUser != 0)`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: needs allowPrivilegeEscalation: false`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: needs readOnlyRootFilesystem: true`);
      if (!(sc.capabilities?.drop || []).includes("ALL")) problems.push(`${where}: must drop ALL capabilities`);
      if (sc.privileged) problems.push(`${where}: must not be privileged`);
    }
    for (const v of spec.volumes || []) {
      const tpl = v.ephemeral?.volumeClaimTemplate?.spec;
      if (tpl && !expect.storageClasses.includes(tpl.storageClassName)) {
        problems.push(`${id(o)} volume ${v.name}: storageClassName ${tpl.storageClassName} is not one of ${expect.storageClasses}`);
      }
    }
  }
  problems.push(...referenceProblems(objects, expect));
  return problems;
}

export function imageProblems(image) {
  if (!image) return ["has no image"];
  if (image.includes("@sha256:")) return [];
  const last = image.split("/").pop();
  if (!last.includes(":")) return [`image ${image} has no tag (means latest)`];
  const tag = last.split(":").pop();
  if (tag === "latest" || tag === "") return [`image ${image} uses the latest tag`];
  return [];
}

function cronJobProblems(o) {
  const p = [];
  const s = o.spec || {};
  if (!["Forbid", "Replace"].includes(s.concurrencyPolicy)) p.push(`${id(o)}: needs concurrencyPolicy Forbid or Replace (got ${s.concurrencyPolicy})`);
  if (s.successfulJobsHistoryLimit === undefined || s.failedJobsHistoryLimit === undefined) p.push(`${id(o)}: needs successfulJobsHistoryLimit and failedJobsHistoryLimit`);
  if (!s.jobTemplate?.spec?.activeDeadlineSeconds) p.push(`${id(o)}: needs jobTemplate.spec.activeDeadlineSeconds`);
  if (s.jobTemplate?.spec?.backoffLimit === undefined) p.push(`${id(o)}: needs jobTemplate.spec.backoffLimit`);
  return p;
}

function statefulSetProblems(o, expect) {
  const p = [];
  const spec = o.spec || {};
  const pod = spec.template?.spec || {};
  for (const t of spec.volumeClaimTemplates || []) {
    const where = `${id(o)} volumeClaimTemplate ${t.metadata?.name}`;
    if (!expect.storageClasses.includes(t.spec?.storageClassName)) p.push(`${where}: storageClassName ${t.spec?.storageClassName} is not one of ${expect.storageClasses}`);
    if (!t.spec?.resources?.requests?.storage) p.push(`${where}: needs spec.resources.requests.storage`);
  }
  if (!(pod.terminationGracePeriodSeconds >= 30)) p.push(`${id(o)}: terminationGracePeriodSeconds must be at least 30`);
  for (const c of pod.containers || []) {
    if (!c.lifecycle?.preStop) p.push(`${id(o)} container ${c.name}: needs a preStop hook (drain)`);
    if (!c.startupProbe) p.push(`${id(o)} container ${c.name}: needs a startupProbe`);
  }
  if (expect.scheduling === "eks") {
    if (!pod.affinity?.podAntiAffinity) p.push(`${id(o)}: needs pod anti-affinity`);
    if (!(pod.topologySpreadConstraints || []).some((t) => t.topologyKey === "topology.kubernetes.io/zone")) p.push(`${id(o)}: needs a zone topology spread constraint`);
  }
  if (expect.replicas !== undefined && spec.replicas !== expect.replicas) p.push(`${id(o)}: replicas ${spec.replicas}, expected ${expect.replicas}`);
  if (expect.podManagementPolicy && spec.podManagementPolicy !== expect.podManagementPolicy) p.push(`${id(o)}: podManagementPolicy ${spec.podManagementPolicy}, expected ${expect.podManagementPolicy}`);
  return p;
}

const matches = (selector, labels) => Object.entries(selector || {}).every(([k, v]) => labels?.[k] === v);

/** Cross-object references: Services, PDBs and NetworkPolicies select pods that exist; ConfigMaps,
 *  ServiceAccounts and Secrets used by pods exist (Secrets only the ones created outside Git). */
function referenceProblems(objects, expect) {
  const p = [];
  const byKind = (k) => objects.filter((o) => o.kind === k);
  const pods = objects.filter((o) => podSpecOf(o)).map((o) => ({ o, labels: o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.metadata?.labels : o.spec?.template?.metadata?.labels }));
  const names = (k) => new Set(byKind(k).map((o) => o.metadata.name));
  for (const s of byKind("Service")) if (!pods.some((w) => matches(s.spec?.selector, w.labels))) p.push(`${id(s)}: selects no pods`);
  for (const d of byKind("PodDisruptionBudget")) if (!pods.some((w) => matches(d.spec?.selector?.matchLabels, w.labels))) p.push(`${id(d)}: selects no pods`);
  for (const n of byKind("NetworkPolicy")) if (!pods.some((w) => matches(n.spec?.podSelector?.matchLabels, w.labels))) p.push(`${id(n)}: selects no pods`);
  const configMaps = names("ConfigMap");
  const serviceAccounts = names("ServiceAccount");
  for (const { o } of pods) {
    const spec = podSpecOf(o);
    if (spec.serviceAccountName && !serviceAccounts.has(spec.serviceAccountName)) p.push(`${id(o)}: ServiceAccount ${spec.serviceAccountName} is not defined`);
    for (const v of spec.volumes || []) if (v.configMap && !configMaps.has(v.configMap.name)) p.push(`${id(o)}: ConfigMap ${v.configMap.name} is not defined`);
    for (const { c } of containersOf(spec)) {
      for (const e of c.env || []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && !expect.externalSecrets.includes(ref.name)) p.push(`${id(o)}: Secret ${ref.name} is neither defined nor an expected external Secret`);
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm && !configMaps.has(cm.name)) p.push(`${id(o)}: ConfigMap ${cm.name} is not defined`);
      }
      for (const f of c.envFrom || []) if (f.configMapRef && !configMaps.has(f.configMapRef.name)) p.push(`${id(o)}: ConfigMap ${f.configMapRef.name} is not defined`);
    }
  }
  for (const o of objects) {
    const ns = o.metadata?.namespace;
    if (!["Namespace", "StorageClass", "ClusterRole", "ClusterRoleBinding"].includes(o.kind) && ns !== expect.namespace) {
      p.push(`${id(o)}: namespace ${ns}, expected ${expect.namespace}`);
    }
  }
  return p;
}

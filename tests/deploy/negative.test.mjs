// Each check must be able to fail. Every test here breaks a fresh copy of deploy/ in one precise way (the
// mutation itself is asserted to apply) and expects the matching check to report it, so a check that silently
// stops checking fails `make test`.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { checkTree } from "./lib/terraform.mjs";
import { render, validateObject, checkPolicies } from "./lib/kubernetes.mjs";
import { checkConfigs } from "./lib/config.mjs";
import { OVERLAYS, QUIVER_BIN, copyDeploy, mutate } from "./lib/paths.mjs";

const some = (problems, re) => assert.ok(problems.some((p) => re.test(p)), `expected a problem matching ${re}, got:\n${problems.join("\n") || "(none)"}`);

function withCopy(fn) {
  const deploy = copyDeploy();
  try {
    return fn(deploy);
  } finally {
    fs.rmSync(path.dirname(deploy), { recursive: true, force: true });
  }
}

async function withCopyAsync(fn) {
  const deploy = copyDeploy();
  try {
    return await fn(deploy);
  } finally {
    fs.rmSync(path.dirname(deploy), { recursive: true, force: true });
  }
}

// ---- Terraform ------------------------------------------------------------------------------------------------

const TF_CASES = [
  ["a .tf file that does not parse", "modules/network/main.tf", 'module "vpc" {', 'module "vpc" {{', /parse error/],
  ["an undeclared variable", "modules/eks/main.tf", "var.kubernetes_version", "var.k8s_version", /var\.k8s_version is not declared/],
  ["an undefined local", "modules/platform/main.tf", "local.manifests_sha", "local.manifest_hash", /local\.manifest_hash is not defined/],
  ["a missing output of a local module", "stacks/cluster/main.tf", "module.network.vpc_id", "module.network.vpc", /module\.network has no output vpc/],
  ["a missing output of a registry module", "modules/eks/outputs.tf", "module.eks.oidc_provider_arn", "module.eks.oidc_arn", /module\.eks has no output oidc_arn/],
  ["an undeclared resource", "modules/backup-bucket/main.tf", "target_key_id = aws_kms_key.backup.key_id", "target_key_id = aws_kms_key.backups.key_id", /resource aws_kms_key\.backups is not declared/],
  ["a v20 input name on the v21 eks module", "modules/eks/main.tf", "kubernetes_version = var.kubernetes_version", "cluster_version = var.kubernetes_version", /has no input cluster_version/],
  ["an unknown node group attribute", "modules/eks/main.tf", 'ami_type       = "AL2023_x86_64_STANDARD"\n      instance_types = var.database_node_group', 'ami_type       = "AL2023_x86_64_STANDARD"\n      node_labels    = {}\n      instance_types = var.database_node_group', /eks_managed_node_groups\.database\.node_labels is not an attribute/],
  ["a registry module pinned to a range", "modules/network/main.tf", 'version = "6.6.0"', 'version = "~> 6.0"', /must be pinned to an exact version/],
  ["an unpinned provider", "modules/platform/versions.tf", 'version = "~> 3.0"', 'version = ">= 3.0"', /provider helm must be pinned/],
  ["a provider used but not required", "modules/network/versions.tf", "aws = {", "awz = {", /provider aws is used but not in required_providers/],
  ["an argument the local module does not take", "stacks/cluster/main.tf", "az_count           = 3", "az_count           = 3\n  zones              = 3", /has no variable zones/],
  ["a required module variable not set", "stacks/platform/main.tf", "  backup_url                    = local.cluster.backup_url\n", "", /required variable backup_url is not set/],
  ["a variable without description", "modules/backup-iam/variables.tf", '  description = "Key prefix the role may list, read and write (nothing else in the bucket)."\n', "", /variable backup_prefix has no description/],
  ["a missing required tag", "stacks/cluster/main.tf", "    Owner       = var.owner\n", "", /lacks the required tag Owner/],
  ["a module call without tags", "stacks/cluster/main.tf", "  vpc_cidr           = var.vpc_cidr\n  az_count           = 3\n  nat_gateway_per_az = var.nat_gateway_per_az\n  tags               = local.tags\n", "  vpc_cidr           = var.vpc_cidr\n  az_count           = 3\n  nat_gateway_per_az = var.nat_gateway_per_az\n", /module\.network must receive tags/],
  ["a backend without locking", "stacks/platform/versions.tf", "use_lockfile = true", "use_lockfile = false", /needs locking/],
  ["an example tfvars with an unknown variable", "stacks/cluster/terraform.tfvars.example", 'owner       = "platform-team@example.com"', 'owner       = "platform-team@example.com"\nowners      = "x"', /owners is not a variable/],
  ["a cluster-stack output the platform stack reads but which does not exist", "stacks/cluster/outputs.tf", 'output "backup_role_arn" {', 'output "backup_role" {', /the cluster stack has no output backup_role_arn/],
  ["an output without description", "modules/backup-iam/outputs.tf", '  description = "Name of the backup role."\n', "", /output role_name has no description/],
];

for (const [what, file, from, to, expected] of TF_CASES) {
  test(`terraform check fails on ${what}`, async () => {
    await withCopyAsync(async (deploy) => {
      mutate(path.join(deploy, "terraform", file), from, to);
      const { problems } = await checkTree(path.join(deploy, "terraform"));
      some(problems, expected);
    });
  });
}

test("terraform check fails on a string variable whose validation is removed", async () => {
  await withCopyAsync(async (deploy) => {
    const file = path.join(deploy, "terraform/modules/network/variables.tf");
    const text = fs.readFileSync(file, "utf8");
    const start = text.indexOf("  validation {", text.indexOf('variable "name"'));
    const end = text.indexOf("  }\n", start) + 4;
    fs.writeFileSync(file, text.slice(0, start) + text.slice(end));
    const { problems } = await checkTree(path.join(deploy, "terraform"));
    some(problems, /variable name \(string\) has no validation/);
  });
});

// ---- Kubernetes -----------------------------------------------------------------------------------------------

const K8S_CASES = [
  ["an overlay that does not render", "single-node", "k8s/overlays/single-node/kustomization.yaml", "  - ../../base", "  - ../../base\n  - missing.yaml", "render", /kubectl kustomize .* failed/],
  ["storage misplaced in a volumeClaimTemplate", "single-node", "k8s/base/statefulset.yaml", "        storageClassName: gp3\n        resources:\n          requests:\n            storage: 100Gi", "        storageClassName: gp3\n        storage: 100Gi\n        resources:\n          requests:\n            storage: 100Gi", "schema", /unknown field \.spec\.volumeClaimTemplates\[0\]\.spec\.storage/],
  ["a misspelt container field", "local", "k8s/base/statefulset.yaml", "          imagePullPolicy: IfNotPresent\n          args:", "          imagePullPolicy: IfNotPresent\n          arg: []\n          args:", "schema", /unknown field .*containers\[0\]\.arg$/],
  ["a wrong type", "qdrant-cluster", "k8s/base/poddisruptionbudget.yaml", "maxUnavailable: 1", "maxUnavailable: [1]", "schema", /PodDisruptionBudget\/quiver: schema/],
  ["an invalid enum value", "single-node", "k8s/base/backup-cronjob.yaml", "restartPolicy: Never", "restartPolicy: Sometimes", "schema", /CronJob\/quiver-backup: schema/],
  ["a latest image tag", "single-node", "k8s/base/backup-cronjob.yaml", "image: quiver:0.1.0", "image: quiver:latest", "policy", /uses the latest tag/],
  ["an untagged image", "qdrant-cluster", "k8s/overlays/qdrant-cluster/statefulset-patch.yaml", "value: qdrant/qdrant:v1.19.0-unprivileged", "value: qdrant/qdrant", "policy", /has no tag/],
  ["a missing readiness probe", "single-node", "k8s/base/statefulset.yaml", "          readinessProbe:\n", "          readinessProbeX:\n", "policy", /needs readinessProbe and livenessProbe/],
  ["a sidecar without startup probe", "local", "k8s/base/restore-drill-cronjob.yaml", "              startupProbe:\n", "              startupProbeX:\n", "policy", /needs a startupProbe/],
  ["missing resources", "local", "k8s/base/restore-template-cronjob.yaml", "              resources:\n                requests:\n                  cpu: 250m\n                  memory: 256Mi\n", "              resources:\n                requests:\n                  cpu: 250m\n", "policy", /needs resources\.requests\.cpu and \.memory/],
  ["a root container", "single-node", "k8s/base/statefulset.yaml", "        runAsUser: 10001", "        runAsUser: 0", "policy", /must run as non-root/],
  ["a writable root filesystem", "single-node", "k8s/base/backup-cronjob.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "policy", /needs readOnlyRootFilesystem: true/],
  ["the wrong storage class", "single-node", "k8s/base/statefulset.yaml", "        storageClassName: gp3", "        storageClassName: gp2", "policy", /storageClassName gp2 is not one of gp3/],
  ["a storage request outside resources.requests", "local", "k8s/overlays/local/kustomization.yaml", "path: /spec/volumeClaimTemplates/0/spec/resources/requests/storage\n        value: 2Gi", "path: /spec/volumeClaimTemplates/0/spec/resources\n        value: {}", "policy", /needs spec\.resources\.requests\.storage/],
  ["a CronJob without concurrencyPolicy", "single-node", "k8s/base/restore-drill-cronjob.yaml", "  concurrencyPolicy: Forbid\n", "", "policy", /quiver-restore-drill: needs concurrencyPolicy/],
  ["a CronJob without deadline", "qdrant-cluster", "k8s/base/backup-cronjob.yaml", "      activeDeadlineSeconds: 10800\n", "", "policy", /needs jobTemplate\.spec\.activeDeadlineSeconds/],
  ["a Service selecting nothing", "single-node", "k8s/base/services.yaml", "  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: quiver", "  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: quiverr", "policy", /Service\/quiver: selects no pods/],
  ["a Secret in Git", "local", "k8s/overlays/local/namespace.yaml", "  name: quiver\n", "  name: quiver\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: quiver-api-key\nstringData:\n  api-key: oops\n", "policy", /Secrets must not come from Git/],
  ["no zone spread on EKS", "single-node", "k8s/base/statefulset.yaml", "topologyKey: topology.kubernetes.io/zone", "topologyKey: kubernetes.io/hostname", "policy", /needs a zone topology spread constraint/],
  ["OrderedReady in the Qdrant cluster", "qdrant-cluster", "k8s/overlays/qdrant-cluster/statefulset-patch.yaml", "  value: Parallel", "  value: OrderedReady", "policy", /podManagementPolicy OrderedReady, expected Parallel/],
];

for (const [what, overlay, file, from, to, stage, expected] of K8S_CASES) {
  test(`kubernetes check fails on ${what}`, () => {
    withCopy((deploy) => {
      mutate(path.join(deploy, file), from, to);
      const { objects, error } = render(path.join(deploy, "k8s/overlays", overlay));
      if (stage === "render") { some([error || ""], expected); return; }
      assert.equal(error, undefined);
      const problems = stage === "schema" ? objects.flatMap(validateObject) : checkPolicies(objects, OVERLAYS[overlay]);
      some(problems, expected);
    });
  });
}

// ---- Config ---------------------------------------------------------------------------------------------------

const CONFIG_CASES = [
  ["an unknown key", "single-node", "k8s/base/config/quiver.yaml", "  max_request_size_mb: 32", "  max_request_size_mbb: 32", /unknown key/],
  ["a bad value", "local", "k8s/base/config/scratch.yaml", "  http_port: 6333", "  http_port: lots", /http_port/],
  ["a bad Qdrant config", "qdrant-cluster", "k8s/overlays/qdrant-cluster/config/qdrant.yaml", "  enable_cors: false", "  enable_cors: maybe", /enable_cors/],
  ["an environment override naming an unknown key", "single-node", "k8s/base/statefulset.yaml", "- name: QUIVER__SERVICE__READ_ONLY_API_KEY", "- name: QUIVER__SERVICE__READONLY_API_KEY", /readonly_api_key/],
];

for (const [what, overlay, file, from, to, expected] of CONFIG_CASES) {
  test(`config check fails on ${what}`, () => {
    withCopy((deploy) => {
      mutate(path.join(deploy, file), from, to);
      const { objects, error } = render(path.join(deploy, "k8s/overlays", overlay));
      assert.equal(error, undefined);
      some(checkConfigs(objects, QUIVER_BIN), expected);
    });
  });
}

test("config check fails when no config ConfigMap is rendered", () => {
  some(checkConfigs([], QUIVER_BIN), /no quiver-config ConfigMap/);
});


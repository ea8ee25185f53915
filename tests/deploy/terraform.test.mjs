// deploy/terraform: every .tf parses; every var./local./module./data./resource reference resolves; module
// calls match the called module's variables (registry modules: verified input lists, exact version pins);
// providers pinned; variables typed, described, validated; outputs described; stacks tag everything with the
// required tags and use an S3 backend with locking; example tfvars match the variables.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { checkTree, terraformDirs } from "./lib/terraform.mjs";
import { TERRAFORM } from "./lib/paths.mjs";

test("deploy/terraform passes every static check", async () => {
  const { problems, modules } = await checkTree(TERRAFORM);
  assert.ok(modules.size >= 7, `expected the 5 modules and 2 stacks, found ${modules.size}`);
  assert.deepEqual(problems, []);
});

test("both stacks and all five modules exist with the standard files", () => {
  const dirs = terraformDirs(TERRAFORM).map((d) => path.relative(TERRAFORM, d));
  for (const d of ["modules/network", "modules/eks", "modules/backup-bucket", "modules/backup-iam", "modules/platform", "stacks/cluster", "stacks/platform"]) {
    assert.ok(dirs.includes(d), `${d} missing`);
    for (const f of ["versions.tf", "variables.tf", "outputs.tf", "main.tf"]) {
      assert.ok(fs.existsSync(path.join(TERRAFORM, d, f)), `${d}/${f} missing`);
    }
  }
  for (const s of ["stacks/cluster", "stacks/platform"]) {
    assert.ok(fs.existsSync(path.join(TERRAFORM, s, "backend.hcl.example")), `${s}/backend.hcl.example missing`);
  }
});

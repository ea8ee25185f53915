// deploy/docker/Dockerfile cannot be built here (no Docker engine); these checks keep it consistent with the
// repository: Debian 12 stages, the shared install script, `make build`, a non-root runtime user, and COPY
// sources that exist.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { REPO } from "./lib/paths.mjs";

export function dockerfileProblems(text, repo) {
  const problems = [];
  const lines = text.split("\n").map((l) => l.trim());
  const args = Object.fromEntries(lines.filter((l) => l.startsWith("ARG ")).map((l) => l.slice(4).split("=")));
  const froms = lines.filter((l) => l.startsWith("FROM ")).map((l) => l.split(/\s+/)[1].replace(/^\$\{(\w+)\}$/, (m, a) => args[a] ?? m));
  if (froms.length < 2) problems.push("needs a multi-stage build (build and runtime stages)");
  for (const f of froms) if (!/^debian:12([.-]|$)/.test(f)) problems.push(`stage image ${f} is not Debian 12`);
  if (!/bash scripts\/install-deps\.sh/.test(text)) problems.push("must install dependencies with scripts/install-deps.sh");
  if (!/make build/.test(text)) problems.push("must build with make build");
  const user = lines.filter((l) => l.startsWith("USER ")).pop();
  if (!user || /^USER\s+(root|0)(:|$)/.test(user)) problems.push("the runtime stage must end with a non-root USER");
  for (const l of lines.filter((x) => x.startsWith("COPY ") && !x.includes("--from="))) {
    const parts = l.split(/\s+/).slice(1, -1);
    for (const src of parts) if (!fs.existsSync(path.join(repo, src))) problems.push(`COPY source ${src} does not exist`);
  }
  return problems;
}

const dockerfile = () => fs.readFileSync(path.join(REPO, "deploy/docker/Dockerfile"), "utf8");

test("the Dockerfile is consistent with the repository", () => {
  assert.deepEqual(dockerfileProblems(dockerfile(), REPO), []);
});

test("the Dockerfile check fails on a root user, a foreign base image, a missing COPY source", () => {
  const text = dockerfile();
  assert.ok(dockerfileProblems(text.replace("USER 10001:10001", "USER root"), REPO).some((p) => /non-root USER/.test(p)));
  assert.ok(dockerfileProblems(text.replace("ARG DEBIAN_SLIM_IMAGE=debian:12-slim", "ARG DEBIAN_SLIM_IMAGE=alpine:3.20"), REPO).some((p) => /not Debian 12/.test(p)));
  assert.ok(dockerfileProblems(text.replace("COPY scripts/ scripts/", "COPY scriptz/ scripts/"), REPO).some((p) => /scriptz/.test(p)));
  assert.ok(dockerfileProblems(text.replace("bash scripts/install-deps.sh", "apt-get install -y build-essential"), REPO).some((p) => /install-deps/.test(p)));
});

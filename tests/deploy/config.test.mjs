// The config files shipped in the ConfigMaps of every overlay are accepted by the real binary:
// `quiver serve --config <file> --check-config`, with the pods' QUIVER__/QDRANT__ environment overrides.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { render } from "./lib/kubernetes.mjs";
import { binaryProblems, checkConfigs } from "./lib/config.mjs";
import { K8S, OVERLAYS, QUIVER_BIN } from "./lib/paths.mjs";

test("the quiver binary supports --check-config", () => {
  assert.deepEqual(binaryProblems(QUIVER_BIN), []);
});

for (const overlay of Object.keys(OVERLAYS)) {
  test(`overlay ${overlay}: every config file passes quiver serve --check-config`, () => {
    const { objects, error } = render(path.join(K8S, "overlays", overlay));
    assert.equal(error, undefined);
    assert.deepEqual(checkConfigs(objects, QUIVER_BIN), []);
  });
}

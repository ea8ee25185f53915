"""The Kubernetes CronJobs in deploy/k8s call `quiver backup run`, `quiver restore` and `quiver backup verify`
with fixed arguments: run exactly those (rendered by kustomize, env references substituted) against real
servers, so the manifests and the CLI cannot drift apart."""
import os
import re
import shutil
import subprocess

import pytest
import yaml

from backup_helpers import call, count, load, quiver

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def render(overlay):
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl (with kustomize) is not installed")
    out = subprocess.run(["kubectl", "kustomize", os.path.join(REPO, "deploy", "k8s", "overlays", overlay)],
                         capture_output=True, text=True, check=True).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def args_of(objects, cronjob, container):
    for o in objects:
        if o["kind"] == "CronJob" and o["metadata"]["name"] == cronjob:
            for c in o["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]:
                if c["name"] == container:
                    return c["args"]
    raise AssertionError("no container %s in CronJob %s" % (container, cronjob))


def substitute(args, values, servers):
    out = []
    for a in args:
        a = re.sub(r"\$\((\w+)\)", lambda m: values[m.group(1)], a)
        for pod, url in servers.items():
            a = a.replace(pod, url)
        out.append(a)
    return out


@pytest.mark.parametrize("overlay", ["single-node", "qdrant-cluster", "local"])
def test_cronjob_arguments_work(overlay, make_server, tmp_path):
    objects = render(overlay)
    prod, scratch = make_server(), make_server()
    load(prod.base_url, "docs", 300, dim=8)
    values = {"QUIVER_BACKUP_TARGET": "file://" + str(tmp_path / "store"), "QUIVER_BACKUP_SSE": "aws:kms",
              "QUIVER_API_KEY": "key-the-test-server-does-not-check"}
    servers = {"http://quiver-%d.quiver-headless:6333" % i: prod.base_url for i in range(3)}
    servers["http://127.0.0.1:6333"] = scratch.base_url  # the drill's sidecar scratch server

    backup = substitute(args_of(objects, "quiver-backup", "backup"), values, servers)
    assert backup[:2] == ["backup", "run"]
    quiver(*backup, check=0)

    drill = substitute(args_of(objects, "quiver-restore-drill", "drill"), values, servers)
    assert drill[:2] == ["backup", "verify"]
    quiver(*drill, check=0)
    assert count(scratch.base_url, "docs") == 300

    restore = substitute(args_of(objects, "quiver-restore", "restore"), values, servers)
    assert restore[0] == "restore"
    r = quiver(*restore, check=2)  # the collection exists: refused without --force
    assert "--force" in r.stderr
    call("DELETE", prod.base_url + "/collections/docs")
    quiver(*restore, check=0)
    assert count(prod.base_url, "docs") == 300

# Quiver itself: the namespace, the API-key Secret, and the deploy/k8s overlay applied with kubectl.
# The overlay is applied with `kubectl apply --server-side -k` rather than one Terraform resource per object:
# kubernetes_manifest needs the ServiceMonitor/PrometheusRule CRDs to exist at plan time, which breaks the first
# apply (they arrive with the Helm release in the same run). The cost: objects removed from deploy/k8s are not
# pruned automatically (delete them with kubectl), and the machine running terraform needs bash, the AWS CLI
# and kubectl >= 1.29. With deploy_quiver = false a GitOps tool applies the same kustomization instead.

locals {
  namespace     = "quiver"
  generated_dir = "${path.module}/.generated/${var.cluster_name}"
  kustomization = templatefile("${path.module}/templates/kustomization.yaml.tftpl", {
    cluster_name     = var.cluster_name
    overlay          = var.overlay
    quiver_image     = var.quiver_image
    quiver_image_tag = var.quiver_image_tag
    backup_role_arn  = var.backup_role_arn
    backup_url       = var.backup_url
    region           = var.region
  })
  # Re-apply whenever a manifest under deploy/k8s or deploy/monitoring/k8s changes.
  manifest_dirs = ["${path.module}/../../../k8s", "${path.module}/../../../monitoring/k8s"]
  manifests_sha = sha256(join(",", flatten([
    for dir in local.manifest_dirs : [for f in sort(fileset(dir, "**")) : filesha256("${dir}/${f}")]
  ])))
}

resource "kubernetes_namespace_v1" "quiver" {
  metadata {
    name = local.namespace
    labels = {
      "app.kubernetes.io/part-of" = "quiver"
    }
  }
}

resource "random_password" "api_key" {
  count   = var.create_api_key_secret ? 1 : 0
  length  = 48
  special = false
}

resource "random_password" "read_only_api_key" {
  count   = var.create_api_key_secret ? 1 : 0
  length  = 48
  special = false
}

resource "kubernetes_secret_v1" "api_key" {
  count = var.create_api_key_secret ? 1 : 0

  metadata {
    name      = "quiver-api-key"
    namespace = kubernetes_namespace_v1.quiver.metadata[0].name
  }

  data = {
    "api-key"           = random_password.api_key[0].result
    "read-only-api-key" = random_password.read_only_api_key[0].result
  }
}

resource "local_file" "kustomization" {
  count = var.deploy_quiver ? 1 : 0

  filename        = "${local.generated_dir}/kustomization.yaml"
  content         = local.kustomization
  file_permission = "0644"
}

resource "terraform_data" "quiver" {
  count = var.deploy_quiver ? 1 : 0

  triggers_replace = {
    kustomization = sha256(local.kustomization)
    manifests     = local.manifests_sha
  }

  provisioner "local-exec" {
    interpreter = ["/bin/bash", "-c"]
    environment = {
      AWS_REGION    = var.region
      CLUSTER_NAME  = var.cluster_name
      NAMESPACE     = local.namespace
      KUSTOMIZE_DIR = abspath(local.generated_dir)
    }
    command = <<-EOT
      set -euo pipefail
      tmp="$(mktemp -d)"
      trap 'rm -rf "$tmp"' EXIT
      export KUBECONFIG="$tmp/config"
      aws eks update-kubeconfig --region "$AWS_REGION" --name "$CLUSTER_NAME" >/dev/null
      if ! kubectl -n "$NAMESPACE" get secret quiver-api-key >/dev/null 2>&1; then
        echo "Secret $NAMESPACE/quiver-api-key is missing: create it (or set create_api_key_secret = true)." >&2
        exit 1
      fi
      kubectl apply --server-side --field-manager=terraform-platform -k "$KUSTOMIZE_DIR"
      kubectl -n "$NAMESPACE" rollout status statefulset/quiver --timeout=20m
    EOT
  }

  depends_on = [
    helm_release.kube_prometheus_stack,
    kubernetes_storage_class_v1.database,
    kubernetes_secret_v1.api_key,
    local_file.kustomization,
  ]
}

output "namespace" {
  description = "Namespace of the Quiver objects."
  value       = kubernetes_namespace_v1.quiver.metadata[0].name
}

output "database_storage_class" {
  description = "StorageClass of the database volumes (gp3, Retain)."
  value       = kubernetes_storage_class_v1.database.metadata[0].name
}

output "monitoring_namespace" {
  description = "Namespace of kube-prometheus-stack (Prometheus, Alertmanager, Grafana)."
  value       = helm_release.kube_prometheus_stack.namespace
}

output "kustomization_dir" {
  description = "Directory of the generated kustomization applied to the cluster (null when deploy_quiver is false)."
  value       = var.deploy_quiver ? abspath(local.generated_dir) : null
}

output "kustomization" {
  description = "The generated kustomization.yaml (for a GitOps repository when deploy_quiver is false)."
  value       = local.kustomization
}

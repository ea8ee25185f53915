output "namespace" {
  description = "Namespace of Quiver."
  value       = module.platform.namespace
}

output "monitoring_namespace" {
  description = "Namespace of Prometheus, Alertmanager and Grafana."
  value       = module.platform.monitoring_namespace
}

output "database_storage_class" {
  description = "StorageClass of the database volumes."
  value       = module.platform.database_storage_class
}

output "kustomization" {
  description = "The generated kustomization (copy it to a GitOps repository when deploy_quiver is false)."
  value       = module.platform.kustomization
}

output "grafana_command" {
  description = "Port-forward to Grafana (admin password: kubectl -n monitoring get secret kube-prometheus-stack-grafana -o jsonpath='{.data.admin-password}' | base64 -d)."
  value       = "kubectl -n ${module.platform.monitoring_namespace} port-forward svc/kube-prometheus-stack-grafana 3000:80"
}

# kube-prometheus-stack: Prometheus Operator, Prometheus, Alertmanager, Grafana, kube-state-metrics and
# node-exporter in namespace `monitoring`. By default the chart only selects ServiceMonitors and PrometheusRules
# labelled `release: <release name>` in its own namespace (`*SelectorNilUsesHelmValues: true`), and silently
# ignores the rest. We select every ServiceMonitor, PodMonitor and PrometheusRule in every namespace instead, so
# Quiver's objects in namespace `quiver` (deploy/monitoring/k8s) are picked up whatever their labels.

resource "helm_release" "kube_prometheus_stack" {
  name             = "kube-prometheus-stack"
  repository       = "https://prometheus-community.github.io/helm-charts"
  chart            = "kube-prometheus-stack"
  version          = var.kube_prometheus_stack_version
  namespace        = "monitoring"
  create_namespace = true

  # The CRDs and the operator must be up before the Quiver overlay applies its ServiceMonitor and PrometheusRule.
  wait    = true
  timeout = 900

  values = [yamlencode({
    prometheus = {
      prometheusSpec = {
        serviceMonitorSelectorNilUsesHelmValues = false
        podMonitorSelectorNilUsesHelmValues     = false
        ruleSelectorNilUsesHelmValues           = false
        probeSelectorNilUsesHelmValues          = false
        serviceMonitorSelector                  = {}
        serviceMonitorNamespaceSelector         = {}
        podMonitorSelector                      = {}
        podMonitorNamespaceSelector             = {}
        ruleSelector                            = {}
        ruleNamespaceSelector                   = {}
        retention                               = var.prometheus.retention
        resources = {
          requests = { cpu = "500m", memory = "2Gi" }
          limits   = { memory = "4Gi" }
        }
        storageSpec = {
          volumeClaimTemplate = {
            spec = {
              storageClassName = kubernetes_storage_class_v1.general.metadata[0].name
              accessModes      = ["ReadWriteOnce"]
              resources        = { requests = { storage = var.prometheus.storage_size } }
            }
          }
        }
      }
    }
    alertmanager = {
      alertmanagerSpec = {
        storage = {
          volumeClaimTemplate = {
            spec = {
              storageClassName = kubernetes_storage_class_v1.general.metadata[0].name
              accessModes      = ["ReadWriteOnce"]
              resources        = { requests = { storage = "5Gi" } }
            }
          }
        }
      }
    }
    grafana = {
      # Dashboards come from ConfigMaps labelled grafana_dashboard: "1" in any namespace (deploy/monitoring).
      sidecar = {
        dashboards = {
          enabled         = true
          label           = "grafana_dashboard"
          labelValue      = "1"
          searchNamespace = "ALL"
        }
      }
    }
  })]
}

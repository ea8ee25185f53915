# The Kubernetes and Helm providers are configured from the cluster stack's outputs, which is why the cluster is
# a separate stack: a provider cannot be configured from resources created in the same apply.
# Authentication is a short-lived token from `aws eks get-token` (AWS CLI v2 on the machine running terraform);
# no AWS provider is needed here: the state is read by the S3 backend of terraform_remote_state.

provider "kubernetes" {
  host                   = local.cluster.cluster_endpoint
  cluster_ca_certificate = base64decode(local.cluster.cluster_certificate_authority_data)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", local.cluster.cluster_name, "--region", local.cluster.region]
  }
}

provider "helm" {
  kubernetes = {
    host                   = local.cluster.cluster_endpoint
    cluster_ca_certificate = base64decode(local.cluster.cluster_certificate_authority_data)

    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", local.cluster.cluster_name, "--region", local.cluster.region]
    }
  }
}

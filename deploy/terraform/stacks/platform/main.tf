# Platform stack: what runs inside the cluster. Apply after the cluster stack.

data "terraform_remote_state" "cluster" {
  backend = "s3"
  config = {
    bucket = var.state_bucket
    key    = var.cluster_state_key
    region = var.state_region
  }
}

locals {
  cluster = data.terraform_remote_state.cluster.outputs

  tags = merge(var.extra_tags, {
    Project     = var.project
    Environment = var.environment
    Owner       = var.owner
    ManagedBy   = "terraform"
  })
}

module "platform" {
  source = "../../modules/platform"

  cluster_name                  = local.cluster.cluster_name
  region                        = local.cluster.region
  overlay                       = var.quiver_overlay
  deploy_quiver                 = var.deploy_quiver
  quiver_image                  = var.quiver_image
  quiver_image_tag              = var.quiver_image_tag
  backup_url                    = local.cluster.backup_url
  backup_role_arn               = local.cluster.backup_role_arn
  create_api_key_secret         = var.create_api_key_secret
  ebs_kms_key_arn               = var.ebs_kms_key_arn
  kube_prometheus_stack_version = var.kube_prometheus_stack_version
  prometheus                    = var.prometheus
  tags                          = local.tags
}

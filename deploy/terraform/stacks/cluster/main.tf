# Cluster stack: everything AWS-side. Apply first; the platform stack reads its outputs from this stack's state.

locals {
  name = "${var.project}-${var.environment}"

  # Required on every resource (checked by tests/deploy). Required keys win over extra_tags.
  tags = merge(var.extra_tags, {
    Project     = var.project
    Environment = var.environment
    Owner       = var.owner
    ManagedBy   = "terraform"
  })
}

module "network" {
  source = "../../modules/network"

  name               = local.name
  vpc_cidr           = var.vpc_cidr
  az_count           = 3
  nat_gateway_per_az = var.nat_gateway_per_az
  tags               = local.tags
}

module "eks" {
  source = "../../modules/eks"

  cluster_name                 = local.name
  kubernetes_version           = var.kubernetes_version
  vpc_id                       = module.network.vpc_id
  private_subnet_ids           = module.network.private_subnet_ids
  endpoint_public_access       = length(var.endpoint_public_access_cidrs) > 0
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs
  admin_principal_arns         = var.admin_principal_arns
  system_node_group            = var.system_node_group
  database_node_group          = var.database_node_group
  tags                         = local.tags
}

module "backup_bucket" {
  source = "../../modules/backup-bucket"

  name          = local.name
  backup_prefix = var.backup_prefix
  retention     = var.backup_retention
  force_destroy = var.backup_bucket_force_destroy
  tags          = local.tags
}

module "backup_iam" {
  source = "../../modules/backup-iam"

  name              = "${local.name}-backup"
  oidc_provider_arn = module.eks.oidc_provider_arn
  service_accounts  = var.backup_service_accounts
  bucket_arn        = module.backup_bucket.bucket_arn
  backup_prefix     = module.backup_bucket.backup_prefix
  kms_key_arn       = module.backup_bucket.kms_key_arn
  allow_delete      = var.backup_allow_delete
  tags              = local.tags
}

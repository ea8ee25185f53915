provider "aws" {
  region = var.region

  # Every AWS resource gets the required tags (Project, Environment, Owner, ManagedBy), also those created inside
  # the community modules.
  default_tags {
    tags = local.tags
  }
}

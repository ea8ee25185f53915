variable "region" {
  description = "AWS region for everything in this stack."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "project" {
  description = "Project name: first part of every resource name, and the Project tag."
  type        = string
  default     = "quiver"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.project))
    error_message = "project must be 2-12 lower-case letters and digits, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name (prod, staging, dev...): second part of resource names, and the Environment tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lower-case letters and digits, starting with a letter."
  }
}

variable "owner" {
  description = "Team or person accountable for the resources (Owner tag), e.g. an e-mail address or team name."
  type        = string

  validation {
    condition     = length(trimspace(var.owner)) > 0 && length(var.owner) <= 256
    error_message = "owner must be a non-empty tag value (at most 256 characters)."
  }
}

variable "extra_tags" {
  description = "Additional tags for every resource (cost centre, data classification...). Cannot override the required tags."
  type        = map(string)
  default     = {}
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the new VPC (/16 to /18); must not overlap networks you will peer with."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be an IPv4 CIDR."
  }
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per zone (true, production) or a single shared one (false, about 65 USD a month cheaper per removed gateway)."
  type        = bool
  default     = true
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version (1.29 or newer)."
  type        = string
  default     = "1.33"

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.33."
  }
}

variable "endpoint_public_access_cidrs" {
  description = "CIDRs allowed to reach the Kubernetes API endpoint from the internet (office, VPN or CI egress). Empty: private endpoint only (run kubectl and the platform stack from inside the VPC)."
  type        = list(string)

  validation {
    condition     = alltrue([for c in var.endpoint_public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "endpoint_public_access_cidrs must be CIDRs narrower than 0.0.0.0/0."
  }
}

variable "admin_principal_arns" {
  description = "IAM roles or users given cluster-admin (besides whoever runs terraform apply)."
  type        = list(string)
  default     = []
}

variable "system_node_group" {
  description = "Node group for cluster services and jobs (see modules/eks)."
  type = object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size_gib  = number
  })
  default = {
    instance_types = ["m6i.large"]
    min_size       = 2
    max_size       = 4
    desired_size   = 2
    disk_size_gib  = 100
  }

  validation {
    condition     = length(var.system_node_group.instance_types) > 0
    error_message = "system_node_group.instance_types must name at least one instance type."
  }
}

variable "database_node_group" {
  description = "Dedicated, tainted node group for the database pods (see modules/eks). One node per zone by default, so the qdrant-cluster overlay fits and a single-node pod always has a node in its volume's zone."
  type = object({
    instance_types = list(string)
    capacity_type  = string
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size_gib  = number
  })
  default = {
    instance_types = ["r6i.xlarge"]
    capacity_type  = "ON_DEMAND"
    min_size       = 1
    max_size       = 6
    desired_size   = 3
    disk_size_gib  = 50
  }

  validation {
    condition     = length(var.database_node_group.instance_types) > 0
    error_message = "database_node_group.instance_types must name at least one instance type."
  }
}

variable "backup_prefix" {
  description = "Key prefix for backups in the bucket."
  type        = string
  default     = "quiver"

  validation {
    condition     = length(var.backup_prefix) > 0 && !startswith(var.backup_prefix, "/") && !endswith(var.backup_prefix, "/")
    error_message = "backup_prefix must be non-empty, without leading or trailing slashes."
  }
}

variable "backup_retention" {
  description = "Backup bucket lifecycle (see modules/backup-bucket): days to abort stale multipart uploads, move to STANDARD_IA, expire; noncurrent versions kept."
  type = object({
    abort_incomplete_multipart_days = number
    transition_to_ia_days           = number
    expiration_days                 = number
    noncurrent_expiration_days      = number
    noncurrent_versions_to_keep     = number
  })
  default = {
    abort_incomplete_multipart_days = 2
    transition_to_ia_days           = 30
    expiration_days                 = 90
    noncurrent_expiration_days      = 30
    noncurrent_versions_to_keep     = 3
  }

  validation {
    condition     = var.backup_retention.expiration_days >= 7
    error_message = "Keep backups for at least 7 days."
  }
}

variable "backup_service_accounts" {
  description = "Service accounts (namespace:name) that may assume the backup role. Add e.g. quiver-cluster:quiver-backup when running a second deployment side by side (docs/operations/deploy-aws.md, scaling out)."
  type        = list(string)
  default     = ["quiver:quiver-backup"]

  validation {
    condition     = length(var.backup_service_accounts) > 0 && alltrue([for sa in var.backup_service_accounts : can(regex("^[a-z0-9-]+:[a-z0-9-]+$", sa))])
    error_message = "backup_service_accounts must be a non-empty list of namespace:name."
  }
}

variable "backup_allow_delete" {
  description = "Let the backup role delete objects under the prefix (needed only for `quiver backup run --keep-*` retention)."
  type        = bool
  default     = false
}

variable "backup_bucket_force_destroy" {
  description = "Allow terraform destroy to delete the backup bucket with its backups (throw-away environments only)."
  type        = bool
  default     = false
}

variable "cluster_name" {
  description = "Name of the EKS cluster; also the prefix of its IAM roles (IAM name prefixes are limited, hence the length limit)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}$", var.cluster_name))
    error_message = "cluster_name must be 2-24 characters: lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and node groups (EKS upgrades one minor version at a time)."
  type        = string
  default     = "1.33"

  validation {
    condition     = can(regex("^1\\.(2[9]|3[0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be 1.29 or newer (native sidecars are used by the restore drill), as \"1.NN\"."
  }
}

variable "vpc_id" {
  description = "ID of the VPC (network module output)."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets, one per availability zone, for nodes and control-plane ENIs."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "private_subnet_ids needs at least two subnet IDs (subnet-...) in different zones."
  }
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API endpoint on the internet (restricted to endpoint_public_access_cidrs). Without it, kubectl and the platform stack must run inside the VPC (VPN, bastion or CI runner)."
  type        = bool
  default     = true
}

variable "endpoint_public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint (your office or VPN egress). Required when endpoint_public_access is true."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.endpoint_public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "endpoint_public_access_cidrs must be CIDRs such as 203.0.113.0/24."
  }

  validation {
    condition     = !var.endpoint_public_access || length(var.endpoint_public_access_cidrs) > 0
    error_message = "With endpoint_public_access = true, list the CIDRs allowed to reach the API (never an open 0.0.0.0/0 by default)."
  }
}

variable "admin_principal_arns" {
  description = "IAM roles or users (ARNs) granted cluster-admin through EKS access entries, besides the identity that runs terraform apply."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", a))])
    error_message = "admin_principal_arns must be IAM role or user ARNs."
  }
}

variable "system_node_group" {
  description = "Untainted nodes for cluster services (CoreDNS, EBS CSI controller, Prometheus, Grafana, backup jobs)."
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
    condition     = var.system_node_group.min_size >= 1 && var.system_node_group.min_size <= var.system_node_group.desired_size && var.system_node_group.desired_size <= var.system_node_group.max_size
    error_message = "system_node_group needs 1 <= min_size <= desired_size <= max_size."
  }
}

variable "database_node_group" {
  description = "Dedicated nodes for the database pods: labelled and tainted quiver.io/pool=database. desired_size is only used at creation (EKS ignores later changes); spread over the zones by the node group."
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
    condition     = contains(["ON_DEMAND", "SPOT"], var.database_node_group.capacity_type)
    error_message = "database_node_group.capacity_type must be ON_DEMAND or SPOT (SPOT is not advised for a database)."
  }

  validation {
    condition     = var.database_node_group.min_size >= 1 && var.database_node_group.min_size <= var.database_node_group.desired_size && var.database_node_group.desired_size <= var.database_node_group.max_size
    error_message = "database_node_group needs 1 <= min_size <= desired_size <= max_size."
  }
}

variable "tags" {
  description = "Tags applied to every resource of the module."
  type        = map(string)
  default     = {}
}

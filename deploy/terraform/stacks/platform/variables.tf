variable "state_bucket" {
  description = "S3 bucket holding the cluster stack's state (the bucket in its backend.hcl)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be an S3 bucket name."
  }
}

variable "cluster_state_key" {
  description = "Key of the cluster stack's state in state_bucket (the key in its backend.hcl)."
  type        = string

  validation {
    condition     = endswith(var.cluster_state_key, ".tfstate")
    error_message = "cluster_state_key must be the key of a .tfstate object."
  }
}

variable "state_region" {
  description = "Region of state_bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.state_region))
    error_message = "state_region must be an AWS region name such as eu-west-1."
  }
}

variable "project" {
  description = "Project tag (same as the cluster stack)."
  type        = string
  default     = "quiver"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.project))
    error_message = "project must be 2-12 lower-case letters and digits."
  }
}

variable "environment" {
  description = "Environment tag (same as the cluster stack)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lower-case letters and digits."
  }
}

variable "owner" {
  description = "Owner tag (same as the cluster stack)."
  type        = string

  validation {
    condition     = length(trimspace(var.owner)) > 0 && length(var.owner) <= 256
    error_message = "owner must be a non-empty tag value."
  }
}

variable "extra_tags" {
  description = "Additional tags (same as the cluster stack); also put on the database EBS volumes."
  type        = map(string)
  default     = {}
}

variable "quiver_overlay" {
  description = "deploy/k8s overlay to run: single-node (Quiver) or qdrant-cluster (3-node Qdrant)."
  type        = string
  default     = "single-node"

  validation {
    condition     = contains(["single-node", "qdrant-cluster"], var.quiver_overlay)
    error_message = "quiver_overlay must be single-node or qdrant-cluster."
  }
}

variable "deploy_quiver" {
  description = "Apply the overlay from Terraform (false when Argo CD or Flux applies deploy/k8s)."
  type        = bool
  default     = true
}

variable "quiver_image" {
  description = "Repository of the Quiver image (no tag), e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/quiver."
  type        = string

  validation {
    condition     = length(var.quiver_image) > 0 && !endswith(var.quiver_image, ":latest")
    error_message = "quiver_image must be a repository without tag."
  }
}

variable "quiver_image_tag" {
  description = "Quiver image tag (a release version)."
  type        = string
  default     = "0.1.0"

  validation {
    condition     = var.quiver_image_tag != "latest" && length(var.quiver_image_tag) > 0
    error_message = "quiver_image_tag must be a release tag, not latest."
  }
}

variable "create_api_key_secret" {
  description = "Create the quiver-api-key Secret with random keys (kept in the encrypted state). False: bring your own Secret before apply."
  type        = bool
  default     = true
}

variable "ebs_kms_key_arn" {
  description = "Customer-managed KMS key for database volumes (null: the account's aws/ebs key)."
  type        = string
  default     = null

  validation {
    condition     = var.ebs_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.ebs_kms_key_arn))
    error_message = "ebs_kms_key_arn must be a KMS key ARN or null."
  }
}

variable "kube_prometheus_stack_version" {
  description = "Pinned kube-prometheus-stack chart version."
  type        = string
  default     = "79.7.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.kube_prometheus_stack_version))
    error_message = "kube_prometheus_stack_version must be an exact version."
  }
}

variable "prometheus" {
  description = "Prometheus retention and volume size."
  type = object({
    retention    = string
    storage_size = string
  })
  default = {
    retention    = "15d"
    storage_size = "50Gi"
  }

  validation {
    condition     = length(var.prometheus.retention) > 0 && length(var.prometheus.storage_size) > 0
    error_message = "prometheus.retention and prometheus.storage_size must be set."
  }
}

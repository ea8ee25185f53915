variable "cluster_name" {
  description = "Name of the EKS cluster (cluster stack output)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}$", var.cluster_name))
    error_message = "cluster_name must be the EKS cluster name (2-24 lower-case letters, digits, dashes)."
  }
}

variable "region" {
  description = "AWS region of the cluster and the backup bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "overlay" {
  description = "Which deploy/k8s overlay to run: single-node (Quiver) or qdrant-cluster (3-node Qdrant)."
  type        = string
  default     = "single-node"

  validation {
    condition     = contains(["single-node", "qdrant-cluster"], var.overlay)
    error_message = "overlay must be single-node or qdrant-cluster (local is for kind/minikube)."
  }
}

variable "deploy_quiver" {
  description = "Apply the deploy/k8s overlay with kubectl from Terraform. Turn off when a GitOps tool (Argo CD, Flux) applies deploy/k8s instead."
  type        = bool
  default     = true
}

variable "quiver_image" {
  description = "Repository of the Quiver image built from deploy/docker/Dockerfile, without tag (e.g. an ECR repository URL)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+$", var.quiver_image)) && !can(regex(":[^/]*$", var.quiver_image))
    error_message = "quiver_image must be a repository such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/quiver, without a tag."
  }
}

variable "quiver_image_tag" {
  description = "Tag of the Quiver image (a release version, never latest)."
  type        = string
  default     = "0.1.0"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.quiver_image_tag)) && var.quiver_image_tag != "latest"
    error_message = "quiver_image_tag must be a valid, immutable tag (not latest)."
  }
}

variable "backup_url" {
  description = "s3://BUCKET/PREFIX the backup jobs write to (cluster stack output backup_url)."
  type        = string

  validation {
    condition     = can(regex("^s3://[a-z0-9.-]+/[^/].*[^/]$", var.backup_url))
    error_message = "backup_url must look like s3://bucket/prefix."
  }
}

variable "backup_role_arn" {
  description = "IAM role of the backup service account (cluster stack output backup_role_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.backup_role_arn))
    error_message = "backup_role_arn must be an IAM role ARN."
  }
}

variable "create_api_key_secret" {
  description = "Create the Secret quiver-api-key (random API keys, kept only in the encrypted Terraform state). Set false when the Secret comes from elsewhere (External Secrets, Vault); it must then exist before apply."
  type        = bool
  default     = true
}

variable "ebs_kms_key_arn" {
  description = "Customer-managed KMS key for the database volumes; null uses the account's default aws/ebs key. The EBS CSI role must be allowed to use it."
  type        = string
  default     = null

  validation {
    condition     = var.ebs_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.ebs_kms_key_arn))
    error_message = "ebs_kms_key_arn must be a KMS key ARN or null."
  }
}

variable "kube_prometheus_stack_version" {
  description = "Version of the prometheus-community/kube-prometheus-stack Helm chart (pinned; upgrade deliberately, reading the chart's UPGRADE notes)."
  type        = string
  default     = "79.7.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.kube_prometheus_stack_version))
    error_message = "kube_prometheus_stack_version must be an exact chart version such as 79.7.1."
  }
}

variable "prometheus" {
  description = "Prometheus retention and volume size (on the gp3-delete StorageClass)."
  type = object({
    retention    = string
    storage_size = string
  })
  default = {
    retention    = "15d"
    storage_size = "50Gi"
  }

  validation {
    condition     = can(regex("^[0-9]+(h|d|w|y)$", var.prometheus.retention)) && can(regex("^[0-9]+(Gi|Ti)$", var.prometheus.storage_size))
    error_message = "prometheus.retention must look like 15d and prometheus.storage_size like 50Gi."
  }
}

variable "tags" {
  description = "Tags put on the EBS volumes the CSI driver creates (Terraform's default_tags do not reach them)."
  type        = map(string)
  default     = {}
}

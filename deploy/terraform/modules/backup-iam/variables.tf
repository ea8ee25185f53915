variable "name" {
  description = "Name prefix of the IAM role."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9+=,.@_-]{1,36}$", var.name))
    error_message = "name must be 2-37 IAM-name characters (IAM role name prefixes are limited to 38 characters)."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (eks module output)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be an IAM OIDC provider ARN."
  }
}

variable "service_accounts" {
  description = "Kubernetes service accounts (namespace:name) allowed to assume the role. deploy/k8s runs backup, restore and drill jobs as quiver:quiver-backup."
  type        = list(string)
  default     = ["quiver:quiver-backup"]

  validation {
    condition     = length(var.service_accounts) > 0 && alltrue([for sa in var.service_accounts : can(regex("^[a-z0-9-]+:[a-z0-9-]+$", sa))])
    error_message = "service_accounts must be a non-empty list of namespace:name."
  }
}

variable "bucket_arn" {
  description = "ARN of the backup bucket."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", var.bucket_arn))
    error_message = "bucket_arn must be an S3 bucket ARN."
  }
}

variable "backup_prefix" {
  description = "Key prefix the role may list, read and write (nothing else in the bucket)."
  type        = string

  validation {
    condition     = length(var.backup_prefix) > 0 && !startswith(var.backup_prefix, "/") && !endswith(var.backup_prefix, "/")
    error_message = "backup_prefix must be non-empty, without leading or trailing slashes."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting the bucket."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "allow_delete" {
  description = "Also allow s3:DeleteObject under the prefix, for `quiver backup run --keep-last/--max-age` retention. Off by default: retention is the bucket's lifecycle rules, and a pod that cannot delete cannot destroy backups."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags applied to every resource of the module."
  type        = map(string)
  default     = {}
}

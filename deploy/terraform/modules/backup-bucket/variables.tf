variable "name" {
  description = "Prefix of the bucket name (a random suffix is added) and of the KMS key alias."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}$", var.name))
    error_message = "name must be 2-29 characters: lower-case letters, digits and dashes (S3 bucket prefixes are limited to 37 characters)."
  }
}

variable "backup_prefix" {
  description = "Key prefix (without slashes at either end) under which backups are written; the lifecycle rules and the backup IAM role are scoped to it."
  type        = string
  default     = "quiver"

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9._-]*(/[a-zA-Z0-9._-]+)*$", var.backup_prefix))
    error_message = "backup_prefix must be a relative key prefix such as quiver or prod/quiver, without leading or trailing slashes."
  }
}

variable "retention" {
  description = "Retention of backups: abort incomplete multipart uploads, move to STANDARD_IA, expire; and how long overwritten or deleted (noncurrent) versions are kept, which is the window for undoing a bad deletion."
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
    condition     = var.retention.transition_to_ia_days >= 30
    error_message = "S3 only transitions objects to STANDARD_IA after at least 30 days."
  }

  validation {
    condition     = var.retention.expiration_days > var.retention.transition_to_ia_days
    error_message = "expiration_days must be later than transition_to_ia_days."
  }

  validation {
    condition     = var.retention.abort_incomplete_multipart_days >= 1 && var.retention.noncurrent_expiration_days >= 1 && var.retention.noncurrent_versions_to_keep >= 1 && var.retention.noncurrent_versions_to_keep <= 100
    error_message = "abort_incomplete_multipart_days and noncurrent_expiration_days must be at least 1; noncurrent_versions_to_keep between 1 and 100."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a bucket that still holds backups. Keep false outside throw-away environments."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags applied to every resource of the module."
  type        = map(string)
  default     = {}
}

# IAM role for the backup service account (IRSA): `quiver backup` / `quiver restore` / the restore drill read the
# projected web identity token and call STS AssumeRoleWithWebIdentity (issue 5). IRSA rather than EKS Pod Identity
# because that is the credential chain the Quiver CLI implements (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE).
# Least privilege: list, read and write (multipart included) only under the backup prefix, use only the bucket's
# KMS key, and no delete unless allow_delete.

locals {
  object_actions = concat(
    ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
    var.allow_delete ? ["s3:DeleteObject"] : [],
  )
}

module "role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"
  version = "6.5.0"

  name        = var.name
  description = "Quiver backup, restore and restore-drill jobs (${join(", ", var.service_accounts)})"

  oidc_providers = {
    main = {
      provider_arn               = var.oidc_provider_arn
      namespace_service_accounts = var.service_accounts
    }
  }

  create_inline_policy = true
  inline_policy_permissions = {
    ListBackupPrefix = {
      actions   = ["s3:ListBucket"]
      resources = [var.bucket_arn]
      condition = [{
        test     = "StringLike"
        variable = "s3:prefix"
        values   = [var.backup_prefix, "${var.backup_prefix}/*"]
      }]
    }
    BucketMetadata = {
      actions   = ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
      resources = [var.bucket_arn]
    }
    BackupObjects = {
      actions   = local.object_actions
      resources = ["${var.bucket_arn}/${var.backup_prefix}/*"]
    }
    BackupKey = {
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [var.kms_key_arn]
    }
  }

  tags = var.tags
}

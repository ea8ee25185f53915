# The backup bucket: versioned, SSE-KMS with a dedicated customer-managed key (rotated yearly), public access
# blocked, objects owned by the bucket owner, TLS 1.2+ only, and lifecycle rules that are the backup retention
# (the backup role cannot delete: see ../backup-iam).

resource "aws_kms_key" "backup" {
  description             = "Encrypts ${var.name} database backups in S3"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = var.tags
}

resource "aws_kms_alias" "backup" {
  name          = "alias/${var.name}-backups"
  target_key_id = aws_kms_key.backup.key_id
}

resource "aws_s3_bucket" "backup" {
  bucket_prefix = "${var.name}-backups-"
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_ownership_controls" "backup" {
  bucket = aws_s3_bucket.backup.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "backup" {
  bucket = aws_s3_bucket.backup.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "backup" {
  bucket = aws_s3_bucket.backup.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "backup" {
  bucket = aws_s3_bucket.backup.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.backup.arn
    }
    # One KMS data key per bucket instead of per object: far fewer KMS calls for multipart uploads.
    bucket_key_enabled = true
  }
}

data "aws_iam_policy_document" "tls_only" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.backup.arn, "${aws_s3_bucket.backup.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "DenyOutdatedTLS"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.backup.arn, "${aws_s3_bucket.backup.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

resource "aws_s3_bucket_policy" "backup" {
  bucket = aws_s3_bucket.backup.id
  policy = data.aws_iam_policy_document.tls_only.json

  # S3 rejects bucket policies while the public access block is being created.
  depends_on = [aws_s3_bucket_public_access_block.backup]
}

resource "aws_s3_bucket_lifecycle_configuration" "backup" {
  bucket = aws_s3_bucket.backup.id

  rule {
    id     = "backups"
    status = "Enabled"

    filter {
      prefix = "${var.backup_prefix}/"
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.retention.abort_incomplete_multipart_days
    }

    transition {
      days          = var.retention.transition_to_ia_days
      storage_class = "STANDARD_IA"
    }

    expiration {
      days = var.retention.expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days           = var.retention.noncurrent_expiration_days
      newer_noncurrent_versions = var.retention.noncurrent_versions_to_keep
    }
  }

  # Lifecycle rules on a versioned bucket must be created after versioning is enabled.
  depends_on = [aws_s3_bucket_versioning.backup]
}

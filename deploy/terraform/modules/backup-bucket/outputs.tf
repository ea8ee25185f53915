output "bucket_name" {
  description = "Name of the backup bucket."
  value       = aws_s3_bucket.backup.id
}

output "bucket_arn" {
  description = "ARN of the backup bucket."
  value       = aws_s3_bucket.backup.arn
}

output "backup_prefix" {
  description = "Key prefix the backups are written under."
  value       = var.backup_prefix
}

output "backup_url" {
  description = "Target for `quiver backup run --to` and `quiver restore --from`."
  value       = "s3://${aws_s3_bucket.backup.id}/${var.backup_prefix}"
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the backups."
  value       = aws_kms_key.backup.arn
}

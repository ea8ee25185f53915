output "region" {
  description = "AWS region of the stack."
  value       = var.region
}

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA certificate of the Kubernetes API."
  value       = module.eks.cluster_certificate_authority_data
}

output "kubeconfig_command" {
  description = "Command that adds the cluster to your kubeconfig."
  value       = "aws eks update-kubeconfig --region ${var.region} --name ${module.eks.cluster_name}"
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "nat_public_ips" {
  description = "Egress IPs of the cluster."
  value       = module.network.nat_public_ips
}

output "backup_bucket_name" {
  description = "Name of the backup bucket."
  value       = module.backup_bucket.bucket_name
}

output "backup_url" {
  description = "s3://BUCKET/PREFIX for quiver backup/restore."
  value       = module.backup_bucket.backup_url
}

output "backup_kms_key_arn" {
  description = "KMS key encrypting the backups."
  value       = module.backup_bucket.kms_key_arn
}

output "backup_role_arn" {
  description = "IAM role for the quiver:quiver-backup service account."
  value       = module.backup_iam.role_arn
}

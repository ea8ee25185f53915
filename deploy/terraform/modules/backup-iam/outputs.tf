output "role_arn" {
  description = "ARN of the backup role; annotate the backup service account with it (eks.amazonaws.com/role-arn)."
  value       = module.role.arn
}

output "role_name" {
  description = "Name of the backup role."
  value       = module.role.name
}

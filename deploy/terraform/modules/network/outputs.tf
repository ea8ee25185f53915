output "vpc_id" {
  description = "ID of the VPC."
  value       = module.vpc.vpc_id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (one per zone), for the EKS nodes and control-plane ENIs."
  value       = module.vpc.private_subnets
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (one per zone), for internet-facing load balancers."
  value       = module.vpc.public_subnets
}

output "azs" {
  description = "Availability zones in use."
  value       = local.azs
}

output "nat_public_ips" {
  description = "Public IPs of the NAT gateways (what external services see as the cluster's source address)."
  value       = module.vpc.nat_public_ips
}

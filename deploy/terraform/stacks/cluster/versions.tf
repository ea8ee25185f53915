terraform {
  # 1.10: S3 backend native locking (use_lockfile), cross-variable validation.
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.28"
    }
  }

  # Partial configuration: bucket, key and region come from `terraform init -backend-config=backend.hcl`
  # (see backend.hcl.example). Locking uses an S3 lock object next to the state; no DynamoDB table.
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}

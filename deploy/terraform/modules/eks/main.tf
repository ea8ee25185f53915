# EKS with terraform-aws-modules/eks v21 (input names per its UPGRADE-21.0.md: name, kubernetes_version, addons,
# endpoint_public_access, ...): a system node group, a tainted database node group, the EBS CSI driver add-on
# with its own IAM role (IRSA), and the VPC CNI with network policy enforcement on (for deploy/k8s NetworkPolicies).
# The gp3 StorageClasses are Kubernetes objects and live in the platform module, whose Kubernetes provider can
# only be configured once this cluster exists.

locals {
  root_volume = {
    device_name = "/dev/xvda"
  }
  admin_access_entries = {
    for i, arn in var.admin_principal_arns : "admin-${i}" => {
      principal_arn = arn
      policy_associations = {
        admin = {
          policy_arn   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = { type = "cluster" }
        }
      }
    }
  }
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "21.19.0"

  name               = var.cluster_name
  kubernetes_version = var.kubernetes_version

  vpc_id     = var.vpc_id
  subnet_ids = var.private_subnet_ids

  endpoint_public_access       = var.endpoint_public_access
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs
  endpoint_private_access      = true

  authentication_mode                      = "API"
  enable_cluster_creator_admin_permissions = true
  access_entries                           = local.admin_access_entries

  enabled_log_types = ["api", "audit", "authenticator"]

  # IRSA: the OIDC provider the EBS CSI and backup roles trust.
  enable_irsa = true

  addons = {
    coredns = {}
    eks-pod-identity-agent = {
      before_compute = true
    }
    kube-proxy = {}
    vpc-cni = {
      before_compute = true
      # Enforce Kubernetes NetworkPolicy objects (the database only accepts clients and monitoring).
      configuration_values = jsonencode({ enableNetworkPolicy = "true" })
    }
    # The node DaemonSet tolerates all taints by default (aws-ebs-csi-driver PR #1381), so it also runs on the
    # tainted database nodes where the volumes are attached.
    aws-ebs-csi-driver = {
      service_account_role_arn = module.ebs_csi_irsa.arn
    }
  }

  eks_managed_node_groups = {
    system = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.system_node_group.instance_types
      min_size       = var.system_node_group.min_size
      max_size       = var.system_node_group.max_size
      desired_size   = var.system_node_group.desired_size
      labels = {
        "quiver.io/pool" = "system"
      }
      block_device_mappings = {
        root = merge(local.root_volume, {
          ebs = {
            volume_size           = var.system_node_group.disk_size_gib
            volume_type           = "gp3"
            encrypted             = true
            delete_on_termination = true
          }
        })
      }
    }

    database = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.database_node_group.instance_types
      capacity_type  = var.database_node_group.capacity_type
      min_size       = var.database_node_group.min_size
      max_size       = var.database_node_group.max_size
      desired_size   = var.database_node_group.desired_size
      labels = {
        "quiver.io/pool" = "database"
      }
      taints = {
        database = {
          key    = "quiver.io/pool"
          value  = "database"
          effect = "NO_SCHEDULE"
        }
      }
      # Replace one database node at a time during AMI and version upgrades (the PDB allows one pod down).
      update_config = {
        max_unavailable = 1
      }
      block_device_mappings = {
        root = merge(local.root_volume, {
          ebs = {
            volume_size           = var.database_node_group.disk_size_gib
            volume_type           = "gp3"
            encrypted             = true
            delete_on_termination = true
          }
        })
      }
    }
  }

  tags = var.tags
}

module "ebs_csi_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"
  version = "6.5.0"

  name                  = "${var.cluster_name}-ebs-csi"
  attach_ebs_csi_policy = true

  oidc_providers = {
    main = {
      provider_arn               = module.eks.oidc_provider_arn
      namespace_service_accounts = ["kube-system:ebs-csi-controller-sa"]
    }
  }

  tags = var.tags
}

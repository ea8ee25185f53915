// Inputs and outputs of the registry modules used by deploy/terraform, per exact version, as read from the
// modules' own sources (nothing from memory): terraform-aws-eks docs/UPGRADE-21.0.md (renamed inputs) and the
// v21 `eks_managed_node_groups`/`addons` object types; terraform-aws-vpc variables.tf/outputs.tf;
// terraform-aws-iam modules/iam-role-for-service-accounts/{variables,outputs}.tf (v6). Lists may be partial
// (only what was verified); a module call using anything else fails the check until it is verified and added.
// Bumping a module version means re-reading its variables and adding a new entry here.

const EKS_21_INPUTS = [
  "create", "region", "tags", "prefix_separator",
  "name", "kubernetes_version", "enabled_log_types", "force_update_version", "compute_config", "upgrade_policy",
  "remote_network_config", "zonal_shift_config", "additional_security_group_ids", "control_plane_subnet_ids",
  "subnet_ids", "endpoint_private_access", "endpoint_public_access", "endpoint_public_access_cidrs",
  "ip_family", "service_ipv4_cidr", "service_ipv6_cidr", "encryption_config", "timeouts",
  "authentication_mode", "access_entries", "enable_cluster_creator_admin_permissions",
  "create_kms_key", "kms_key_administrators", "kms_key_users",
  "create_cloudwatch_log_group", "cloudwatch_log_group_retention_in_days",
  "vpc_id", "create_security_group", "security_group_additional_rules", "security_group_tags",
  "create_node_security_group", "node_security_group_additional_rules", "node_security_group_tags",
  "enable_irsa", "openid_connect_audiences", "iam_role_additional_policies",
  "addons", "addons_timeouts", "identity_providers",
  "eks_managed_node_groups", "self_managed_node_groups", "fargate_profiles",
];

const EKS_21_NODE_GROUP = [
  "create", "kubernetes_version", "name", "use_name_prefix", "subnet_ids", "min_size", "max_size", "desired_size",
  "ami_id", "ami_type", "ami_release_version", "use_latest_ami_release_version", "capacity_type", "disk_size",
  "force_update_version", "instance_types", "labels", "node_repair_config", "remote_access", "taints",
  "update_config", "timeouts", "enable_bootstrap_user_data", "pre_bootstrap_user_data", "post_bootstrap_user_data",
  "bootstrap_extra_args", "user_data_template_path", "cloudinit_pre_nodeadm", "cloudinit_post_nodeadm",
  "create_launch_template", "use_custom_launch_template", "launch_template_id", "launch_template_name",
  "launch_template_use_name_prefix", "launch_template_version", "launch_template_default_version",
  "update_launch_template_default_version", "launch_template_description", "launch_template_tags",
  "tag_specifications", "ebs_optimized", "key_name", "disable_api_termination", "kernel_id", "ram_disk_id",
  "block_device_mappings", "capacity_reservation_specification", "cpu_options", "credit_specification",
  "enclave_options", "instance_market_options", "license_specifications", "metadata_options",
  "enable_monitoring", "enable_efa_support", "network_interfaces", "placement", "iam_role_additional_policies",
  "iam_role_name", "create_iam_role", "iam_role_arn", "tags",
];

const EKS_21_ADDON = [
  "name", "before_compute", "most_recent", "addon_version", "configuration_values", "pod_identity_association",
  "preserve", "resolve_conflicts_on_create", "resolve_conflicts_on_update", "service_account_role_arn",
  "timeouts", "tags",
];

const IAM_IRSA_6_INPUTS = [
  "create", "region", "tags", "name", "use_name_prefix", "path", "description", "max_session_duration",
  "permissions_boundary", "trust_condition_test", "oidc_providers", "source_trust_policy_documents",
  "override_trust_policy_documents", "policies", "create_policy", "source_policy_documents",
  "override_policy_documents", "permissions", "policy_name", "policy_path", "policy_description",
  "attach_aws_gateway_controller_policy", "attach_cert_manager_policy", "cert_manager_hosted_zone_arns",
  "attach_cluster_autoscaler_policy", "cluster_autoscaler_cluster_names", "attach_ebs_csi_policy",
  "ebs_csi_kms_cmk_arns", "ebs_csi_restrict_tagging_to_create", "attach_mountpoint_s3_csi_policy",
  "mountpoint_s3_csi_bucket_arns", "mountpoint_s3_csi_kms_arns", "mountpoint_s3_csi_path_arns",
  "attach_efs_csi_policy", "attach_external_dns_policy", "external_dns_hosted_zone_arns",
  "attach_external_secrets_policy", "external_secrets_ssm_parameter_arns", "external_secrets_secrets_manager_arns",
  "external_secrets_kms_key_arns", "external_secrets_secrets_manager_create_permission",
  "attach_fsx_lustre_csi_policy", "fsx_lustre_csi_service_role_arns", "attach_fsx_openzfs_csi_policy",
  "fsx_openzfs_csi_service_role_arns", "attach_load_balancer_controller_policy",
  "attach_load_balancer_controller_targetgroup_binding_only_policy", "load_balancer_controller_targetgroup_arns",
  "attach_load_balancer_controller_aga_policy", "attach_amazon_managed_service_prometheus_policy",
  "amazon_managed_service_prometheus_workspace_arns", "attach_velero_policy", "velero_s3_bucket_arns",
  "attach_vpc_cni_policy", "vpc_cni_enable_cloudwatch_logs", "vpc_cni_enable_ipv4", "vpc_cni_enable_ipv6",
  "attach_node_termination_handler_policy", "node_termination_handler_sqs_queue_arns",
  "attach_cloudwatch_observability_policy", "create_inline_policy", "source_inline_policy_documents",
  "override_inline_policy_documents", "inline_policy_permissions",
];

const VPC_6_INPUTS = [
  "create_vpc", "name", "cidr", "azs", "tags", "vpc_tags", "private_subnets", "public_subnets", "intra_subnets",
  "database_subnets", "enable_nat_gateway", "single_nat_gateway", "one_nat_gateway_per_az", "reuse_nat_ips",
  "external_nat_ip_ids", "enable_dns_hostnames", "enable_dns_support", "map_public_ip_on_launch",
  "public_subnet_tags", "private_subnet_tags", "intra_subnet_tags", "enable_flow_log",
  "create_flow_log_cloudwatch_log_group", "create_flow_log_cloudwatch_iam_role", "flow_log_max_aggregation_interval",
  "manage_default_network_acl", "manage_default_route_table", "manage_default_security_group",
];

export const REGISTRY_MODULES = {
  "terraform-aws-modules/eks/aws@21.19.0": {
    inputs: EKS_21_INPUTS,
    nested: { eks_managed_node_groups: EKS_21_NODE_GROUP, addons: EKS_21_ADDON },
    outputs: [
      "cluster_name", "cluster_endpoint", "cluster_certificate_authority_data", "cluster_arn", "cluster_version",
      "cluster_oidc_issuer_url", "oidc_provider", "oidc_provider_arn", "cluster_security_group_id",
      "node_security_group_id", "cluster_primary_security_group_id", "eks_managed_node_groups",
    ],
  },
  "terraform-aws-modules/vpc/aws@6.6.0": {
    inputs: VPC_6_INPUTS,
    outputs: [
      "vpc_id", "vpc_arn", "vpc_cidr_block", "private_subnets", "public_subnets", "intra_subnets",
      "private_route_table_ids", "public_route_table_ids", "nat_public_ips", "natgw_ids", "igw_id", "azs",
    ],
  },
  "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts@6.5.0": {
    inputs: IAM_IRSA_6_INPUTS,
    outputs: ["arn", "name", "path", "unique_id", "iam_policy_arn", "iam_policy"],
  },
};

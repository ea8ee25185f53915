# StorageClasses on the EBS CSI driver (installed as an EKS add-on by the eks module). Both are gp3, encrypted,
# expandable (grow a PVC by editing its request) and WaitForFirstConsumer (EBS volumes are zonal: the volume is
# created in the zone the scheduler picked for the pod, never the other way round).

locals {
  # EBS CSI `tagSpecification_N` parameters: the volumes carry the same tags as everything Terraform creates.
  volume_tags = { for i, k in sort(keys(var.tags)) : "tagSpecification_${i + 1}" => "${k}=${var.tags[k]}" }
  gp3_parameters = merge(
    {
      type      = "gp3"
      fsType    = "ext4"
      encrypted = "true"
    },
    var.ebs_kms_key_arn == null ? {} : { kmsKeyId = var.ebs_kms_key_arn },
    local.volume_tags,
  )
}

# The database class (deploy/k8s volumeClaimTemplates use `gp3`): Retain, so deleting a PVC, the StatefulSet or
# the namespace never deletes the data; the volume is released and can be re-bound or snapshotted by hand.
resource "kubernetes_storage_class_v1" "database" {
  metadata {
    name = "gp3"
  }

  storage_provisioner    = "ebs.csi.aws.com"
  reclaim_policy         = "Retain"
  volume_binding_mode    = "WaitForFirstConsumer"
  allow_volume_expansion = true
  parameters             = local.gp3_parameters
}

# The default class for everything else (Prometheus, Alertmanager): Delete, so tearing the platform down leaves
# no orphaned volumes. EKS clusters created on Kubernetes 1.30 or later have no default class of their own.
resource "kubernetes_storage_class_v1" "general" {
  metadata {
    name = "gp3-delete"
    annotations = {
      "storageclass.kubernetes.io/is-default-class" = "true"
    }
  }

  storage_provisioner    = "ebs.csi.aws.com"
  reclaim_policy         = "Delete"
  volume_binding_mode    = "WaitForFirstConsumer"
  allow_volume_expansion = true
  parameters             = local.gp3_parameters
}

# A small module with the policy plumbing of cloudposse/s3-bucket (written for these tests):
# one-instance splats joined, documents aggregated from a splat, overrides from the caller.
locals {
  enabled     = var.enabled
  partition   = join("", data.aws_partition.current[*].partition)
  bucket_name = var.bucket_name != null && var.bucket_name != "" ? var.bucket_name : "default"
  bucket_arn  = "arn:${local.partition}:s3:::${join("", aws_s3_bucket.default[*].id)}"
}

data "aws_partition" "current" {
  count = local.enabled ? 1 : 0
}

resource "aws_s3_bucket" "default" {
  count  = local.enabled ? 1 : 0
  bucket = local.bucket_name
}

resource "aws_s3_bucket_ownership_controls" "default" {
  count  = local.enabled ? 1 : 0
  bucket = join("", aws_s3_bucket.default[*].id)

  rule {
    object_ownership = var.s3_object_ownership
  }
}

data "aws_iam_policy_document" "bucket_policy" {
  count = local.enabled ? 1 : 0

  dynamic "statement" {
    for_each = var.allow_ssl_requests_only ? [1] : []

    content {
      sid       = "ForceSSLOnlyAccess"
      effect    = "Deny"
      actions   = ["s3:*"]
      resources = [local.bucket_arn, "${local.bucket_arn}/*"]

      principals {
        identifiers = ["*"]
        type        = "*"
      }

      condition {
        test     = "Bool"
        values   = ["false"]
        variable = "aws:SecureTransport"
      }
    }
  }
}

data "aws_iam_policy_document" "aggregated_policy" {
  count = local.enabled ? 1 : 0

  source_policy_documents   = data.aws_iam_policy_document.bucket_policy[*].json
  override_policy_documents = var.source_policy_documents
}

resource "aws_s3_bucket_policy" "default" {
  count  = local.enabled && (var.allow_ssl_requests_only || length(var.source_policy_documents) > 0) ? 1 : 0
  bucket = join("", aws_s3_bucket.default[*].id)
  policy = join("", data.aws_iam_policy_document.aggregated_policy[*].json)
}

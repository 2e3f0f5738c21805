# A key policy whose VPC-endpoint lock exempts Clumio's daebaksrv-* sessions by aws:userid
# (whatever the role's unique id) but not its Ingestion-ingesttool session: ingestion cannot
# decrypt, the other sessions are exempt.
data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

resource "aws_kms_key" "data" {
  description         = "Encrypts the objects of acme-data-prod"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableIAMUserPermissions"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowClumioBackup"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/clumio/ClumioIAMRole-uw-2-abc123" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
      {
        Sid       = "DenyOutsideVpce"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
        Resource  = "*"
        Condition = {
          StringNotEquals = { "aws:SourceVpce" = "vpce-0a1b2c3d4e5f67890" }
          StringNotLike   = { "aws:userid" = ["*:daebaksrv-*"] }
        }
      },
    ]
  })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

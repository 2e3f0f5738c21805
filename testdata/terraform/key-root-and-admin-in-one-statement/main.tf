data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

# One statement names both the account (which delegates to IAM policies) and a key
# administrator: only the account entry lets the Clumio role in, through IAM (CP204).
resource "aws_kms_key" "data" {
  description         = "Encrypts the objects of acme-data-prod"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "AccountAndKeyAdmin"
        Effect = "Allow"
        Principal = {
          AWS = [
            "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root",
            "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/admin/KeyAdmin",
          ]
        }
        Action   = "kms:*"
        Resource = "*"
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

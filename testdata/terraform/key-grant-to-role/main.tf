# A grant gives the Clumio role Decrypt and GenerateDataKey: S3's calls for the role are allowed.
resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# The key policy names only the key administrators: the Clumio role gets the key through
# the grant below, or not at all.
resource "aws_kms_key" "data" {
  description = "Encrypts the objects of acme-data-prod"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "KeyAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/admin/KeyAdmin" }
        Action    = "kms:*"
        Resource  = "*"
      },
    ]
  })
}

resource "aws_kms_grant" "clumio" {
  name              = "clumio-backup"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = "arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc123"
  operations        = ["Decrypt", "GenerateDataKey", "DescribeKey"]
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

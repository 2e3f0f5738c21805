# The key policy denies every use of the key except through S3 in us-west-2. Whether that
# Deny hits the KMS calls S3 makes for the Clumio role depends on the bucket's region,
# not given here: a warning naming --region.
resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_kms_key" "data" {
  description = "Encrypts the objects of acme-data-prod"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowClumioBackup"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc123" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
      {
        Sid       = "DenyOutsideS3UsWest2"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = {
          StringNotEquals = { "kms:ViaService" = "s3.us-west-2.amazonaws.com" }
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

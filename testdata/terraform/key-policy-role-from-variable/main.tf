# The key policy grants decrypts to a role whose name is a variable without a value: whether
# that role is the Clumio role is unknown until the variable is set, so the role may lack
# kms:Decrypt (CP207, a warning naming --var). With the variable set to the Clumio role's
# name, the key grants it and nothing is reported.
variable "backup_role_name" {
  type        = string
  description = "The name of the role that backs up the bucket"
}

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
        Sid       = "AllowBackupRole"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/clumio/${var.backup_role_name}" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
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

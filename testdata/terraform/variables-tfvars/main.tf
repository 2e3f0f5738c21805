resource "aws_s3_bucket" "data" {
  bucket = var.bucket_name
}

# The ARNs are written out: they cover the bucket only with the name from terraform.tfvars.
resource "aws_s3_bucket_policy" "data" {
  bucket = var.bucket_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyOutsideVpc"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = ["arn:aws:s3:::acme-data-prod", "arn:aws:s3:::acme-data-prod/*"]
        Condition = {
          StringNotEquals = { "aws:SourceVpc" = var.vpc_id }
        }
      },
    ]
  })
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Provider v3 style: the policy inline on the bucket, and later a second one added as a
# resource. Whichever is applied last wins; both are checked.
resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
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
          StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" }
        }
      },
    ]
  })
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyOutsideVpce"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["s3:GetObject", "s3:ListBucket"]
        Resource  = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
        Condition = {
          StringNotEquals = { "aws:SourceVpce" = "vpce-0a1b2c3d4e5f67890" }
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

# A VPC lock whose aws:userid exemption covers every documented Clumio session, whatever
# the role's unique id: no session is blocked.
resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyOutsideVpc"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
        Condition = {
          StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" }
          StringNotLike   = { "aws:userid" = ["*:daebaksrv-*", "*:Ingestion-ingesttool"] }
        }
      },
    ]
  })
}

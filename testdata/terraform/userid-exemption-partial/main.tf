# A VPC lock whose aws:userid exemption covers Clumio's daebaksrv-* sessions (for the role's
# unique id AROAEXAMPLEID) but not its Ingestion-ingesttool session: ingestion is certainly
# blocked; the other sessions are exempt only if AROAEXAMPLEID is the Clumio role's id.
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
          StringNotLike   = { "aws:userid" = ["AROAEXAMPLEID:daebaksrv-*"] }
        }
      },
    ]
  })
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowAuditRead"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::123456789012:root" }
        Action    = "s3:GetObject"
        Resource  = "${aws_s3_bucket.data.arn}/*"
      },
      {
        Sid       = "DenyOutsideVpc"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
        Condition = {
          StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" }
        }
      },
    ]
  })
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs-prod"
}

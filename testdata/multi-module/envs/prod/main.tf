module "data" {
  source = "../../modules/bucket"
  name   = "acme-shared-data"
  vpc_id = "vpc-0a1b2c3d"
}

module "app" {
  source = "../../modules/app"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-prod-logs"
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyOutsideOfficeNetworks"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
        Condition = {
          NotIpAddress = { "aws:SourceIp" = ["203.0.113.0/24"] }
        }
      },
    ]
  })
}

variable "bucket_name" {
  type = string
}

resource "aws_s3_bucket_policy" "data" {
  bucket = var.bucket_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyOutsideVpc"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::${var.bucket_name}", "arn:aws:s3:::${var.bucket_name}/*"]
      Condition = { StringNotEquals = { "aws:SourceVpc" = "vpc-1" } }
    }]
  })
}

data "aws_s3_bucket" "existing" {
  bucket = "x"
}

resource "aws_s3_bucket_policy" "other" {
  bucket = data.aws_s3_bucket.existing.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyOutsideVpc"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["${data.aws_s3_bucket.existing.arn}/*"]
      Condition = { StringNotEquals = { "aws:SourceVpc" = "vpc-1" } }
    }]
  })
}

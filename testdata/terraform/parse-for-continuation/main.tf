locals {
  # The null-label pattern: a conditional continued on the next line inside `{ for ... }`.
  formatted_labels = { for k in local.label_names : k => local.label_case == "none" ? local.labels[k] :
    local.label_case == "title" ? title(lower(local.labels[k])) :
    local.label_case == "upper" ? upper(local.labels[k]) : lower(local.labels[k])
  }
  normalized_labels = { for k in local.label_names : k =>
    local.labels[k] == null ? "" : lower(local.labels[k])
  }
  label_names = ["data", "exempt"]
  label_case  = "upper"
  labels      = { data = "acme-data", exempt = "acme-exempt" }
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
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
    Statement = [{
      Sid       = "DenyOutsideVpc"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
      Condition = {
        StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" }
      }
    }]
  })
}

resource "aws_s3_bucket" "exempt" {
  bucket = "acme-exempt"
}

resource "aws_s3_bucket_ownership_controls" "exempt" {
  bucket = aws_s3_bucket.exempt.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "exempt" {
  bucket = aws_s3_bucket.exempt.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyOutsideVpc"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.exempt.arn, "${aws_s3_bucket.exempt.arn}/*"]
      Condition = {
        StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" }
        ArnNotLike = {
          "aws:PrincipalArn" = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/clumio/*"
        }
      }
    }]
  })
}

data "aws_caller_identity" "current" {}

# Links through computed ids: a one-instance splat joined, an index, the policy's own id.
# A reference beats a name: "shadow" (first in the file) has the same name as "data", but
# the policy and the ownership setting below reference "data".
resource "aws_s3_bucket" "shadow" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_ownership_controls" "shadow" {
  bucket = aws_s3_bucket.shadow.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket" "data" {
  count  = 1
  bucket = "acme-data"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = join("", aws_s3_bucket.data[*].id)
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyOutsideVpc"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::${aws_s3_bucket_policy.data.id}", "${aws_s3_bucket.data[0].arn}/*"]
      Condition = {
        StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" }
      }
    }]
  })
}

# The ownership setting reaches the bucket through the policy's id.
resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket_policy.data.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket" "exempt" {
  count  = 1
  bucket = "acme-exempt"
}

resource "aws_s3_bucket_ownership_controls" "exempt" {
  bucket = aws_s3_bucket.exempt[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "exempt" {
  bucket = aws_s3_bucket.exempt[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyOutsideVpc"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.exempt[0].arn, "${aws_s3_bucket.exempt[0].arn}/*"]
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

# A bucket whose count is known only after apply (cloudposse's `count = local.enabled ? 1 : 0`
# with `enabled` from a module not given): the splat still links to it, and its
# ObjectWriter setting names the bucket, not a placeholder.
variable "enabled" {
  type = bool
}

resource "aws_s3_bucket" "optional" {
  count  = var.enabled ? 1 : 0
  bucket = "acme-optional"
}

resource "aws_s3_bucket_ownership_controls" "optional" {
  count  = var.enabled ? 1 : 0
  bucket = join("", aws_s3_bucket.optional[*].id)
  rule {
    object_ownership = "ObjectWriter"
  }
}

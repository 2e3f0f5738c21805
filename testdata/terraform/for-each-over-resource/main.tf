resource "aws_s3_bucket" "data" {
  for_each = toset(["acme-raw-prod", "acme-curated-prod"])
  bucket   = each.key
}

# Chained for_each: one instance per bucket, each.value is the bucket's object.
resource "aws_s3_bucket_ownership_controls" "data" {
  for_each = aws_s3_bucket.data
  bucket   = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "data" {
  for_each = aws_s3_bucket.data
  bucket   = each.value.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyOutsideVpc"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [each.value.arn, "${each.value.arn}/*"]
        Condition = {
          StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" }
        }
      },
    ]
  })
}

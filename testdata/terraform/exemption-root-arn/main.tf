resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

# "Keep the account's own principals in": the root ARN in aws:PrincipalArn matches the root
# user only, never the roles of the account.
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
          ArnNotLike      = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:root" }
        }
      },
      {
        Sid       = "DenyOutsideVpce"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["s3:GetObject*", "s3:ListBucket*"]
        Resource  = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
        Condition = {
          StringNotEquals = {
            "aws:SourceVpce"   = "vpce-0a1b2c3d4e5f67890"
            "aws:PrincipalArn" = ["arn:aws:iam::111122223333:root"]
          }
        }
      },
      {
        Sid       = "DenyOtherAccountsOutsideVpc"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
        Condition = {
          StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" }
          StringNotLike   = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:root*" }
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

resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs-prod"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowAnalyticsRead",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::111122223333:role/analytics" },
      "Action": "s3:GetObject",
      "Resource": "${aws_s3_bucket.data.arn}/*"
    },
    {
      "Sid": "DenyOutsideVpc",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "Resource": ["${aws_s3_bucket.data.arn}", "${aws_s3_bucket.data.arn}/*"],
      "Condition": { "StringNotEquals": { "aws:SourceVpc": "vpc-0a1b2c3d" } }
    }
  ]
}
EOF
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "DenyOutsideVpce",
          "Effect": "Deny",
          "Principal": "*",
          "Action": "s3:*",
          "Resource": [
            "arn:aws:s3:::acme-logs-prod",
            "arn:aws:s3:::acme-logs-prod/*"
          ],
          "Condition": {
            "StringNotEqualsIfExists": { "aws:SourceVpce": "vpce-0a1b2c3d4e5f67890" }
          }
        }
      ]
    }
  EOT
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

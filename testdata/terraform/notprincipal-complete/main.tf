resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "DenyEveryoneElse"
        Effect = "Deny"
        NotPrincipal = {
          AWS = [
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc123",
            "arn:aws:sts::111122223333:assumed-role/ClumioIAMRole-uw-2-abc123/daebaksrv-S3Backup",
            "arn:aws:sts::111122223333:assumed-role/ClumioIAMRole-uw-2-abc123/daebaksrv-RestoreTargetCheck",
            "arn:aws:sts::111122223333:assumed-role/ClumioIAMRole-uw-2-abc123/daebaksrv-createS3CustomerSession",
            "arn:aws:sts::111122223333:assumed-role/ClumioIAMRole-uw-2-abc123/Ingestion-ingesttool",
          ]
        }
        Action   = "s3:*"
        Resource = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
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

resource "aws_s3_bucket" "logs" {
  for_each = toset(["raw", "curated"])
  bucket   = "acme-${each.key}"
}

resource "aws_s3_bucket_policy" "logs" {
  for_each = aws_s3_bucket.logs
  bucket   = each.value.id
  policy   = "{}"
}

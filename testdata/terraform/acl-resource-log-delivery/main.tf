resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

# Server access logs of the other buckets land here.
resource "aws_s3_bucket_acl" "data" {
  bucket = aws_s3_bucket.data.id
  acl    = "log-delivery-write"
}

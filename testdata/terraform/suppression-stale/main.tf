# The partners' uploads moved to their own bucket last quarter and ownership is now enforced,
# but the suppression written for the old ObjectWriter setting stayed: it suppresses nothing
# (CP903), and would silently hide a finding if the setting came back.
resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

# clumio-preflight:ignore CP301 partners upload with their own credentials (OPS-12)
resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Partners upload into this bucket with their own credentials, and the team accepts that
# Clumio cannot read their objects: the suppression, with its reason, hides CP301 and is in
# use, so nothing is reported (no CP903 either).
resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

# clumio-preflight:ignore CP301 partners upload with their own credentials (OPS-12)
resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    object_ownership = "ObjectWriter"
  }
}

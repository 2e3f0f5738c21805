variable "object_ownership" {
  type        = string
  description = "Set per environment; no default."
}

resource "aws_s3_bucket" "data" {
  bucket = "data-bucket"
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    object_ownership = var.object_ownership
  }
}

variable "name" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Statement = [{
      Effect   = "Deny"
      Resource = "${aws_s3_bucket.this.arn}/*"
    }]
  })
}

output "bucket_name" {
  value = "${var.name}-out"
}

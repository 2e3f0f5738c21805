resource "aws_s3_bucket" "two" {
  bucket = "two"
}

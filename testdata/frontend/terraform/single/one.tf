resource "aws_s3_bucket" "one" {
  bucket = "one"
}

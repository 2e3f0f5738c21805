resource "aws_s3_bucket" "a" {
  for_each = aws_s3_bucket.b
  bucket   = each.key
}
resource "aws_s3_bucket" "b" {
  for_each = aws_s3_bucket.a
  bucket   = each.key
}
resource "aws_s3_bucket" "c" {
  for_each = aws_s3_bucket.c
  bucket   = each.key
}

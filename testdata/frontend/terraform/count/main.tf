resource "aws_s3_bucket" "b" {
  count  = 2
  bucket = "bucket-${count.index}"
}

resource "aws_s3_bucket_policy" "p" {
  count  = 2
  bucket = aws_s3_bucket.b[count.index].id
  policy = jsonencode({ Resource = aws_s3_bucket.b[0].arn })
}

resource "aws_s3_bucket" "none" {
  count  = 0
  bucket = "never"
}

resource "aws_s3_bucket" "each" {
  for_each = { x = "ex", y = "why" }
  bucket   = "${each.key}-${each.value}"
}

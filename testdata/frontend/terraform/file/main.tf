resource "aws_s3_bucket_policy" "from_file" {
  bucket = "b"
  policy = file("policy.json")
}

resource "aws_s3_bucket_policy" "from_path_module" {
  bucket = "b"
  policy = file("${path.module}/policy.json")
}

resource "aws_s3_bucket_policy" "decoded" {
  bucket = "b"
  policy = jsonencode(jsondecode(file("policy.json")))
}

resource "aws_s3_bucket_policy" "templated" {
  bucket = "b"
  policy = templatefile("policy.tpl", { bucket = "tpl-bucket" })
}

resource "aws_s3_bucket_policy" "missing" {
  bucket = "b"
  policy = file("nope.json")
}

resource "aws_s3_bucket_policy" "plain" {
  bucket = "b1"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]
}
EOF
}

resource "aws_s3_bucket_policy" "indented" {
  bucket = "b2"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${var.bucket}/*"}]
    }
  EOT
}

variable "bucket" {
  default = "b2"
}

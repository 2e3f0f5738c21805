locals {
  a = "${local.b}-a"
  b = local.a
  c = local.c
}

resource "aws_s3_bucket" "cyc" {
  bucket = local.a
  other  = local.c
}

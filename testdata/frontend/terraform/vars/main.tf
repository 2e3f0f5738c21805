locals {
  joined = "${var.c}-${var.a}"
  tags   = { team = "storage", env = var.g }
}

resource "aws_s3_bucket" "x" {
  bucket = local.joined
  tags   = local.tags
  a      = var.a
  b      = var.b
  c      = var.c
  d      = var.d
  e      = var.e
  f      = var.f
  g      = var.g
  h      = var.h
}

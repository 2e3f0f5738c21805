# Everything guarded by a count known only after apply (the modules' `create_bucket`
# pattern with a variable not given): the document is still rendered and linked.
variable "create" {
  type = bool
}

resource "aws_s3_bucket" "data" {
  count  = var.create ? 1 : 0
  bucket = "acme-data"
}

resource "aws_s3_bucket_ownership_controls" "data" {
  count  = var.create ? 1 : 0
  bucket = aws_s3_bucket.data[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

data "aws_iam_policy_document" "data" {
  count = var.create ? 1 : 0

  statement {
    sid       = "DenyOutsideVpc"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.data[0].arn, "${aws_s3_bucket.data[0].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringNotEquals"
      variable = "aws:SourceVpc"
      values   = ["vpc-0a1b2c3d"]
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  count  = var.create ? 1 : 0
  bucket = aws_s3_bucket.data[0].id
  policy = data.aws_iam_policy_document.data[0].json
}

# The look-alike with the Clumio role exempted: clean.
resource "aws_s3_bucket" "exempt" {
  count  = var.create ? 1 : 0
  bucket = "acme-exempt"
}

resource "aws_s3_bucket_ownership_controls" "exempt" {
  count  = var.create ? 1 : 0
  bucket = aws_s3_bucket.exempt[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

data "aws_iam_policy_document" "exempt" {
  count = var.create ? 1 : 0

  statement {
    sid       = "DenyOutsideVpc"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.exempt[0].arn, "${aws_s3_bucket.exempt[0].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringNotEquals"
      variable = "aws:SourceVpc"
      values   = ["vpc-0a1b2c3d"]
    }
    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalArn"
      values   = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/clumio/*"]
    }
  }
}

resource "aws_s3_bucket_policy" "exempt" {
  count  = var.create ? 1 : 0
  bucket = aws_s3_bucket.exempt[0].id
  policy = data.aws_iam_policy_document.exempt[0].json
}

data "aws_caller_identity" "current" {}

# Policies built by functions over rendered documents, as the popular modules do.
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

data "aws_iam_policy_document" "template" {
  count = 1

  statement {
    sid       = "DenyOutsideVpc"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["_BUCKET_ARN_", "_BUCKET_ARN_/*"]
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

locals {
  documents = compact([
    "",
    one(data.aws_iam_policy_document.template[*].json),
  ])
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = replace(coalesce(local.documents...), "_BUCKET_ARN_", aws_s3_bucket.data.arn)
}

# The look-alike with the Clumio role exempted, merged from two documents: clean.
resource "aws_s3_bucket" "exempt" {
  bucket = "acme-exempt"
}

resource "aws_s3_bucket_ownership_controls" "exempt" {
  bucket = aws_s3_bucket.exempt.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

data "aws_iam_policy_document" "exempt" {
  source_policy_documents = [replace(data.aws_iam_policy_document.exemption.json, "_BUCKET_ARN_", aws_s3_bucket.exempt.arn)]
}

data "aws_iam_policy_document" "exemption" {
  statement {
    sid       = "DenyOutsideVpc"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["_BUCKET_ARN_", "_BUCKET_ARN_/*"]
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
  bucket = aws_s3_bucket.exempt.id
  policy = jsonencode(merge(jsondecode(data.aws_iam_policy_document.exempt.json), { Version = "2012-10-17" }))
}

data "aws_caller_identity" "current" {}

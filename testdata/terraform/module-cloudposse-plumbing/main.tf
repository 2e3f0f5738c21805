# A bucket made with a registry module reproducing cloudposse/s3-bucket's policy plumbing;
# the caller's document is merged through source_policy_documents.
module "bucket" {
  source  = "cloudposse/s3-bucket/aws"
  version = "4.2.0"

  bucket_name             = "acme-data"
  allow_ssl_requests_only = true
  source_policy_documents = [data.aws_iam_policy_document.vpc_only.json]
}

data "aws_iam_policy_document" "vpc_only" {
  statement {
    sid       = "DenyOutsideVpc"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"]

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

# The same, with the Clumio role exempted: clean.
module "bucket_exempt" {
  source  = "cloudposse/s3-bucket/aws"
  version = "4.2.0"

  bucket_name             = "acme-exempt"
  allow_ssl_requests_only = true
  source_policy_documents = [data.aws_iam_policy_document.vpc_only_exempt.json]
}

data "aws_iam_policy_document" "vpc_only_exempt" {
  statement {
    sid       = "DenyOutsideVpc"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::acme-exempt", "arn:aws:s3:::acme-exempt/*"]

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

data "aws_caller_identity" "current" {}

locals {
  denied = {
    get = "s3:GetObject"
    put = "s3:PutObject"
  }
}

variable "unknown_list" {
  type = list(string)
}

data "aws_iam_policy_document" "d" {
  statement {
    sid     = "Static"
    actions = ["s3:ListBucket"]
  }

  dynamic "statement" {
    for_each = local.denied
    content {
      sid     = statement.key
      effect  = "Deny"
      actions = [statement.value]
    }
  }
}

data "aws_iam_policy_document" "u" {
  dynamic "statement" {
    for_each = var.unknown_list
    iterator = s
    content {
      actions = [s.value]
    }
  }
}

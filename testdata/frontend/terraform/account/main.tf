data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

resource "aws_s3_bucket_policy" "p" {
  bucket = "b"
  policy = jsonencode({
    Statement = [{
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
      Condition = { StringEquals = { "aws:RequestedRegion" = data.aws_region.current.name } }
      Resource  = data.aws_iam_policy_document.other.json
      Hash      = sha256("x")
    }]
  })
}

# A bucket made with a registry module (after `terraform init`: the module's code is under
# .terraform/modules/, reproducing the policy plumbing of terraform-aws-modules/s3-bucket).
module "s3" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "~> 4.0"

  bucket                                = "acme-data"
  control_object_ownership              = true
  attach_deny_insecure_transport_policy = true
  attach_policy                         = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyOutsideVpc"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"]
      Condition = {
        StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" }
      }
    }]
  })
}

# The same, with the Clumio role exempted: clean.
module "s3_exempt" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "~> 4.0"

  bucket                                = "acme-exempt"
  control_object_ownership              = true
  attach_deny_insecure_transport_policy = true
  attach_policy                         = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyOutsideVpc"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::acme-exempt", "arn:aws:s3:::acme-exempt/*"]
      Condition = {
        StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" }
        ArnNotLike = {
          "aws:PrincipalArn" = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/clumio/*"
        }
      }
    }]
  })
}

data "aws_caller_identity" "current" {}

output "data_bucket_arn" {
  value = module.s3.s3_bucket_arn
}

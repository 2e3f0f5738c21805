module "logs" {
  source   = "./modules/bucket"
  for_each = toset(["b", "a"])
  name     = "logs-${each.key}"
}

module "single" {
  source = "./modules/bucket"
  name   = "single"
}

module "remote" {
  source = "terraform-aws-modules/s3-bucket/aws"
}

resource "aws_s3_bucket_policy" "root" {
  bucket = module.logs["a"].bucket_name
  policy = module.remote.policy_json
}

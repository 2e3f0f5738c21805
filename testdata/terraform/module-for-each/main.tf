locals {
  buckets = {
    a = "acme-ingest-a"
    b = "acme-ingest-b"
  }
}

module "ingest" {
  source   = "./modules/vpc-bucket"
  for_each = local.buckets

  name   = each.value
  vpc_id = "vpc-0a1b2c3d"
}

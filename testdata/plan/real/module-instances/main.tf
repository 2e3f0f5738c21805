module "ingest" {
  source   = "./modules/vpc-bucket"
  for_each = toset(["a", "b"])

  name = "acme-ingest-${each.key}"
}

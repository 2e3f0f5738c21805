module "data" {
  source = "../../modules/bucket"
  name   = "acme-shared-data"
  vpc_id = "vpc-0a1b2c3d"
}

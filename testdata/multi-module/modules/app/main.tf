module "data" {
  source = "../bucket"
  name   = "acme-app-data"
  vpc_id = "vpc-0a1b2c3d"
}

variable "bucket_name" {
  type    = string
  default = "acme-data-dev"
}

variable "vpc_id" {
  type    = string
  default = "vpc-00000000"
}

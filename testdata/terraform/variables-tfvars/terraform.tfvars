bucket_name = "acme-data-prod"
vpc_id      = "vpc-0a1b2c3d"

output "bucket_id" {
  value = local.enabled ? join("", aws_s3_bucket.default[*].id) : ""
}

output "bucket_arn" {
  value = local.enabled ? join("", aws_s3_bucket.default[*].arn) : ""
}

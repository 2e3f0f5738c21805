variable "enabled" {
  type    = bool
  default = true
}

variable "bucket_name" {
  type    = string
  default = null
}

variable "allow_ssl_requests_only" {
  type    = bool
  default = false
}

variable "source_policy_documents" {
  type    = list(string)
  default = []
}

variable "s3_object_ownership" {
  type    = string
  default = "BucketOwnerEnforced"
}

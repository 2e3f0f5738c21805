#!/usr/bin/env bash
# Checks that Terraform scenario folders are valid Terraform as written: `terraform fmt -check`
# and `terraform validate` with real Terraform (1.11, AWS provider 5.100), offline (the
# provider comes from a filesystem mirror, TF_MIRROR, default /opt/tf-plugins). The folders
# are copied to a scratch directory with a provider block; nothing is written back.
# Usage: testdata/validate-terraform.sh testdata/terraform/SCENARIO...
set -euo pipefail
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  filesystem_mirror { path = "${TF_MIRROR:-/opt/tf-plugins}" }
}
CFG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
for dir in "$@"; do
  terraform fmt -check -diff "$dir"
  run="$work/$(basename "$dir")"
  mkdir -p "$run"
  cp -r "$dir"/. "$run"/
  cat >"$run/zz_provider.tf" <<'TF'
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIAFAKEFAKEFAKEFAKE"
  secret_key                  = "fake-secret-for-offline-validation"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
TF
  (cd "$run" && terraform init -input=false -no-color -backend=false >/dev/null && terraform validate -no-color)
done

#!/usr/bin/env bash
# Generates the files of this folder with real Terraform (1.11), offline, in a scratch folder:
#   state.json  `terraform show -json` with no state at all (Terraform prints
#               `{"format_version":"1.0"}`)
#   tfplan      the binary plan file (a zip archive) of an empty configuration
#               (`terraform plan -out=tfplan`)
# Tests read the committed files and never run Terraform.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
: >cli.tfrc
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
terraform show -json >"$here/state.json"
echo 'terraform {}' >main.tf
terraform init -input=false -no-color >/dev/null
terraform plan -input=false -no-color -out=tfplan >/dev/null
cp tfplan "$here/tfplan"
echo "generated with $(terraform version | head -1)"

#!/usr/bin/env bash
# Regenerates the plan fixtures of every scenario folder here with real Terraform (1.11, AWS
# provider 5.100), offline:
#   - the provider is installed from a filesystem mirror (TF_MIRROR, default /opt/tf-plugins);
#   - credentials are fake and validation is skipped; the only AWS call a plan makes,
#     STS GetCallerIdentity for `data "aws_caller_identity"`, is answered by fake_sts.py on
#     127.0.0.1 (account 111122223333);
#   - a scenario with a `state.tfstate` starts from that state: it is hand-written in
#     Terraform's own state format (version 4) and stands for what `terraform apply` would have
#     left; `terraform plan -refresh=false` compares the configuration with it (so `~` and
#     `-/+` changes are computed by Terraform and the provider, not written by us), and
#     `terraform show -json` of it is the state JSON.
# A scenario's `plan.args` holds extra `terraform plan` arguments (a `-var` the sources do not
# set, so that only the plan knows it).
# Outputs per scenario: plan.json (`terraform show -json tfplan`), plan.txt (`terraform plan
# -no-color`), plan.color.txt (`terraform plan`, coloured), and state.json when there is a state.
# Usage: testdata/plan/real/generate.sh [SCENARIO...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
python3 "$here/fake_sts.py" "$port" &
sts=$!
trap 'kill "$sts" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/plugin-cache"
cat >"$work/cli.tfrc" <<CFG
plugin_cache_dir = "$work/plugin-cache"
provider_installation {
  filesystem_mirror { path = "${TF_MIRROR:-/opt/tf-plugins}" }
}
CFG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
sleep 0.5
scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  for d in "$here"/*/; do scenarios+=("$(basename "$d")"); done
fi
for name in "${scenarios[@]}"; do
  src="$here/$name"
  run="$work/$name"
  mkdir -p "$run"
  cp -r "$src"/. "$run"/
  rm -f "$run"/plan.json "$run"/plan.txt "$run"/plan.color.txt "$run"/state.json "$run"/expect
  sed "s/@PORT@/$port/" "$here/provider.tf.in" >"$run/provider.tf"
  if [ -f "$run/state.tfstate" ]; then mv "$run/state.tfstate" "$run/terraform.tfstate"; fi
  (
    cd "$run"
    # plan.args: extra `terraform plan` arguments (variables the sources do not set).
    args=()
    if [ -f plan.args ]; then read -r -a args <plan.args; fi
    terraform init -input=false -no-color >/dev/null
    terraform plan -refresh=false -input=false -no-color -out=tfplan "${args[@]}" >plan.txt
    terraform plan -refresh=false -input=false "${args[@]}" >plan.color.txt
    terraform show -json tfplan >plan.json
    if [ -f terraform.tfstate ]; then terraform show -json >state.json; fi
  )
  for f in plan.json plan.txt plan.color.txt state.json; do
    if [ -f "$run/$f" ]; then
      # The port of the fake STS endpoint changes from run to run: keep outputs stable.
      sed "s/127\.0\.0\.1:$port/127.0.0.1:PORT/g" "$run/$f" >"$src/$f"
    fi
  done
  echo "generated $name"
done

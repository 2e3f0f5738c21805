#!/usr/bin/env bash
# Runs the scan for the GitHub Action (action.yml, step "scan"), once: the report chosen by
# INPUT_FORMAT goes to the log (with `line`, the problem matcher turns each line into an
# annotation), SARIF goes to INPUT_SARIF_FILE, and the counts become the step's outputs.
#
# Every input arrives as an environment variable, never spliced into this script:
#   INPUT_PATH        what to scan (default .); with INPUT_PLAN, the Terraform sources of the plan
#   INPUT_PLAN        a plan JSON file (`terraform show -json PLAN > plan.json`), optional
#   INPUT_ACCOUNT_ID  the AWS account id, optional
#   INPUT_ROLE_ARN    the Clumio role's ARN, optional
#   INPUT_ROLE_NAME, INPUT_ROLE_PATH, INPUT_ORG_ID, INPUT_REGION   the rest of the profile, optional
#   INPUT_CONFIG      the configuration file, optional
#   INPUT_MIN_SEVERITY  report only findings at or above this severity, optional
#   INPUT_BASELINE    report only findings not in this baseline file, optional
#   INPUT_ARGS        extra arguments, one per line (never split on spaces, never evaluated)
#   GITHUB_STEP_SUMMARY  set by the runner: the Markdown report (`--output markdown=…`) is
#                     appended to it, after a line saying so when the scan could not run
#   INPUT_FAIL_ON     error | warning | note | never (default: error, or the config file's fail_on)
#   INPUT_FORMAT      line (default) | github | human: what the log shows
#   INPUT_SARIF_FILE  where to write SARIF, optional
#   INPUT_IGNORE_CONFIG  true: read no configuration file from the repository (--no-config)
#   CLUMIO_PREFLIGHT_BIN  the binary (default: clumio-preflight on PATH)
#   GITHUB_OUTPUT     set by the runner: receives errors=, warnings=, notes=, sarif-file=
# Exits with the scan's status: 0 clean, 1 findings at or above fail-on, 2 unusable input.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
matcher="$(cd "$here/.." && pwd)/clumio-preflight-matcher.json"
bin="${CLUMIO_PREFLIGHT_BIN:-clumio-preflight}"
format="${INPUT_FORMAT:-line}"
path="${INPUT_PATH:-.}"
sarif="${INPUT_SARIF_FILE:-}"

case "$format" in
  line | github | human) ;;
  *)
    echo "::error title=clumio-preflight::format must be line, github or human, not '$format'"
    exit 2
    ;;
esac

ignore_config="${INPUT_IGNORE_CONFIG:-false}"
case "$ignore_config" in
  true | false) ;;
  *)
    echo "::error title=clumio-preflight::ignore-config must be true or false"
    exit 2
    ;;
esac

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
summary="$tmp/summary.json"
markdown="$tmp/report.md"

# `--flag=value` keeps a value that starts with `-` a value; `--` ends the options.
args=("--format=$format" "--color=never" "--output" "json=$summary" "--output" "markdown=$markdown")
if [[ -n "$sarif" ]]; then
  mkdir -p "$(dirname "$sarif")"
  args+=("--output" "sarif=$sarif")
fi
[[ "$ignore_config" == true ]] && args+=("--no-config")
[[ -n "${INPUT_FAIL_ON:-}" ]] && args+=("--fail-on=$INPUT_FAIL_ON")
[[ -n "${INPUT_ACCOUNT_ID:-}" ]] && args+=("--account-id=$INPUT_ACCOUNT_ID")
[[ -n "${INPUT_ROLE_ARN:-}" ]] && args+=("--role-arn=$INPUT_ROLE_ARN")
[[ -n "${INPUT_ROLE_NAME:-}" ]] && args+=("--role-name=$INPUT_ROLE_NAME")
[[ -n "${INPUT_ROLE_PATH:-}" ]] && args+=("--role-path=$INPUT_ROLE_PATH")
[[ -n "${INPUT_ORG_ID:-}" ]] && args+=("--org-id=$INPUT_ORG_ID")
[[ -n "${INPUT_REGION:-}" ]] && args+=("--region=$INPUT_REGION")
[[ -n "${INPUT_CONFIG:-}" ]] && args+=("--config=$INPUT_CONFIG")
[[ -n "${INPUT_MIN_SEVERITY:-}" ]] && args+=("--min-severity=$INPUT_MIN_SEVERITY")
[[ -n "${INPUT_BASELINE:-}" ]] && args+=("--baseline=$INPUT_BASELINE")
# One argument per line, each kept whole: no word splitting, globbing or evaluation.
while IFS= read -r extra || [[ -n "$extra" ]]; do
  extra="${extra%$'\r'}"
  [[ -n "${extra//[[:space:]]/}" ]] && args+=("$extra")
done <<< "${INPUT_ARGS:-}"
if [[ -n "${INPUT_PLAN:-}" ]]; then
  args+=("--source-dir=$path" "--" "$INPUT_PLAN")
else
  args+=("--" "$path")
fi

if [[ "$format" == line ]]; then
  echo "::add-matcher::$matcher"
fi
"$bin" "${args[@]}"
status=$?
if [[ "$format" == line ]]; then
  echo "::remove-matcher owner=clumio-preflight::"
  echo "::remove-matcher owner=clumio-preflight-note::"
fi

# The JSON contract's summary: `    "errors": 1,` (its only keys at this indentation).
count() {
  local n
  n="$(sed -n "s/^    \"$1\": \([0-9][0-9]*\),\{0,1\}\$/\1/p" "$summary" 2> /dev/null | head -n 1)"
  echo "${n:-0}"
}
errors="$(count errors)"
warnings="$(count warnings)"
notes="$(count notes)"

if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    echo "errors=$errors"
    echo "warnings=$warnings"
    echo "notes=$notes"
    echo "sarif-file=$sarif"
  } >> "$GITHUB_OUTPUT"
fi

if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  {
    if ((status > 1)); then
      echo "**clumio-preflight: the scan could not run (exit status $status): see the step's log.**"
      echo
    fi
    # A usage error stops the scan before any report is written: the line above says why.
    [[ -s "$markdown" ]] && cat "$markdown"
  } >> "$GITHUB_STEP_SUMMARY"
fi

case "$status" in
  0) ;;
  1) echo "clumio-preflight: $errors errors, $warnings warnings, $notes notes (fail-on: ${INPUT_FAIL_ON:-default})" ;;
  *) echo "::error title=clumio-preflight::the scan could not run (exit status $status): see the log above" ;;
esac
exit "$status"

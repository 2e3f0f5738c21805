#!/usr/bin/env bash
# Installs clumio-preflight for the GitHub Action (action.yml, step "install").
#
# Every input arrives as an environment variable, never spliced into this script:
#   VERSION            ""          build the action's own checkout (default; needs only crates.io)
#                      "installed" use the clumio-preflight already on PATH
#                      otherwise   a git revision (tag, branch or commit) of the action's repository
#   GITHUB_ACTION_PATH the action's checkout (set by the runner)
#   ACTION_REPOSITORY  the action's owner/name (github.action_repository)
#   GITHUB_SERVER_URL, RUNNER_TEMP, GITHUB_OUTPUT   set by the runner
#   CARGO_TARGET_DIR   where cargo builds (cached by the action between runs)
# Writes `bin=<path of the binary>` to $GITHUB_OUTPUT.
set -euo pipefail

root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/clumio-preflight"
version="${VERSION:-}"

case "$version" in
  installed)
    if ! bin="$(command -v clumio-preflight)"; then
      echo "::error title=clumio-preflight::version is 'installed' but clumio-preflight is not on PATH"
      exit 1
    fi
    ;;
  "")
    if ! command -v cargo > /dev/null; then
      echo "::error title=clumio-preflight::cargo is not installed; add a Rust toolchain step (e.g. dtolnay/rust-toolchain@stable) before this action"
      exit 1
    fi
    cargo install --locked --force --path "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}" --root "$root"
    bin="$root/bin/clumio-preflight"
    ;;
  *)
    # A revision is a git ref or commit: nothing a shell or cargo could read as something else.
    if [[ ! "$version" =~ ^[A-Za-z0-9._][A-Za-z0-9._/-]*$ ]]; then
      echo "::error title=clumio-preflight::version '$version' is not a git revision"
      exit 1
    fi
    repository="${ACTION_REPOSITORY:?ACTION_REPOSITORY is not set}"
    cargo install --locked --force --git "${GITHUB_SERVER_URL:-https://github.com}/$repository" \
      --rev "$version" --root "$root" clumio-preflight
    bin="$root/bin/clumio-preflight"
    ;;
esac

"$bin" --version
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "bin=$bin" >> "$GITHUB_OUTPUT"
fi

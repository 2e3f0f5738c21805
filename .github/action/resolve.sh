#!/usr/bin/env bash
# Decides how the GitHub Action gets clumio-preflight (action.yml, step "resolve").
#
# Every input arrives as an environment variable, never spliced into this script:
#   VERSION             ""         the action's own ref: a version tag (v1, v1.2, v1.2.3) downloads
#                                  the release baked into the checkout's Cargo.toml; a branch or
#                                  commit builds the checkout
#                       "1.2.3" or "v1.2.3"  download that release
#                       "build"    build the action's checkout with cargo
#                       "installed" use the clumio-preflight already on PATH
#   ACTION_REF          github.action_ref (empty inside composite actions on many runners; the
#                       ref is then read from GITHUB_ACTION_PATH, .../_actions/OWNER/REPO/REF)
#   ACTION_REPOSITORY   github.action_repository (same fallbacks, then Cargo.toml's repository)
#   GITHUB_ACTION_PATH  the action's checkout (set by the runner)
#   RUNNER_OS, RUNNER_ARCH  set by the runner
# Writes to $GITHUB_OUTPUT: mode (download | build | installed), version, repository, target,
# archive, cache-key.
set -euo pipefail

action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
version_input="${VERSION:-}"
semver='^v?([0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?)$'

die() {
  echo "::error title=clumio-preflight::$1"
  exit 1
}

# The `version = "…"` of the checkout's [package]: the release this revision of the action is.
baked_field() {
  [[ -f "$action_path/Cargo.toml" ]] || return 0
  sed -n "s/^$1 = \"\\(.*\\)\"\$/\\1/p" "$action_path/Cargo.toml" | head -n 1
}

# owner/name and ref from .../_actions/OWNER/REPO/REF (the runner's layout for `uses:`).
from_path() {
  local path="${action_path//\\//}" # Windows runners give D:\a\_actions\…
  local rest="${path#*/_actions/}"
  [[ "$rest" != "$path" ]] || return 0
  case "$1" in
    repository) echo "$rest" | cut -d/ -f1-2 ;;
    ref) echo "$rest" | cut -d/ -f3- ;;
  esac
}

ref="${ACTION_REF:-}"
[[ -n "$ref" ]] || ref="$(from_path ref)"
repository="${ACTION_REPOSITORY:-}"
[[ -n "$repository" ]] || repository="$(from_path repository)"
if [[ -z "$repository" ]]; then
  repository="$(baked_field repository)"
  repository="${repository#https://github.com/}"
fi
baked="$(baked_field version)"

mode=download
version=""
if [[ "$version_input" == installed || "$version_input" == build ]]; then
  mode="$version_input"
elif [[ -n "$version_input" ]]; then
  [[ "$version_input" =~ $semver ]] ||
    die "version '$version_input' is not a release (1.2.3 or v1.2.3), 'build' or 'installed'"
  version="${BASH_REMATCH[1]}"
elif [[ "$ref" =~ ^v[0-9]+(\.[0-9]+){0,2}(-[0-9A-Za-z.-]+)?$ ]]; then
  # A version tag: v1 and v1.2 move with their releases, and the checkout is that release.
  version="$baked"
  case "$version" in
    "${ref#v}" | "${ref#v}".*) ;;
    *) die "the action's tag $ref does not match the version $version in its Cargo.toml" ;;
  esac
else
  echo "clumio-preflight: the action's ref '${ref:-unknown}' is a branch or commit: building it from source"
  mode=build
fi

target=""
archive=""
if [[ "$mode" == download ]]; then
  [[ "$repository" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] ||
    die "cannot tell the action's repository ('$repository'); set version: build"
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) target=x86_64-unknown-linux-musl ;;
    Linux/ARM64) target=aarch64-unknown-linux-musl ;;
    macOS/X64) target=x86_64-apple-darwin ;;
    macOS/ARM64) target=aarch64-apple-darwin ;;
    Windows/X64) target=x86_64-pc-windows-msvc ;;
    *) die "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; set version: build to compile it" ;;
  esac
  if [[ "$target" == *windows* ]]; then
    archive="clumio-preflight-$target.zip"
  else
    archive="clumio-preflight-$target.tar.gz"
  fi
fi

cache_key=""
if [[ "$mode" == build ]]; then
  # What the build depends on: the lock file, the manifest and the sources of this checkout.
  sources="$(cd "$action_path" && find Cargo.toml Cargo.lock build.rs src -type f 2> /dev/null |
    LC_ALL=C sort | xargs cat | { sha256sum 2> /dev/null || shasum -a 256; } | cut -c1-16)"
  cache_key="clumio-preflight-build-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-$sources"
fi

echo "clumio-preflight: mode=$mode version=${version:-none} repository=${repository:-?} target=${target:-none}"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    echo "mode=$mode"
    echo "version=$version"
    echo "repository=$repository"
    echo "target=$target"
    echo "archive=$archive"
    echo "cache-key=$cache_key"
  } >> "$GITHUB_OUTPUT"
fi

#!/usr/bin/env bash
# Packages a release build (release.yml, and `.ci/run`'s local dry run for the host):
#   package.sh TARGET OUT_DIR [BINARY]
# Puts the binary (default: the stripped one `cargo build --profile dist --target TARGET`
# makes), README and licences into OUT_DIR/clumio-preflight-TARGET.tar.gz (.zip for Windows) and writes
# ARCHIVE.sha256 beside it (`HASH  ARCHIVE`, as sha256sum -c reads it).
set -euo pipefail

target="${1:?usage: package.sh TARGET OUT_DIR [BINARY]}"
out="${2:?usage: package.sh TARGET OUT_DIR [BINARY]}"
cd "$(dirname "$0")/../.."

exe=clumio-preflight
[[ "$target" == *windows* ]] && exe=clumio-preflight.exe
built="${3:-${CARGO_TARGET_DIR:-target}/$target/dist/$exe}"
[[ -f "$built" ]] || { echo "package.sh: no $built; build it with cargo build --profile dist --target $target" >&2; exit 1; }

name="clumio-preflight-$target"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
mkdir "$staging/$name"
cp "$built" "$staging/$name/$exe"
cp README.md LICENSE-MIT LICENSE-APACHE "$staging/$name/"

if [[ "$target" == *windows* ]]; then
  archive="$name.zip"
  if command -v 7z > /dev/null; then
    (cd "$staging" && 7z a -tzip -bd "$out/$archive" "$name" > /dev/null)
  else
    (cd "$staging" && zip -qr "$out/$archive" "$name")
  fi
else
  archive="$name.tar.gz"
  tar -czf "$out/$archive" -C "$staging" "$name"
fi

if command -v sha256sum > /dev/null; then
  (cd "$out" && sha256sum "$archive" > "$archive.sha256")
else
  (cd "$out" && shasum -a 256 "$archive" > "$archive.sha256")
fi
cat "$out/$archive.sha256"

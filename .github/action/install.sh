#!/usr/bin/env bash
# Installs clumio-preflight for the GitHub Action (action.yml, step "install"), as resolve.sh
# decided: downloads the release archive and verifies its SHA-256 before unpacking, or builds
# the action's checkout, or takes the binary on PATH.
#
# Every input arrives as an environment variable, never spliced into this script:
#   MODE, VERSION, REPOSITORY, ARCHIVE   resolve.sh's outputs
#   CLUMIO_PREFLIGHT_RELEASES  where releases are (default
#                      $GITHUB_SERVER_URL/REPOSITORY/releases/download); a file:// URL works, for
#                      tests and mirrors. The files are TAG/ARCHIVE and TAG/ARCHIVE.sha256.
#   GITHUB_ACTION_PATH the action's checkout (the build mode compiles it)
#   CARGO_TARGET_DIR   where cargo builds (cached by the action between runs)
#   RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_SERVER_URL   set by the runner
# Writes `bin=<path of the binary>` to $GITHUB_OUTPUT.
set -euo pipefail

root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/clumio-preflight"
mode="${MODE:-download}"

die() {
  echo "::error title=clumio-preflight::$1"
  exit 1
}

sha256_of() {
  if command -v sha256sum > /dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

case "$mode" in
  installed)
    bin="$(command -v clumio-preflight)" ||
      die "version is 'installed' but clumio-preflight is not on PATH"
    ;;
  build)
    command -v cargo > /dev/null ||
      die "cargo is not installed; add a Rust toolchain step (e.g. dtolnay/rust-toolchain@stable) before this action, or use a release tag"
    cargo install --locked --force --path "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}" --root "$root"
    bin="$root/bin/clumio-preflight"
    ;;
  download)
    version="${VERSION:?VERSION is not set}"
    archive="${ARCHIVE:?ARCHIVE is not set}"
    base="${CLUMIO_PREFLIGHT_RELEASES:-${GITHUB_SERVER_URL:-https://github.com}/${REPOSITORY:?REPOSITORY is not set}/releases/download}"
    dir="$root/v$version"
    rm -rf "$dir"
    mkdir -p "$dir"
    url="$base/v$version/$archive"
    echo "clumio-preflight: downloading $url"
    curl --fail --silent --show-error --location --retry 3 --output "$dir/$archive" "$url" ||
      die "cannot download $url (is v$version released?)"
    curl --fail --silent --show-error --location --retry 3 --output "$dir/$archive.sha256" "$url.sha256" ||
      die "cannot download the checksum $url.sha256"
    expected="$(cut -d' ' -f1 < "$dir/$archive.sha256" | tr -d '\r\n' | tr 'A-F' 'a-f')"
    actual="$(sha256_of "$dir/$archive")"
    [[ "$expected" =~ ^[0-9a-f]{64}$ ]] || die "$archive.sha256 holds no SHA-256"
    [[ "$actual" == "$expected" ]] ||
      die "checksum mismatch for $archive: expected $expected, got $actual; not running it"
    echo "clumio-preflight: SHA-256 $actual verified"
    case "$archive" in
      *.zip) (cd "$dir" && unzip -q "$archive") ;;
      *) tar -xzf "$dir/$archive" -C "$dir" ;;
    esac
    bin="$(find "$dir" -type f \( -name clumio-preflight -o -name clumio-preflight.exe \) | head -n 1)"
    [[ -n "$bin" ]] || die "$archive holds no clumio-preflight binary"
    chmod +x "$bin"
    ;;
  *) die "unknown install mode '$mode'" ;;
esac

"$bin" --version
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "bin=$bin" >> "$GITHUB_OUTPUT"
fi

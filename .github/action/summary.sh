#!/usr/bin/env bash
# Prints the scan's Markdown summary for $GITHUB_STEP_SUMMARY (run.sh calls it): the counts,
# then one table row per finding read from a `--format line` report.
#
# Arguments: STATUS ERRORS WARNINGS NOTES LINE_REPORT_FILE
set -uo pipefail

status="$1" errors="$2" warnings="$3" notes="$4" lines="$5"
limit=500

# Table cells are data: `|` would end the cell and `<` could open HTML.
cell() {
  local text="$1"
  # Quoted replacements: bash 5.2 reads a bare `&` as the matched text.
  text="${text//&/"&amp;"}"
  text="${text//</"&lt;"}"
  text="${text//>/"&gt;"}"
  text="${text//|/"\\|"}"
  printf '%s' "$text"
}

echo "## clumio-preflight"
echo
case "$status" in
  0) echo "No findings at or above the failing severity." ;;
  1) echo "Findings at or above the failing severity: the step fails." ;;
  *) echo "The scan could not run (exit status $status): see the step's log." ;;
esac
echo
echo "| errors | warnings | notes |"
echo "|---:|---:|---:|"
echo "| $errors | $warnings | $notes |"
echo

[[ -s "$lines" ]] || exit 0
echo "| severity | location | rule | message |"
echo "|---|---|---|---|"
n=0
re='^(.+):([0-9]+):([0-9]+): (error|warning|note): (.*)$'
while IFS= read -r line; do
  [[ "$line" =~ $re ]] || continue
  n=$((n + 1))
  if ((n > limit)); then
    continue
  fi
  file="${BASH_REMATCH[1]}" row="${BASH_REMATCH[2]}" col="${BASH_REMATCH[3]}"
  severity="${BASH_REMATCH[4]}" message="${BASH_REMATCH[5]}" code=""
  if [[ "$message" =~ ^(.*)\ \[(CP[0-9]{3})\]$ ]]; then
    message="${BASH_REMATCH[1]}" code="${BASH_REMATCH[2]}"
  fi
  echo "| $severity | \`$(cell "$file"):$row:$col\` | $code | $(cell "$message") |"
done < "$lines"
if ((n > limit)); then
  echo
  echo "… and $((n - limit)) more: see the step's log or the SARIF file."
fi

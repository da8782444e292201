#!/usr/bin/env bash
# Runs `go test` through gotestsum (pinned in tools/go.mod) so every invocation leaves a JUnit XML
# report in $JUNIT_DIR. CI passes it as the Makefile's GOTEST:
#   make test GOTEST="bash $PWD/.github/scripts/gotest-junit.sh"
# Each Go module's tests run from their own directory, so the report gets a name of its own.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${JUNIT_DIR:-$root/reports/junit}"
mkdir -p "$dir"
# Drop a leading "test": the Makefile calls $(GOTEST) where it would call `go test`.
if [[ "${1:-}" == "test" ]]; then shift; fi
name="$(pwd | sed "s|^$root||; s|^/||; s|/|-|g")"
report="$dir/${name:-root}-$(date +%s%N).xml"
gotestsum="$(go -C "$root/tools" tool -n gotestsum)"
exec "$gotestsum" --format testname --junitfile "$report" --junitfile-testsuite-name relative -- "$@"

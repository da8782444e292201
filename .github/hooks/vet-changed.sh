#!/usr/bin/env bash
# vet-changed.sh FILE... runs go vet on the packages the given Go files belong to, each in its own
# module (the repository holds several: the product, tools/, and those with their own go.mod).
set -euo pipefail
declare -A pkgs=()
for f in "$@"; do
  [[ -f "$f" ]] || continue # deleted
  d="$(dirname "$f")"
  m="$d"
  while [[ "$m" != "." && ! -f "$m/go.mod" ]]; do m="$(dirname "$m")"; done
  rel="${d#"$m"}"
  pkgs["$m"]+=" ./${rel#/}"
done
status=0
for m in "${!pkgs[@]}"; do
  # shellcheck disable=SC2086 # one word per package
  (cd "$m" && go vet ${pkgs[$m]}) || status=1
done
exit "$status"

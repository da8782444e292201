#!/usr/bin/env bash
# checksums.sh write DIR  records the SHA-256 of every file under DIR in DIR/SHA256SUMS.
# checksums.sh verify DIR checks every recorded file and that DIR holds no file it does not list,
#                         so the deploy ships exactly the bytes CI built and tested.
set -euo pipefail
mode="${1:?usage: checksums.sh write|verify DIR}"
dir="${2:?usage: checksums.sh write|verify DIR}"
cd "$dir"
list() { find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort; }
case "$mode" in
write)
  list | tr '\n' '\0' | xargs -0 -r sha256sum -- > SHA256SUMS
  echo "recorded $(wc -l < SHA256SUMS) files in $dir/SHA256SUMS"
  ;;
verify)
  sha256sum --strict --quiet -c SHA256SUMS
  extra="$(comm -13 <(sed 's/^[0-9a-f]*  //' SHA256SUMS | LC_ALL=C sort) <(list))"
  if [[ -n "$extra" ]]; then
    echo "files not built by CI:" >&2
    echo "$extra" >&2
    exit 1
  fi
  echo "verified $(wc -l < SHA256SUMS) files in $dir"
  ;;
*)
  echo "usage: checksums.sh write|verify DIR" >&2
  exit 2
  ;;
esac

#!/usr/bin/env bash
# Make deskpulse-<version>.tar.gz: this folder's code, to copy to a Pi and install there
# (docs/install.md). In a git checkout it holds the files git knows (committed or not,
# without what .gitignore leaves out); elsewhere (a copied or unpacked folder) every file
# except virtualenvs, caches and history databases.
#   scripts/release.sh [OUT.tar.gz]     (default: ./deskpulse-<version>.tar.gz)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/pyproject.toml" | head -n 1)
[ -n "$version" ] || { echo "release.sh: no version in $ROOT/pyproject.toml" >&2; exit 2; }
name="deskpulse-$version"
out="${1:-$PWD/$name.tar.gz}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

list=$(mktemp)
trap 'rm -f "$list"' EXIT
cd "$ROOT"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard >"$list"
else
    find . -type f \
        -not -path './.git/*' -not -path './.venv/*' -not -path '*/__pycache__/*' \
        -not -path './build/*' -not -path '*.egg-info/*' -not -path './.pytest_cache/*' \
        -not -path './.hypothesis/*' -not -path './var/*' -not -path './benchmarks/out/*' \
        -not -name '*.pyc' -not -name '*.db' -not -name '*.db-wal' -not -name '*.db-shm' \
        -not -name '*.tar.gz' -printf '%P\0' >"$list"
fi
# deleted-but-tracked files would make tar fail: keep only what exists
tmp=$(mktemp); trap 'rm -f "$list" "$tmp"' EXIT
while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done <"$list" >"$tmp"
tar --null -T "$tmp" --transform "s,^,$name/," --owner=0 --group=0 --sort=name -czf "$out"
echo "$out"

#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of every package under src/ from what the code declares public, for every
# target framework (Microsoft.CodeAnalysis.PublicApiAnalyzers: RS0016 = public but not declared, RS0017 = declared
# but gone). Run it after changing a public surface, then review the diff of the PublicAPI files and commit it.
#
#   eng/update-public-api.sh           rewrite the Unshipped files, then build again to check they are complete
#   eng/update-public-api.sh --check   only report whether the files match the code (exit 1 if not); changes nothing
#
# How: every Unshipped file is reset, the packages are rebuilt with the analyzer's diagnostics logged to SARIF
# (obj/<config>/<tfm>/publicapi.sarif, which carries the exact API line the analyzer expects), and each Unshipped file
# becomes the sorted set of undeclared APIs. An API every target framework has goes in PublicAPI.Unshipped.txt beside
# the project; one that only some have goes in PublicAPI/<tfm>/PublicAPI.Unshipped.txt. A shipped API that is gone
# is listed as "*REMOVED*<line>" (a breaking change: say so in CHANGELOG.md). PublicAPI.Shipped.txt is never
# changed here: at a release, move the Unshipped lines into it by hand. Idempotent: a second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
mode="${1:-update}"
case "$mode" in update|--check) ;; *) echo "usage: $0 [--check]" >&2; exit 2 ;; esac

projects=()
for project in src/*/*.csproj; do projects+=("$root/$project"); done
[ "${#projects[@]}" -gt 0 ] || { echo "no projects under src/" >&2; exit 1; }

work="$(mktemp -d)"
backup="$work/backup"
restore_backup() { [ -d "$backup" ] && (cd "$backup" && find . -type f -print0 | while IFS= read -r -d '' f; do cp "$f" "$root/$f"; done) || true; }
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT

# One build of every package (in parallel; MSBuild builds each project once), each compiled afresh so the analyzer runs.
# Warnings stay warnings here: the point is to read them. The other analyzers are off (the normal build runs them).
build() {
  find src -path '*/obj/*' -name publicapi.sarif -delete
  # The PublicAPI files are compiler inputs: touching them makes every package compile again, so the analyzer runs.
  find src -name 'PublicAPI.*.txt' -not -path '*/obj/*' -not -path '*/bin/*' -exec touch {} +
  {
    echo '<Project>'
    echo '  <ItemGroup>'
    for project in "${projects[@]}"; do echo "    <GraphAuthPackage Include=\"$project\" />"; done
    echo '  </ItemGroup>'
    echo '  <Target Name="RestorePackages">'
    echo '    <MSBuild Projects="@(GraphAuthPackage)" Targets="Restore" Properties="Configuration=Release" />'
    echo '  </Target>'
    echo '  <Target Name="Build">'
    echo '    <MSBuild Projects="@(GraphAuthPackage)" Targets="Build" BuildInParallel="true"'
    echo '             Properties="Configuration=Release;GraphAuthPublicApiLog=true;TreatWarningsAsErrors=false;EnableNETAnalyzers=false;IsAotCompatible=false;GenerateDocumentationFile=false" />'
    echo '  </Target>'
    echo '</Project>'
  } > "$work/packages.proj"
  if ! { dotnet msbuild "$work/packages.proj" -t:RestorePackages -nologo -nodeReuse:false -v:m -clp:ErrorsOnly &&
         dotnet msbuild "$work/packages.proj" -t:Build -m -nologo -nodeReuse:false -v:m -clp:ErrorsOnly; } > "$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    echo "update-public-api: the build failed (errors above); the PublicAPI files are as they were." >&2
    return 1
  fi
}

# Reads the SARIF logs: for update, writes the Unshipped files; for check, reports what is missing or stale.
analyse() {
  python3 - "$1" "${projects[@]}" <<'PY'
import glob, json, os, sys
from urllib.parse import unquote, urlparse

mode, projects = sys.argv[1], sys.argv[2:]
header = "#nullable enable"
problems = 0
unfixable = 0

def read(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8-sig") as f:
        return [l.rstrip("\r\n") for l in f]

def write(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(header + "\n")
        for l in lines:
            f.write(l + "\n")

for project in projects:
    pdir = os.path.dirname(project)
    name = os.path.basename(pdir)
    logs = sorted(glob.glob(os.path.join(pdir, "obj", "Release", "*", "publicapi.sarif")))
    if not logs:
        print(f"update-public-api: {name}: no analyzer log was written", file=sys.stderr)
        sys.exit(1)
    added, removed, other = {}, {}, []
    for log in logs:
        tfm = os.path.basename(os.path.dirname(log))
        added[tfm], removed[tfm] = set(), set()
        with open(log, encoding="utf-8-sig") as f:
            sarif = json.load(f)
        for run in sarif.get("runs", []):
            for result in run.get("results", []):
                rule = result.get("ruleId", "")
                if not rule.startswith("RS00") or result.get("level") not in ("warning", "error"):
                    continue
                props = result.get("properties", {}).get("customProperties", {})
                if rule == "RS0016":
                    added[tfm].add(props["APIName"])
                elif rule == "RS0017":
                    loc = result["locations"][0]["physicalLocation"]
                    path = unquote(urlparse(loc["artifactLocation"]["uri"]).path)
                    line = read(path)[loc["region"]["startLine"] - 1]
                    removed[tfm].add((os.path.basename(path), line))
                else:
                    other.append(f"{tfm}: {rule} {result['message']['text']}")
    tfms = sorted(added)
    common_added = set.intersection(*(added[t] for t in tfms))
    common_removed = set.intersection(*(removed[t] for t in tfms))
    if mode == "--check":
        for t in tfms:
            for api in sorted(added[t]):
                print(f"{name} ({t}): not declared: {api}")
                problems += 1
            for file, line in sorted(removed[t]):
                print(f"{name} ({t}): declared in {file} but gone: {line}")
                problems += 1
        for o in other:
            print(f"{name}: {o}  <- fix in code; this script cannot")
            unfixable += 1
        continue

    def unshipped(apis, gone):
        lines = set(apis)
        for file, line in gone:
            if file == "PublicAPI.Shipped.txt" and not line.startswith("#") and line.strip():
                lines.add("*REMOVED*" + line)
        return sorted(lines, key=lambda l: (l.removeprefix("*REMOVED*"), l))

    write(os.path.join(pdir, "PublicAPI.Unshipped.txt"), unshipped(common_added, common_removed))
    if not os.path.exists(os.path.join(pdir, "PublicAPI.Shipped.txt")):
        write(os.path.join(pdir, "PublicAPI.Shipped.txt"), [])
    for t in tfms:
        extra_added, extra_removed = added[t] - common_added, removed[t] - common_removed
        tdir = os.path.join(pdir, "PublicAPI", t)
        if extra_added or extra_removed:
            write(os.path.join(tdir, "PublicAPI.Unshipped.txt"), unshipped(extra_added, extra_removed))
            if not os.path.exists(os.path.join(tdir, "PublicAPI.Shipped.txt")):
                write(os.path.join(tdir, "PublicAPI.Shipped.txt"), [])
        elif os.path.isdir(tdir):
            shipped = os.path.join(tdir, "PublicAPI.Shipped.txt")
            if [l for l in read(shipped) if l.strip() and l != header]:
                write(os.path.join(tdir, "PublicAPI.Unshipped.txt"), [])
            else:
                for f in ("PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt"):
                    if os.path.exists(os.path.join(tdir, f)):
                        os.remove(os.path.join(tdir, f))
                if not os.listdir(tdir):
                    os.rmdir(tdir)
                if os.path.isdir(os.path.join(pdir, "PublicAPI")) and not os.listdir(os.path.join(pdir, "PublicAPI")):
                    os.rmdir(os.path.join(pdir, "PublicAPI"))
    count = len(common_added) + sum(len(added[t] - common_added) for t in tfms)
    print(f"update-public-api: {name}: {count} unshipped API lines ({', '.join(tfms)})")
    for o in other:
        print(f"update-public-api: {name}: {o}  <- fix in code; this script cannot", file=sys.stderr)
        unfixable += 1

if mode == "--check":
    if problems:
        print(f"update-public-api: {problems} difference(s) between the PublicAPI files and the code; run eng/update-public-api.sh")
    if unfixable:
        print(f"update-public-api: {unfixable} other public API finding(s) (above) to fix in code")
    if not problems and not unfixable:
        print("update-public-api: the PublicAPI files match the code")
sys.exit(1 if problems or unfixable else 0)
PY
}

if [ "$mode" = "--check" ]; then
  build
  analyse --check
  exit $?
fi

# Reset every Unshipped file (shared and per target framework) to the header; keep a copy to put back on failure.
mkdir -p "$backup"
for project in "${projects[@]}"; do
  dir="$(dirname "$project")"
  for file in "$dir"/PublicAPI.Unshipped.txt "$dir"/PublicAPI/*/PublicAPI.Unshipped.txt; do
    [ -f "$file" ] || continue
    rel="${file#"$root"/}"
    mkdir -p "$backup/$(dirname "$rel")" && cp "$file" "$backup/$rel"
    printf '#nullable enable\n' > "$file"
  done
  [ -f "$dir/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
  [ -f "$dir/PublicAPI.Unshipped.txt" ] || printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
done

if ! build; then restore_backup; exit 1; fi
analyse update || status=$?

# Check: a second build must find nothing undeclared and nothing stale.
build
analyse --check
exit "${status:-$?}"

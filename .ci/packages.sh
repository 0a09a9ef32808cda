#!/usr/bin/env bash
# The packed packages as a user gets them: packs every library once (Release, from the build that .ci/run made) into a
# temporary folder feed, lists and checks each package's files, then restores, builds and runs tests/package-consumer
# against that feed with PackageReferences (never project references). Runs locally too, after
# `dotnet build SalesFlow.sln -c Release`. docs/packages.md says what is checked and why.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

work="$(mktemp -d)"
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
# A unique pre-release version: the machine's package cache never serves a package packed by an earlier run.
version="0.1.0-ci.$(date +%Y%m%d%H%M%S)"
cleanup() { rm -rf "$work"; for d in "$packages"/salesflow*/"$version"; do rm -rf "$d"; rmdir "$(dirname "$d")" 2>/dev/null || true; done; }
trap cleanup EXIT
feed="$work/feed"
fail() { echo "packed packages: $*"; exit 1; }

echo "-- pack (version $version)"
dotnet pack SalesFlow.sln -c Release --no-build -o "$feed" -p:PackageVersion="$version" > "$work/pack.log" 2>&1 \
  || { tail -n 60 "$work/pack.log"; fail "dotnet pack failed"; }

libraries=(SalesFlow SalesFlow.Extensions SalesFlow.Extensions.Sqlite SalesFlow.Extensions.PostgreSql SalesFlow.Sqlite
           SalesFlow.PostgreSql SalesFlow.Storage.Relational SalesFlow.Testing)
[ "$(ls "$feed"/*.nupkg | wc -l)" -eq "${#libraries[@]}" ] || fail "expected ${#libraries[@]} packages, got: $(ls "$feed")"
for id in "${libraries[@]}"; do
  nupkg="$feed/$id.$version.nupkg"; snupkg="$feed/$id.$version.snupkg"
  [ -f "$nupkg" ] || fail "$id: no .nupkg"
  [ -f "$snupkg" ] || fail "$id: no .snupkg"
  echo "-- $id.$version.nupkg"; unzip -l "$nupkg" | sed -n '4,$p' | grep -v -- '------' | sed '$d'
  echo "-- $id.$version.snupkg"; unzip -l "$snupkg" | grep -E '\.pdb$'
  files="$(unzip -Z1 "$nupkg")"; symbols="$(unzip -Z1 "$snupkg")"
  for f in README.md lib/net8.0/$id.dll lib/net8.0/$id.xml lib/net10.0/$id.dll lib/net10.0/$id.xml; do
    grep -qxF "$f" <<<"$files" || fail "$id: $f missing from the package"
  done
  for f in lib/net8.0/$id.pdb lib/net10.0/$id.pdb; do
    grep -qxF "$f" <<<"$symbols" || fail "$id: $f missing from the symbols package"
  done
  nuspec="$(unzip -p "$nupkg" "$id.nuspec")"
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || fail "$id: the nuspec names no readme"
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || fail "$id: the nuspec has no MIT license expression"
  grep -q '<repository type="git" url="https://github.com/salesflow/salesflow"' <<<"$nuspec" || fail "$id: the nuspec has no repository URL"
  # Source Link: the symbols map the sources to the repository at the packed commit. The PDB is extracted to a file first:
  # `unzip -p | grep -q` under pipefail fails whenever grep finds the map and exits while unzip still has more than a pipe
  # buffer to write (unzip then dies of SIGPIPE): 22 times in 50 for SalesFlow's PDB when reproduced.
  unzip -p "$snupkg" "lib/net10.0/$id.pdb" > "$work/$id.pdb"
  grep -aq 'raw.githubusercontent.com/salesflow/salesflow/' "$work/$id.pdb" || fail "$id: the PDB has no Source Link"
done
# A store package must not bring dependency injection or hosting with it: that is SalesFlow.Extensions.Sqlite/PostgreSql.
for id in SalesFlow SalesFlow.Sqlite SalesFlow.PostgreSql SalesFlow.Storage.Relational; do
  if unzip -p "$feed/$id.$version.nupkg" "$id.nuspec" | grep -E 'dependency id="(Microsoft\.Extensions\.(DependencyInjection|Hosting|Options|Configuration)[^"]*|SalesFlow\.Extensions[^"]*)"'; then
    fail "$id depends on a DI/hosting package (above)"
  fi
done

echo "-- consumer: a fresh project on the local feed"
# The feed first, then the package sources this machine's restore uses (read from its NuGet configuration).
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"salesflow-packed\" value=\"$feed\" />"
  dotnet nuget list source --format short | awk '$1 == "E" { printf "    <add key=\"machine-%d\" value=\"%s\" />\n", NR, $2 }'
  echo '  </packageSources>'
  echo '</configuration>'
} > "$work/nuget.config"
cp -r tests/package-consumer "$work/consumer"
rm -rf "$work/consumer/bin" "$work/consumer/obj"
dotnet restore "$work/consumer" --configfile "$work/nuget.config" -p:SalesFlowVersion="$version" > "$work/restore.log" 2>&1 \
  || { cat "$work/restore.log"; fail "the consumer's restore failed"; }
dotnet build "$work/consumer" -c Release --no-restore -p:SalesFlowVersion="$version" > "$work/build.log" 2>&1 \
  || { tail -n 40 "$work/build.log"; fail "the consumer does not build against the packages"; }
grep -q "$feed" "$work/consumer/obj/project.assets.json" || fail "the consumer did not restore from the local feed"
grep -q '"SalesFlow.Sqlite/'"$version"'"' "$work/consumer/obj/project.assets.json" || fail "the consumer did not get SalesFlow.Sqlite $version"
dotnet "$work/consumer/bin/Release/net10.0/SalesFlow.PackageConsumer.dll" "$root"

#!/usr/bin/env bash
# Package check: packs RnnGen, then builds and runs tests/PackageConsumer, which references the package
# through PackageReference only (local folder feed artifacts/packages + nuget.org), in its own package
# folder (artifacts/consumer/packages) so a stale cached RnnGen 0.1.0 is never reused. See docs/packaging.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== pack"
rm -rf artifacts/packages
dotnet pack src/RnnGen -c Release -o artifacts/packages
test -f artifacts/packages/RnnGen.0.1.0.nupkg
test -f artifacts/packages/RnnGen.0.1.0.snupkg

echo "== consume"
# Drop what a previous run restored or built; keep other cached packages (System.Numerics.Tensors).
rm -rf artifacts/consumer/packages/rnngen artifacts/consumer/obj artifacts/consumer/bin
dotnet run --project tests/PackageConsumer -c Release

echo "== package layout (as NuGet extracted it)"
extracted=artifacts/consumer/packages/rnngen/0.1.0
status=0
for file in rnngen.nuspec PACKAGE.md lib/net8.0/RnnGen.dll lib/net8.0/RnnGen.xml analyzers/dotnet/cs/RnnGen.Generator.dll; do
  if [ -f "$extracted/$file" ]; then echo "ok    $file"; else echo "FAIL  missing $file"; status=1; fi
done
for pattern in '<id>RnnGen</id>' '<version>0.1.0</version>' '<license type="expression">MIT</license>' '<readme>PACKAGE.md</readme>' 'id="System.Numerics.Tensors"'; do
  if grep -qF "$pattern" "$extracted/rnngen.nuspec"; then echo "ok    nuspec has $pattern"; else echo "FAIL  nuspec lacks $pattern"; status=1; fi
done
# Symbols: the snupkg holds the portable PDB (names sit uncompressed in a zip's central directory, so grep finds them).
if grep -qaF 'lib/net8.0/RnnGen.pdb' artifacts/packages/RnnGen.0.1.0.snupkg; then echo "ok    snupkg has lib/net8.0/RnnGen.pdb"; else echo "FAIL  snupkg lacks lib/net8.0/RnnGen.pdb"; status=1; fi
# The consumer reaches RnnGen only as a package: no project reference, and RnnGen resolved as a package from the local feed.
if grep -q '<ProjectReference' tests/PackageConsumer/*.csproj; then echo "FAIL  tests/PackageConsumer has a ProjectReference"; status=1; else echo "ok    the consumer has no ProjectReference"; fi
if grep -A1 '"RnnGen/0.1.0": {' artifacts/consumer/obj/project.assets.json | grep -q '"type": "package"'; then
  echo "ok    RnnGen 0.1.0 resolved as a package"
else
  echo "FAIL  RnnGen 0.1.0 was not resolved as a package"; status=1
fi
if grep -qE '"source": "[^"]*/artifacts/packages/?"' "$extracted/.nupkg.metadata"; then
  echo "ok    RnnGen came from the local folder feed artifacts/packages"
else
  echo "FAIL  RnnGen did not come from the local folder feed: $(grep source "$extracted/.nupkg.metadata")"; status=1
fi
if grep -q '"System.Numerics.Tensors/' artifacts/consumer/obj/project.assets.json; then
  echo "ok    System.Numerics.Tensors flowed to the consumer"
else
  echo "FAIL  System.Numerics.Tensors did not flow to the consumer"; status=1
fi
exit $status

#!/usr/bin/env bash
# Runs every test project: unit, component (bUnit), integration (real PostgreSQL) and E2E (Playwright
# driving Chromium against the real app). The tests start what they need themselves: a throwaway
# PostgreSQL cluster from the machine's binaries (or POSTGRES_TEST_DSN when set) and the app on a free
# loopback port. Needs PostgreSQL binaries (initdb, pg_ctl), /usr/bin/chromium, and Node.js 20 with npm: the emulator's
# tests run Weaviate's own TypeScript clients against it (tools/weaviate-client-contract; npm ci from its lockfile),
# one xUnit test per JS test, so they are in the count below.
# Ends with one line: "N passed, N failed, N skipped", summed over all test projects.
set -uo pipefail
cd "$(dirname "$0")"

results="$PWD/TestResults"
rm -rf "$results"

test_projects=(Orchestra.Admin.Tests Orchestra.Admin.E2E tools/Orchestra.WeaviateEmulator.Tests)
dotnet build Orchestra.Admin.sln -nologo -v quiet || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
status=0
# One project at a time, each with its own named TRX file (parallel runs could collide on a file name).
for project in "${test_projects[@]}"; do
  dotnet test "$project" --no-build --logger "trx;LogFileName=${project##*/}.trx" --results-directory "$results" "$@" || status=1
done

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

if [ "$files" -lt "${#test_projects[@]}" ]; then
  echo "Only $files of ${#test_projects[@]} test projects reported results (a test host crashed or did not build)."
  failed=$((failed + 1))
  [ "$status" -eq 0 ] && status=1
fi
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1 # dotnet test failed without a failing test: count it

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"

#!/usr/bin/env bash
# The test command (README, .ci/run): type check, Python toolkit tests, jest unit and
# integration tests. Ends with one line "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
out=$(mktemp -d)
status=0

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit || status=1

echo "== python toolkit (unittest)"
python3 -m unittest discover -s src/toolkit -p 'test_*.py' 2>&1 | tee "$out/py.txt"
[ "${PIPESTATUS[0]}" = 0 ] || status=1

# Unit suites are independent and light: two workers. Integration suites start servers, sandboxes
# and browsers that each want the whole machine: one at a time.
# (Arguments, e.g. test files, select suites: then one in-band run.)
export NODE_OPTIONS=--experimental-vm-modules
if [ $# -gt 0 ]; then
  echo "== jest $*"
  npx jest --runInBand --json --outputFile="$out/jest-unit.json" "$@" || status=1
  echo '{"numPassedTests":0,"numFailedTests":0,"numPendingTests":0,"numTodoTests":0}' >"$out/jest-int.json"
else
  echo "== jest: unit"
  npx jest --maxWorkers=2 --testPathIgnorePatterns '\.int\.test\.ts$' --json --outputFile="$out/jest-unit.json" || status=1
  echo "== jest: integration"
  npx jest --runInBand --testPathPatterns '\.int\.test\.ts$' --json --outputFile="$out/jest-int.json" || status=1
fi

node -e '
const fs = require("fs");
const [pyFile, ...jestFiles] = process.argv.slice(1);
let p = 0, f = 0, s = 0;
for (const jestFile of jestFiles) {
  try { const j = JSON.parse(fs.readFileSync(jestFile, "utf8")); p += j.numPassedTests; f += j.numFailedTests + (j.numRuntimeErrorTestSuites || 0); s += j.numPendingTests + j.numTodoTests; } catch { f += 1; }
}
const py = fs.readFileSync(pyFile, "utf8");
const ran = /Ran (\d+) test/.exec(py); const failed = /FAILED \((?:failures=(\d+))?(?:, )?(?:errors=(\d+))?/.exec(py); const skipped = /skipped=(\d+)/.exec(py);
if (ran) { const n = +ran[1]; const bad = failed ? (+(failed[1] || 0) + +(failed[2] || 0)) : 0; const sk = skipped ? +skipped[1] : 0; p += n - bad - sk; f += bad; s += sk; } else f += 1;
console.log(`${p} passed, ${f} failed, ${s} skipped`);
' "$out/py.txt" "$out/jest-unit.json" "$out/jest-int.json"
rm -rf "$out"
exit $status

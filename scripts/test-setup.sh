#!/usr/bin/env bash
# Installs what the test suite needs from Debian (browser, fonts, PyTorch) when we are root and it is missing;
# the Slurm tests start their own cluster (scripts/slurm/start.sh installs its packages).
# Tests that still lack their tool skip with a visible reason, so this never fails the run.
set -uo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# PyTorch is the independent peer the sweep is checked against (test/bench/torch-sweep.test.ts).
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch libopenblas0-pthread)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-setup: installing ${need[*]} from Debian"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}") >/tmp/linpath-test-setup.log 2>&1 \
    || echo "test-setup: apt-get failed (see /tmp/linpath-test-setup.log); the tests that need ${need[*]} will skip"
fi
npm run build --silent || exit 1
# tsx runs the stages without type-checking them: check the whole tree here.
npm run typecheck --silent || exit 1

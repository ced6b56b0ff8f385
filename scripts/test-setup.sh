#!/usr/bin/env bash
# Installs what the test suite needs from Debian (browser, fonts, Slurm, PyTorch) when we are root and it is missing.
# Tests that still lack their tool skip with a visible reason, so this never fails the run.
set -uo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# The Slurm tests start a local cluster (scripts/slurm/start.sh); installing it here shares one apt-get update.
command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 || need+=(slurmctld slurmd slurm-client munge)
# Mesa's llvmpipe serves Dawn's OpenGL ES backend: the webgpu backend's tests run on it (test/ml/backend/webgpu.test.ts).
ls /usr/lib/*/libEGL_mesa.so.0 /usr/lib/*/libGLESv2.so.2 >/dev/null 2>&1 && ls /usr/lib/*/dri/swrast_dri.so >/dev/null 2>&1 || need+=(libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)
# nginx serves the HTTP remote's tests (test/engine/remote/): Debian's nginx has the WebDAV module (PUT, MKCOL) built in;
# openssl makes the certificate of its HTTPS port.
[ -x /usr/sbin/nginx ] || need+=(nginx)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
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
# Import cycles and the boundaries between engine, ml, report, artifacts and stages (eslint.config.js); cached between runs.
npm run lint --silent || exit 1
# Code is formatted by prettier (.prettierrc.json; prose, pipeline files and data are not): `npm run format` fixes it.
npm run format:check --silent >/dev/null || { npx prettier --list-different . | sed 's/^/not formatted: /'; echo 'test-setup: run `npm run format`'; exit 1; }

#!/usr/bin/env bash
# Runs the default test suite (everything but [slow]) on the build in build/.
# XBARSIM_SLOW_TESTS=ON at configure time adds the [slow] tests.
set -euo pipefail
cd "$(dirname "$0")/.."
ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 900 "$@"

#!/usr/bin/env bash
# Installs every Debian 12 package xbarsim needs to build, test and run (as root).
# Idempotent: skips apt entirely when everything is already installed.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang-format
  # libraries (see shared/DEPENDENCIES.md for targets and traps)
  libarmadillo-dev libopenblas-dev libboost-dev libtbb-dev libhdf5-dev hdf5-tools
  libtoml11-dev libcli11-dev librandom123-dev nlohmann-json3-dev catch2 libsuitesparse-dev zlib1g-dev
  libopenmpi-dev openmpi-bin
  # independent references used by the tests
  ngspice python3-numpy python3-h5py python3-pandas dataset-fashion-mnist python3-torch python3-onnx libonnx-dev libprotobuf-dev protobuf-compiler
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

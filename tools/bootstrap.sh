#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks for edgesmith: uv (from PyPI), Tesseract OCR, the plate
# fonts and the aarch64 cross compiler (apt). Idempotent: does nothing when all are present.
set -euo pipefail

if ! command -v uv >/dev/null 2>&1; then
  echo "bootstrap: installing uv with pip" >&2
  python3 -m pip install --quiet --disable-pip-version-check uv
  command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
  if ! command -v uv >/dev/null 2>&1; then
    bin="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
    echo "bootstrap: uv was installed in $bin, which is not on PATH; add it: export PATH=\"$bin:\$PATH\"" >&2
    exit 1
  fi
fi

if ! command -v tesseract >/dev/null 2>&1; then
  echo "bootstrap: installing tesseract-ocr with apt-get" >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null
fi

# Plate fonts: the TRAINING faces (edgesmith.datasets.plate_fonts.TRAINING_FONTS) and, disjoint from them,
# the faces of the independent held-out plate photos (tests/heldout_plates).
training_fonts="fonts-dejavu-core fonts-liberation fonts-freefont-ttf fonts-hack fonts-inconsolata fonts-jetbrains-mono fonts-firacode fonts-open-sans fonts-cantarell fonts-lato fonts-inter fonts-b612 fonts-go fonts-bebas-neue fonts-anonymous-pro fonts-clear-sans fonts-karla fonts-roboto fonts-opendin fonts-roadgeek fonts-tiresias fonts-national-park fonts-ocr-b fonts-osifont fonts-allerta fonts-paratype fonts-play fonts-tuffy fonts-sora fonts-manrope fonts-monoid fonts-sil-andika"
heldout_fonts="fonts-cabin fonts-dosis fonts-jura fonts-fantasque-sans fonts-agave fonts-hermit fonts-3270 fonts-oxygen fonts-mononoki fonts-league-spartan fonts-comfortaa fonts-quicksand"
missing_fonts=""
for pkg in $training_fonts $heldout_fonts; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing_fonts="$missing_fonts $pkg"
done
if [ -n "$missing_fonts" ] && command -v apt-get >/dev/null 2>&1; then
  echo "bootstrap: installing the plate fonts with apt-get:$missing_fonts" >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing_fonts >/dev/null
fi

# The aarch64 cross compiler: TVM's rpi4/rpi5/jetson presets build aarch64 libraries on this machine, and the
# tests check them as aarch64 ELF shared objects (running them needs the board).
if ! command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "bootstrap: installing g++-aarch64-linux-gnu with apt-get" >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends g++-aarch64-linux-gnu >/dev/null
fi

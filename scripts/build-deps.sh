#!/usr/bin/env bash
# Installs what building Vigie needs on Debian or Ubuntu, when missing: a C toolchain,
# clang and the libbpf headers for the agent's eBPF programs, libelf and zlib for
# libbpf itself, the DejaVu fonts that PDF reports embed.
# Installe ce dont la compilation de Vigie a besoin sur Debian ou Ubuntu, s'il manque :
# chaîne C, clang et en-têtes libbpf (programmes eBPF de l'agent), libelf et zlib,
# polices DejaVu incorporées aux rapports PDF.
set -euo pipefail

sudo_if_needed() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v clang >/dev/null 2>&1 || missing+=(clang)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
[ -f /usr/include/bpf/bpf_helpers.h ] || missing+=(libbpf-dev)
[ -f /usr/include/libelf.h ] || missing+=(libelf-dev)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing / installation : ${missing[*]}"
    sudo_if_needed apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

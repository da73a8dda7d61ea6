#!/bin/bash
# Install what vsw needs on Debian 12 (as root) and reserve hugepages.
# Idempotent: does nothing that is already done.
set -euo pipefail

PACKAGES=(
	dpdk dpdk-dev libdpdk-dev meson ninja-build pkg-config gcc
	libnuma-dev libpcap-dev libyaml-dev libjansson-dev
	python3-pytest python3-scapy iproute2 procps ethtool iputils-ping iperf3
	qemu-system-x86
	python3-matplotlib openvswitch-switch-dpdk
	clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	apt-get update -q
	# --no-install-recommends: Open vSwitch is only a benchmark peer here,
	# started privately by perf/e2e/vm2vm.py, never as a service.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}"
fi

# 2 MB hugepages: vswd and each DPDK frontend take theirs from here.
want=${VSW_HUGEPAGES:-1024}
have=$(cat /proc/sys/vm/nr_hugepages)
if [ "$have" -lt "$want" ]; then
	echo "$want" > /proc/sys/vm/nr_hugepages
fi
if ! mountpoint -q /dev/hugepages; then
	mkdir -p /dev/hugepages
	mount -t hugetlbfs nodev /dev/hugepages
fi
echo "install-deps: hugepages $(cat /proc/sys/vm/nr_hugepages) x 2 MB at /dev/hugepages"

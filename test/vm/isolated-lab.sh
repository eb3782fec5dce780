#!/usr/bin/env bash
# Run one Vagrant-backend lab cycle on real VMs with libvirtd and vagrant confined to a network
# namespace and a private mount namespace made for this run (no bridge, tap or address appears in the
# root namespace; a libvirtd already on the machine is neither used nor disturbed).
# Usage (root): isolated-lab.sh BOXDIR LAB_CLI SCENARIO_FILE WORKDIR FAULT
set -euo pipefail
BOX=$1 CLI=$2 SCENARIO=$3 WORK=$4 FAULT=$5
NS=stacklab-vm-$$
[ -c /dev/kvm ] && chgrp kvm /dev/kvm 2>/dev/null && chmod 0660 /dev/kvm   # without udev libvirt re-probes QEMU forever
ip netns add "$NS"
cleanup() {
  ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
  sleep 1
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
ip netns exec "$NS" unshare -m --propagation private env BOX="$BOX" CLI="$CLI" SCENARIO="$SCENARIO" WORK="$WORK" FAULT="$FAULT" bash -s <<'INNER'
set -euo pipefail
stop() {
  for f in /run/libvirt/lab-libvirtd.pid /run/libvirt/lab-virtlogd.pid; do
    if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
  done
}
trap stop EXIT
ip link set lo up
for d in /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt /etc/libvirt/qemu /etc/libvirt/storage /etc/libvirt/nwfilter "$WORK/vagrant.d"; do
  mkdir -p "$d"; mount -t tmpfs tmpfs "$d"
done
mkdir -p /var/lib/libvirt/boot /var/lib/libvirt/images /var/lib/libvirt/qemu /etc/libvirt/qemu/networks /var/log/libvirt/qemu
/usr/sbin/virtlogd -d -p /run/libvirt/lab-virtlogd.pid
/usr/sbin/libvirtd -d -p /run/libvirt/lab-libvirtd.pid
for _ in $(seq 1 100); do virsh -c qemu:///system version >/dev/null 2>&1 && break; sleep 0.1; done
virsh -c qemu:///system pool-define-as default dir --target /var/lib/libvirt/images >/dev/null
virsh -c qemu:///system pool-start default >/dev/null
export VAGRANT_HOME=$WORK/vagrant.d VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_BOX_UPDATE_CHECK_DISABLE=1 \
       VAGRANT_SERVER_URL=http://127.0.0.1:9 LIBVIRT_DEFAULT_URI=qemu:///system STACKLAB_HOME=$WORK/labs \
       STACKLAB_LIBVIRT_DRIVER=qemu STACKLAB_SKIP_HOSTNAME=1 STACKLAB_BOOT_TIMEOUT=600 \
       STACKLAB_KERNEL=/var/lib/libvirt/boot/tiny-vmlinuz STACKLAB_INITRD=/var/lib/libvirt/boot/tiny-initrd.img
install -m 644 "$BOX/vmlinuz" /var/lib/libvirt/boot/tiny-vmlinuz
install -m 644 "$BOX/initrd.img" /var/lib/libvirt/boot/tiny-initrd.img
vagrant box add --name local/tiny "$BOX/tiny.box" </dev/null >/dev/null
cd "$WORK"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
lab() { local mark=$1; shift; local t rc=0; t=$(date +%s%N); node "$CLI" "$@" </dev/null || rc=$?; echo "MARK $mark rc=$rc ms=$(ms "$t")" >&2; }
lab up1 up "$SCENARIO"
# the checks from the host (the outside tester) and over ssh2; a fault; the checks again; revert
lab test1 test "$SCENARIO" --backend vagrant --json >"$WORK/test1.json"
lab fault fault "$SCENARIO" "$FAULT" --backend vagrant
lab test2 test "$SCENARIO" --backend vagrant --json >"$WORK/test2.json"
lab revert fault "$SCENARIO" "$FAULT" --backend vagrant --revert
lab test3 test "$SCENARIO" --backend vagrant --json >"$WORK/test3.json"
# re-run the namespaces' phases on live VMs: each starts from clean, and the lab still works
lab reprovision provision "$SCENARIO" --from-phase routers
lab test4 test "$SCENARIO" --backend vagrant --json >"$WORK/test4.json"
lab up2 up "$SCENARIO"
name=$(basename "$SCENARIO" .yaml)
echo "MARK boot $(tr -d ' \n' < "$WORK/labs/$name/boot.json")" >&2
echo "MARK ssh $(node "$(dirname "$CLI")/bench/ssh-vm.js" "$WORK/labs/$name" ctl 5 || echo "{}")" >&2
node "$CLI" status "$SCENARIO" --backend vagrant </dev/null || true
echo "MARK domains-before $(virsh list --all --name | grep -c . || true)"
lab destroy destroy "$SCENARIO" --backend vagrant
echo "MARK left domains=$(virsh list --all --name | grep -c . || true) networks=$(virsh net-list --all --name | grep -c "^$name-" || true) volumes=$(virsh vol-list default | grep -c "$name" || true)"
INNER

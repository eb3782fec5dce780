#!/bin/bash
# (From shared/recipes/vagrant-tcg, measured there.) Build a tiny SSH-able Linux guest for vagrant-libvirt / QEMU-TCG tests, from Debian packages only
# (apt-get download; no root filesystem bootstrap, no internet beyond the Debian archive):
#   kernel  = Debian linux-image-6.1.0-*-amd64 (vmlinuz + the virtio modules it needs)
#   rootfs  = initramfs: busybox-static (init, sh, udhcpc, httpd, nc) + dropbear (sshd)
#             + the data-plane profile's tools: kernel modules (veth, bridge, vxlan, nf_tables with the
#             iptables/ebtables compat targets), iproute2 (ip, bridge), iptables-nft/ebtables-nft with
#             their extensions, iputils ping, curl and bash, copied from this host's installed Debian
#             packages with the libraries ldd names (the host must be Debian 12, like the kernel)
#   login   = user 'vagrant' (uid 0, so provisioning needs no sudo) with Vagrant's insecure public key
# Outputs in OUTDIR: vmlinuz, initrd.img (gzip cpio), tiny.box (vagrant-libvirt box with a 1 MiB dummy disk)
# Usage: build-tiny-guest.sh OUTDIR
set -euo pipefail
OUT=${1:?usage: build-tiny-guest.sh OUTDIR}
WORK=${WORK:-/tmp/tinyvm/tinybuild}
PUBKEY=${PUBKEY:-/usr/share/rubygems-integration/all/gems/vagrant-2.3.4/keys/vagrant.pub}
t0=$(date +%s.%N); ts() { printf '[%5.1fs] %s\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$*"; }
rm -rf "$WORK"; mkdir -p "$WORK/debs" "$WORK/x" "$OUT"

KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
ts "apt-get download $KPKG busybox-static dropbear-bin libtomcrypt1 libtommath1"
(cd "$WORK/debs" && apt-get download -q "$KPKG" busybox-static dropbear-bin libtomcrypt1 libtommath1 >/dev/null 2>&1)
for d in "$WORK"/debs/*.deb; do dpkg-deb -x "$d" "$WORK/x"; done
KVER=${KPKG#linux-image-}
ts "unpacked ($(du -sh "$WORK/debs" | cut -f1) of .debs)"

R=$WORK/root; X=$WORK/x
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc/dropbear,proc,sys,dev,tmp,run,root,home/vagrant/.ssh,lib/modules,lib64,lib/x86_64-linux-gnu,var/log}
cp "$X/bin/busybox" "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do [ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"; done
ln -sf ../bin/busybox "$R/sbin/init"; ln -sf bin/busybox "$R/init"
# vagrant's sudo_command is 'sudo -E -H %c': give it a shim
cat > "$R/usr/bin/sudo" <<'EOF'
#!/bin/sh
# sudo shim: everyone who logs in is uid 0 already
while [ $# -gt 0 ]; do case "$1" in -u|-g) shift 2;; --) shift; break;; -*) shift;; *) break;; esac; done
[ $# -eq 0 ] && exit 0
exec "$@"
EOF
chmod 755 "$R/usr/bin/sudo"
# dropbear + its shared libraries
cp "$X/usr/sbin/dropbear" "$R/usr/sbin/"; cp "$X/usr/bin/dropbearkey" "$R/usr/bin/"
for lib in $(LD_LIBRARY_PATH="$X/usr/lib/x86_64-linux-gnu" ldd "$X/usr/sbin/dropbear" | awk '/=>/{print $3} /ld-linux/{print $1}'); do
  case $lib in */ld-linux*) cp -L "$lib" "$R/lib64/";; *) cp -L "$lib" "$R/lib/x86_64-linux-gnu/";; esac
done
# Kernel modules, each after the modules it depends on (read from the module's own depends= field):
# virtio NICs (+ e1000 fallback, virtio-rng for entropy), then what the DVR data plane uses.
M=$X/lib/modules/$KVER/kernel
declare -A KO=() LOADED=()
while read -r f; do b=${f##*/}; b=${b%.ko}; KO[${b//-/_}]=$f; done < <(find "$M" -name '*.ko')
order=()
want() {
  local m=${1//-/_} d
  [ -n "${LOADED[$m]:-}" ] && return 0
  [ -n "${KO[$m]:-}" ] || { echo "no module $1 in $KPKG" >&2; exit 1; }
  LOADED[$m]=1
  for d in $(tr '\0' '\n' < "${KO[$m]}" | sed -n 's/^depends=//p' | head -1 | tr ',' ' '); do want "$d"; done
  cp "${KO[$m]}" "$R/lib/modules/"; order+=("$(basename "${KO[$m]}" .ko)")
}
for m in virtio_pci virtio_net virtio-rng e1000 \
         veth bridge vxlan crc32c_generic nf_tables nft_compat nft_chain_nat nft_meta_bridge \
         xt_nat xt_CT xt_tcpudp ebt_snat ebt_ip ebt_arp; do want "$m"; done
echo "${order[*]}" > "$R/lib/modules/order"

# User-space tools from this host's Debian packages, with their libraries. The real tools replace
# busybox applets of the same name (busybox ip/ping lack netns, vxlan, ping -M do; its nsenter
# would run its own applets).
for t in ip:iproute2 bridge:iproute2 nsenter:util-linux sysctl:procps xtables-nft-multi:iptables ping:iputils-ping curl:curl bash:bash; do
  command -v "${t%%:*}" >/dev/null || { echo "build-tiny-box.sh needs ${t%%:*} on this host: apt-get install -y ${t#*:}" >&2; exit 1; }
done
copy_libs() { # FILE: the shared libraries it loads, into the guest's library directories
  for lib in $(ldd "$1" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}'); do
    case $lib in */ld-linux*) cp -L "$lib" "$R/lib64/";; *) cp -L "$lib" "$R/lib/x86_64-linux-gnu/";; esac
  done
}
copy_with_libs() { # FILE DESTDIR
  install -D -m 755 "$(readlink -f "$1")" "$2/${1##*/}"; copy_libs "$1"
}
for b in ip bridge nsenter sysctl; do rm -f "$R/bin/$b" "$R/sbin/$b"; copy_with_libs "$(command -v $b)" "$R/usr/sbin"; done
copy_with_libs "$(command -v xtables-nft-multi)" "$R/usr/sbin"
for l in iptables iptables-restore iptables-save ebtables ebtables-restore ebtables-save; do ln -sf xtables-nft-multi "$R/usr/sbin/$l"; done
XT=/usr/lib/x86_64-linux-gnu/xtables; mkdir -p "$R$XT"
for so in "$XT"/*.so; do cp "$so" "$R$XT/"; copy_libs "$so"; done
for b in ping curl bash; do rm -f "$R/bin/$b"; copy_with_libs "$(command -v $b)" "$R/usr/bin"; done
# /bin/sh is bash too: busybox sh would run its own ip/ping applets whatever PATH says
ln -sf ../usr/bin/bash "$R/bin/bash"; ln -sf ../usr/bin/bash "$R/bin/sh"
for f in /etc/ethertypes /etc/protocols /etc/services; do [ -f "$f" ] && cp "$f" "$R/etc/"; done
mkdir -p "$R/run/netns" "$R/var/lib/stacklab"

cat > "$R/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
vagrant:x:0:0:vagrant:/home/vagrant:/bin/bash
EOF
printf 'root:*:19000:0:99999:7:::\nvagrant:*:19000:0:99999:7:::\n' > "$R/etc/shadow"; chmod 600 "$R/etc/shadow"
printf 'root:x:0:\nvagrant:x:0:\n' > "$R/etc/group"
printf '/bin/sh\n/bin/bash\n' > "$R/etc/shells"
echo 'hosts: files' > "$R/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n' > "$R/etc/hosts"
install -m 600 "$PUBKEY" "$R/home/vagrant/.ssh/authorized_keys"; chmod 700 "$R/home/vagrant/.ssh"
cat > "$R/etc/os-release" <<'EOF'
NAME="tiny (busybox+dropbear)"
ID=linux
PRETTY_NAME="tiny guest"
EOF
cat > "$R/etc/inittab" <<'EOF'
::sysinit:/etc/rc.sh
::respawn:/usr/sbin/dropbear -F -E -R -s -p 22
::respawn:/bin/udhcpc -f -i eth0 -s /etc/udhcpc.sh -t 1000 -T 2
::shutdown:/bin/sync
::ctrlaltdel:/sbin/poweroff
EOF
cat > "$R/etc/rc.sh" <<'EOF'
#!/bin/sh
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts; mount -t devpts -o gid=5,mode=620 devpts /dev/pts; mount -t tmpfs tmp /tmp
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko 2>/dev/null; done
# hostname: last byte of the first NIC's MAC
mac=$(cat /sys/class/net/eth0/address 2>/dev/null); hostname "tiny-${mac##*:}"
ip link set lo up
for i in /sys/class/net/eth*; do ip link set "${i##*/}" up; done
sysctl -qw net.ipv4.ping_group_range="0 2147483647"
echo 1 > /proc/sys/kernel/printk 2>/dev/null
echo "TINY rc.sh done at $(cut -d' ' -f1 /proc/uptime)s uptime: $(ls /sys/class/net | tr '\n' ' ')" > /dev/console
EOF
chmod 755 "$R/etc/rc.sh"
cat > "$R/etc/udhcpc.sh" <<'EOF'
#!/bin/sh
# busybox udhcpc hook: address only, never a default route (every network here is isolated)
case "$1" in
  deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew) ip -4 addr flush dev "$interface"; ip addr add "$ip/${mask:-24}" dev "$interface"
               echo "TINY dhcp $1 $interface $ip at $(cut -d' ' -f1 /proc/uptime)s" > /dev/console ;;
esac
EOF
chmod 755 "$R/etc/udhcpc.sh"
ts "rootfs assembled ($(du -sh "$R" | cut -f1))"

(cd "$R" && find . | "$X/bin/busybox" cpio -o -H newc 2>/dev/null) | gzip -9 > "$OUT/initrd.img"
cp "$X/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
ts "initrd.img $(stat -c %s "$OUT/initrd.img") bytes, vmlinuz $(stat -c %s "$OUT/vmlinuz") bytes ($KVER)"

# A vagrant-libvirt box whose disk is a 1 MiB-virtual dummy qcow2: the guest boots from kernel+initrd
# given in the project Vagrantfile (libvirt.kernel/initrd), so vagrant's normal box flow
# (box add, CoW volume, wait for DHCP lease + SSH) is exercised.
B=$WORK/box; mkdir -p "$B"
qemu-img create -q -f qcow2 "$B/box.img" 1M
echo '{"provider": "libvirt", "format": "qcow2", "virtual_size": 1}' > "$B/metadata.json"
printf 'Vagrant.configure("2") do |config|\n  config.vm.provider :libvirt do |lv|\n    lv.driver = "qemu"\n  end\nend\n' > "$B/Vagrantfile"
tar -C "$B" -czf "$OUT/tiny.box" metadata.json Vagrantfile box.img
ts "box $(stat -c %s "$OUT/tiny.box") bytes"

# ---- optional: a self-contained bootable box (no host kernel paths needed) ----------------------------
# BOOTABLE=1: 64 MiB disk = MBR (syslinux mbr.bin) + one ext2 partition holding extlinux, vmlinuz and the initrd.
# Needs: extlinux syslinux-common (apt), fdisk (sfdisk), e2fsprogs. Uses a loop device with an offset (no udev needed).
if [ "${BOOTABLE:-0}" = 1 ]; then
  D=$WORK/disk; mkdir -p "$D/stage/boot/extlinux"
  cp "$OUT/vmlinuz" "$OUT/initrd.img" "$D/stage/boot/"
  printf 'DEFAULT linux\nTIMEOUT 0\nPROMPT 0\nLABEL linux\n  LINUX /boot/vmlinuz\n  INITRD /boot/initrd.img\n  APPEND console=ttyS0 net.ifnames=0\n' > "$D/stage/boot/extlinux/extlinux.conf"
  RAW=$D/disk.raw; truncate -s 64M "$RAW"
  printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$RAW"
  mke2fs -q -t ext2 -L tinyboot -E offset=1048576 -d "$D/stage" "$RAW" 63M
  LOOP=$(losetup --show -f -o 1048576 "$RAW"); mkdir -p "$D/mnt"; mount "$LOOP" "$D/mnt"
  extlinux --install "$D/mnt/boot/extlinux" >/dev/null 2>&1; umount "$D/mnt"; losetup -d "$LOOP"
  dd if=/usr/lib/syslinux/mbr/mbr.bin of="$RAW" bs=440 count=1 conv=notrunc status=none
  BB=$D/box; mkdir -p "$BB"; qemu-img convert -c -O qcow2 "$RAW" "$BB/box.img"
  echo '{"provider": "libvirt", "format": "qcow2", "virtual_size": 1}' > "$BB/metadata.json"
  printf 'Vagrant.configure("2") do |config|\n  config.vm.provider :libvirt do |lv|\n    lv.driver = "qemu"\n  end\nend\n' > "$BB/Vagrantfile"
  tar -C "$BB" -czf "$OUT/tiny-disk.box" metadata.json Vagrantfile box.img
  ts "bootable box $(stat -c %s "$OUT/tiny-disk.box") bytes (box.img $(stat -c %s "$BB/box.img") bytes)"
fi

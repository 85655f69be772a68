#!/bin/bash
# guests/linux/build.sh - builds the Linux guest for the virt board: a riscv64 kernel Image from
# Debian's linux-source-6.1 (defconfig + cairn.config) and an initramfs with a static busybox from
# Debian's busybox source package, into a cache outside the repo; rebuilds only what changed.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${CAIRN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn}/guests/linux
JOBS=${JOBS:-2}
KSRC_TAR=/usr/src/linux-source-6.1.tar.xz
CROSS=riscv64-linux-gnu-
FRAGMENT=$HERE/cairn.config
INIT=$HERE/init
UDHCPC_SCRIPT=$HERE/udhcpc.script
# Bump these when a stage's build steps below change (the stamps also hold package versions and
# the hashes of cairn.config, init and udhcpc.script, so edits to those rebuild by themselves).
KERNEL_RECIPE=2
BUSYBOX_RECIPE=2
INITRAMFS_RECIPE=3
FORCE=0 WHAT=all
for a in "$@"; do
    case $a in
    --force) FORCE=1 ;;
    all|kernel|initramfs) WHAT=$a ;;
    -h|--help) echo "usage: $0 [--force] [all|kernel|initramfs]   (outputs in $CACHE; JOBS=$JOBS)"
               exit 0 ;;
    *) echo "$0: unknown argument $a (try --help)" >&2; exit 2 ;;
    esac
done

T0=$(date +%s)
# One build at a time per cache: tests, `make run` and people may start this concurrently.
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
# One fixed date for build stamps (uname -v, busybox's banner) and archive mtimes: identical
# inputs give identical outputs.
EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
export SOURCE_DATE_EPOCH=$EPOCH
step() { printf '[linux-guest %4ds] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die() { printf '[linux-guest] ERROR: %s\n' "$*" >&2; exit 1; }
# built_make NAME LOG OBJDIR TOTAL "$@": runs the make "$@" in the background with its output
# in LOG and every 30 s prints "[NAME done/total objects]": done counts the .o files under
# OBJDIR (so an incremental build starts near the end), total is the count after the last
# complete build (cached in $CACHE/NAME.objects), else TOTAL, this recipe's count.
objects() { find "$1" -name '*.o' 2>/dev/null | wc -l; }
built_make() {
    local name=$1 log=$2 dir=$3 total=$4 pid n
    shift 4
    [ -s "$CACHE/$name.objects" ] && total=$(cat "$CACHE/$name.objects")
    "$@" >"$log" 2>&1 &
    pid=$!
    while kill -0 $pid 2>/dev/null; do
        for n in $(seq 30); do sleep 1; kill -0 $pid 2>/dev/null || break; done
        kill -0 $pid 2>/dev/null && step "[$name $(objects "$dir")/$total objects]"
    done
    wait $pid || { tail -40 "$log" >&2; die "$name build failed (log $log)"; }
    objects "$dir" > "$CACHE/$name.objects"
}
# Runs "$@" with its output in a log; on failure shows the log's tail.
logged() {
    local log=$1; shift
    if ! "$@" >"$log" 2>&1; then tail -40 "$log" >&2; die "failed: $* (full log: $log)"; fi
}

# ---------------------------------------------------------------------------------------------
# 1. Debian build dependencies (installs only what is missing; as root or through sudo)
DEPS="linux-source-6.1 gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross
      linux-libc-dev-riscv64-cross make gcc libc6-dev flex bison bc libssl-dev libelf-dev cpio
      dpkg-dev xz-utils bzip2 gzip patch perl file ca-certificates"
missing=""
for p in $DEPS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
if [ -n "$missing" ]; then
    step "installing Debian packages:$missing"
    $SUDO apt-get update -o DPkg::Lock::Timeout=600 >/dev/null || true
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        -o DPkg::Lock::Timeout=600 $missing
else
    step "Debian build dependencies present"
fi

mkdir -p "$CACHE"/src "$CACHE"/build "$CACHE"/apt "$CACHE"/logs

# ---------------------------------------------------------------------------------------------
# 2. Private apt configuration for `apt-get source busybox`: a deb-src list derived from the
#    machine's own deb entries, with lists and cache under $CACHE (system apt state untouched).
APT=$CACHE/apt
mkdir -p "$APT"/lists/partial "$APT"/cache/archives/partial "$APT"/sources.list.d
make_src_list() {
    local f
    {
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] || continue
            sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f"
        done
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] || continue
            # deb822 stanzas: emit one deb-src line per suite of every "Types: deb" stanza.
            awk 'function flush() {
                     if (types ~ /(^| )deb( |$)/ && uris != "" && enabled != "no") {
                         n = split(suites, s, " "); opt = (sb != "") ? "[signed-by=" sb "] " : ""
                         m = split(uris, u, " ")
                         for (j = 1; j <= m; j++) for (i = 1; i <= n; i++)
                             print "deb-src " opt u[j] " " s[i] " " comps
                     }
                     types = uris = suites = comps = sb = enabled = ""
                 }
                 /^[[:space:]]*$/ { flush(); next }
                 /^#/ { next }
                 { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ /, "")
                   if (key == "types") types = $0; else if (key == "uris") uris = $0
                   else if (key == "suites") suites = $0; else if (key == "components") comps = $0
                   else if (key == "signed-by") sb = $0; else if (key == "enabled") enabled = tolower($0) }
                 END { flush() }' "$f"
        done
    } | grep -v 'packages.cloud.google\|nodesource' | sort -u
}
make_src_list > "$APT/sources.list.new"
[ -s "$APT/sources.list.new" ] || die "no deb entry found in /etc/apt to derive a deb-src line from"
APTO=(-o Dir::Etc::SourceList="$APT/sources.list" -o Dir::Etc::SourceParts="$APT/sources.list.d"
      -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache" -o APT::Sandbox::User=root)
if ! cmp -s "$APT/sources.list.new" "$APT/sources.list" || [ -z "$(ls "$APT"/lists/*Sources* 2>/dev/null)" ] \
   || [ -n "$(find "$APT/lists" -maxdepth 1 -name '*Sources*' -mtime +7)" ]; then
    mv "$APT/sources.list.new" "$APT/sources.list"
    step "updating private deb-src lists ($APT)"
    logged "$CACHE/logs/apt-update.log" apt-get "${APTO[@]}" update
else
    rm -f "$APT/sources.list.new"
fi
BB_VER=$(apt-cache "${APTO[@]}" showsrc busybox | sed -n 's/^Version: //p' | sort -V | tail -1)
[ -n "$BB_VER" ] || die "busybox source package not found with $APT/sources.list"
K_VER=$(dpkg-query -W -f='${Version}' linux-source-6.1)
GCC_VER=$(dpkg-query -W -f='${Version}' gcc-riscv64-linux-gnu)
step "inputs: linux-source-6.1 $K_VER, busybox $BB_VER, gcc-riscv64-linux-gnu $GCC_VER"

hash_of() { cat "$@" | sha256sum | cut -c1-16; }
KSTAMP="kernel recipe=$KERNEL_RECIPE linux-source-6.1=$K_VER gcc=$GCC_VER fragment=$(hash_of "$FRAGMENT")"
BSTAMP="busybox recipe=$BUSYBOX_RECIPE busybox=$BB_VER gcc=$GCC_VER"
ISTAMP="initramfs recipe=$INITRAMFS_RECIPE $BSTAMP init=$(hash_of "$INIT" "$UDHCPC_SCRIPT")"
stamp_ok() { [ "$FORCE" = 0 ] && [ -f "$CACHE/$1" ] && [ -f "$CACHE/$2" ] && [ "$(cat "$CACHE/$2")" = "$3" ]; }

# ---------------------------------------------------------------------------------------------
# 3. Kernel: defconfig + cairn.config (merge_config.sh), then `make Image` out of tree.
REQUIRED="SOC_VIRT MMU SMP RISCV_SBI RISCV_SBI_V01 HVC_RISCV_SBI SERIAL_EARLYCON_RISCV_SBI
    SERIAL_8250 SERIAL_8250_CONSOLE SERIAL_OF_PLATFORM SIFIVE_PLIC RISCV_TIMER VIRTIO_MMIO
    VIRTIO_BLK VIRTIO_NET VIRTIO_CONSOLE HW_RANDOM HW_RANDOM_VIRTIO EXT4_FS RTC_CLASS
    RTC_DRV_GOLDFISH POWER_RESET POWER_RESET_SYSCON POWER_RESET_SYSCON_POWEROFF BLK_DEV_INITRD
    RD_GZIP DEVTMPFS DEVTMPFS_MOUNT TMPFS PROC_FS SYSFS NET INET PACKET UNIX TTY BINFMT_ELF
    PRINTK"
check_kconfig() {
    local cfg=$1 bad="" o n
    for o in $REQUIRED; do
        grep -qx "CONFIG_$o=y" "$cfg" || bad="$bad $o($(grep -E "^(# )?CONFIG_${o}[= ]" "$cfg" || echo absent))"
    done
    n=$(sed -n 's/^CONFIG_NR_CPUS=//p' "$cfg")
    [ "${n:-0}" -ge 8 ] || bad="$bad NR_CPUS=${n:-unset}"
    [ -z "$bad" ] || die "kernel .config lacks required options:$bad"
}
KSRC=$CACHE/src/linux-source-6.1
KOUT=$CACHE/build/linux
if [ "$WHAT" = initramfs ]; then
    step "kernel skipped (initramfs only)"
elif stamp_ok Image kernel.stamp "$KSTAMP"; then
    step "kernel up to date ($CACHE/Image)"
else
    KT0=$(date +%s)
    if [ ! -f "$KSRC/.cairn-extracted" ] || [ "$(cat "$KSRC/.cairn-extracted")" != "$K_VER" ]; then
        step "extracting $KSRC_TAR"
        rm -rf "$KSRC"
        tar -C "$CACHE/src" -xf "$KSRC_TAR"
        echo "$K_VER" > "$KSRC/.cairn-extracted"
        rm -rf "$KOUT"   # objects from another source version
    fi
    mkdir -p "$KOUT"
    KMAKE=(make -C "$KSRC" O="$KOUT" ARCH=riscv CROSS_COMPILE="$CROSS" KBUILD_BUILD_USER=cairn
           KBUILD_BUILD_HOST=cairn KBUILD_BUILD_VERSION=1
           KBUILD_BUILD_TIMESTAMP="$(LC_ALL=C date -u -d "@$EPOCH")")
    step "kernel: defconfig + cairn.config"
    logged "$CACHE/logs/kernel-config.log" "${KMAKE[@]}" defconfig
    ( cd "$KSRC" && ARCH=riscv CROSS_COMPILE=$CROSS scripts/kconfig/merge_config.sh -m -O "$KOUT" \
        "$KOUT/.config" "$FRAGMENT" ) >>"$CACHE/logs/kernel-config.log" 2>&1 \
        || die "merge_config.sh failed (see $CACHE/logs/kernel-config.log)"
    logged "$CACHE/logs/kernel-olddefconfig.log" "${KMAKE[@]}" olddefconfig
    check_kconfig "$KOUT/.config"
    kkind=incremental
    [ -f "$KOUT/vmlinux" ] || kkind="from scratch"
    step "kernel: make -j$JOBS Image (from scratch 10-15 min on 2 idle cores, 25 min on busy ones; log $CACHE/logs/kernel.log)"
    built_make kernel "$CACHE/logs/kernel.log" "$KOUT" 1251 "${KMAKE[@]}" -j"$JOBS" Image
    cp "$KOUT/arch/riscv/boot/Image" "$CACHE/Image.tmp" && mv "$CACHE/Image.tmp" "$CACHE/Image"
    cp "$KOUT/.config" "$CACHE/kernel.config"
    cat "$KOUT/include/config/kernel.release" > "$CACHE/kernel.release"
    echo "$(( $(date +%s) - KT0 ))s ($kkind, -j$JOBS)" > "$CACHE/kernel.seconds"
    echo "$KSTAMP" > "$CACHE/kernel.stamp"
    step "kernel built in $(cat "$CACHE/kernel.seconds"): $CACHE/Image ($(cat "$CACHE/kernel.release"))"
fi

# ---------------------------------------------------------------------------------------------
# 4. Busybox: Debian source package (patches applied by dpkg-source), Debian's own static config
#    (debian/config/pkg/static) cross-compiled for riscv64, installed with applet links.
BSRC=$CACHE/src/busybox-${BB_VER#*:}   # no epoch colon: make cannot take it in paths
BOUT=$CACHE/build/busybox
BINST=$CACHE/build/busybox-install
if [ "$WHAT" = kernel ]; then
    step "busybox skipped (kernel only)"
elif stamp_ok build/busybox/busybox busybox.stamp "$BSTAMP" && [ -x "$BINST/bin/busybox" ]; then
    step "busybox up to date ($BOUT/busybox)"
else
    BT0=$(date +%s)
    if [ ! -f "$BSRC/.cairn-extracted" ]; then
        step "busybox: apt-get source busybox=$BB_VER"
        rm -rf "$CACHE/src/busybox-dl" "$BSRC"
        mkdir -p "$CACHE/src/busybox-dl"
        ( cd "$CACHE/src/busybox-dl" && apt-get "${APTO[@]}" source --download-only "busybox=$BB_VER" ) \
            >"$CACHE/logs/busybox-source.log" 2>&1 || die "apt-get source busybox failed (see $CACHE/logs/busybox-source.log)"
        logged "$CACHE/logs/busybox-extract.log" dpkg-source -x "$CACHE"/src/busybox-dl/busybox_*.dsc "$BSRC"
        touch "$BSRC/.cairn-extracted"
    fi
    rm -rf "$BOUT" "$BINST"
    mkdir -p "$BOUT"
    # Debian's static flavour config, cross-compiled, installed with applet symlinks (Debian's
    # package installs the bare binary); mkfs.ext2 as a name for mke2fs.
    sed -e 's|^CONFIG_CROSS_COMPILER_PREFIX=.*|CONFIG_CROSS_COMPILER_PREFIX="'$CROSS'"|' \
        -e 's|^# CONFIG_MKFS_EXT2 is not set|CONFIG_MKFS_EXT2=y|' \
        -e 's|^CONFIG_INSTALL_APPLET_DONT=y|# CONFIG_INSTALL_APPLET_DONT is not set|' \
        -e 's|^# CONFIG_INSTALL_APPLET_SYMLINKS is not set|CONFIG_INSTALL_APPLET_SYMLINKS=y|' \
        -e 's|^CONFIG_PREFIX=.*|CONFIG_PREFIX="'"$BINST"'"|' \
        "$BSRC/debian/config/pkg/static" > "$BOUT/.config"
    BMAKE=(make -C "$BSRC" O="$BOUT")
    step "busybox: configure (Debian static config, CROSS_COMPILER_PREFIX=$CROSS)"
    ( set +o pipefail; yes "" | "${BMAKE[@]}" oldconfig ) >"$CACHE/logs/busybox-config.log" 2>&1 \
        || die "busybox oldconfig failed (see $CACHE/logs/busybox-config.log)"
    for o in STATIC INSTALL_APPLET_SYMLINKS ASH FEATURE_EDITING ASH_JOB_CONTROL CTTYHACK SETSID; do
        grep -qx "CONFIG_$o=y" "$BOUT/.config" || die "busybox config lacks CONFIG_$o"
    done
    step "busybox: make -j$JOBS (1-3 min; log $CACHE/logs/busybox.log)"
    built_make busybox "$CACHE/logs/busybox.log" "$BOUT" 495 "${BMAKE[@]}" -j"$JOBS" busybox
    logged "$CACHE/logs/busybox-install.log" "${BMAKE[@]}" install
    missing=""
    for a in sh ash mount ls cat echo ps top free df dmesg uname date hwclock ip ifconfig udhcpc \
             wget nc mke2fs mkfs.ext2 mdev poweroff reboot sleep grep sed awk hexdump od dd sync \
             nproc setsid cttyhack; do
        grep -q "/$a\$" "$BOUT/busybox.links" || missing="$missing $a"
    done
    [ -z "$missing" ] || die "busybox lacks applets:$missing"
    file -b "$BOUT/busybox" | grep -q 'RISC-V.*statically linked' \
        || die "busybox is not a static RISC-V binary: $(file -b "$BOUT/busybox")"
    echo "$(( $(date +%s) - BT0 ))s (from scratch, -j$JOBS)" > "$CACHE/busybox.seconds"
    echo "$BSTAMP" > "$CACHE/busybox.stamp"
    rm -f "$CACHE/initramfs.stamp"
    step "busybox built in $(cat "$CACHE/busybox.seconds"): $(wc -l < "$BOUT/busybox.links") applets"
fi

# ---------------------------------------------------------------------------------------------
# 5. Initramfs: busybox tree + /init + udhcpc script, packed as a newc cpio (root-owned, sorted,
#    fixed mtimes so identical inputs give an identical archive), gzip -9n.
if [ "$WHAT" = kernel ]; then
    :
elif stamp_ok initramfs.cpio.gz initramfs.stamp "$ISTAMP"; then
    step "initramfs up to date ($CACHE/initramfs.cpio.gz)"
else
    step "initramfs: assembling"
    R=$CACHE/build/rootfs
    rm -rf "$R"
    mkdir -p "$R"
    cp -a "$BINST"/. "$R"/
    mkdir -p "$R"/proc "$R"/sys "$R"/tmp "$R"/run "$R"/mnt "$R"/root "$R"/etc \
             "$R"/var/log
    chmod 1777 "$R"/tmp
    ln -sfn /run "$R"/var/run
    install -m 0755 "$INIT" "$R"/init
    # udhcpc's script goes where this busybox looks for it (Debian: /etc/udhcpc/default.script).
    us=$(sed -n 's/^CONFIG_UDHCPC_DEFAULT_SCRIPT="\(.*\)"$/\1/p' "$BOUT/.config")
    mkdir -p "$R$(dirname "${us:?no CONFIG_UDHCPC_DEFAULT_SCRIPT in busybox .config}")"
    install -m 0755 "$UDHCPC_SCRIPT" "$R$us"
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$R"/etc/passwd
    printf 'root:x:0:\n' > "$R"/etc/group
    printf 'cairn\n' > "$R"/etc/hostname
    : > "$R"/etc/mdev.conf
    # The kernel's usr/gen_init_cpio packs it: every entry root-owned, entries sorted, mtimes
    # $EPOCH, plus /dev/console, which the kernel opens
    # for /init's stdio before any devtmpfs is mounted (no root or mknod needed for that node).
    find "$R" -exec touch -h -d "@$EPOCH" {} +   # gen_init_cpio -t covers only non-file entries
    GEN=$CACHE/build/gen_init_cpio
    [ "$GEN" -nt "$KSRC/usr/gen_init_cpio.c" ] || gcc -O2 -o "$GEN" "$KSRC/usr/gen_init_cpio.c"
    LIST=$CACHE/build/initramfs.list
    {
        echo "dir /dev 0755 0 0"
        echo "nod /dev/console 0600 0 0 c 5 1"
        ( cd "$R" && find . -mindepth 1 ! -path ./dev | LC_ALL=C sort ) | while read -r f; do
            p=${f#.}; m=$(stat -c %a "$R$p")
            if [ -L "$R$p" ]; then echo "slink $p $(readlink "$R$p") 0777 0 0"
            elif [ -d "$R$p" ]; then echo "dir $p $m 0 0"
            elif [ -f "$R$p" ]; then echo "file $p $R$p $m 0 0"
            else die "unexpected file type in rootfs: $p"; fi
        done
    } > "$LIST"
    "$GEN" -t "$EPOCH" "$LIST" > "$CACHE/initramfs.cpio.tmp"
    gzip -9n < "$CACHE/initramfs.cpio.tmp" > "$CACHE/initramfs.cpio.gz.tmp"
    mv "$CACHE/initramfs.cpio.gz.tmp" "$CACHE/initramfs.cpio.gz"
    rm -f "$CACHE/initramfs.cpio.tmp"
    echo "$ISTAMP" > "$CACHE/initramfs.stamp"
    step "initramfs: $CACHE/initramfs.cpio.gz ($(stat -c %s "$CACHE/initramfs.cpio.gz") bytes)"
fi

# ---------------------------------------------------------------------------------------------
# 6. Manifest: what was built from what (once both halves exist).
if [ ! -f "$CACHE/Image" ] || [ ! -f "$CACHE/initramfs.cpio.gz" ]; then
    step "done (partial: $WHAT)"; exit 0
fi
{
    echo "# cairn Linux guest (guests/linux/build.sh); paths relative to this directory"
    echo "kernel: Image"
    echo "kernel_release: $(cat "$CACHE/kernel.release")"
    echo "kernel_source: linux-source-6.1 $K_VER (Debian), ARCH=riscv defconfig + cairn.config"
    echo "kernel_sha256: $(sha256sum "$CACHE/Image" | cut -d' ' -f1)"
    echo "kernel_last_build: $(cat "$CACHE/kernel.seconds" 2>/dev/null || echo unknown)"
    echo "initramfs: initramfs.cpio.gz"
    echo "initramfs_sha256: $(sha256sum "$CACHE/initramfs.cpio.gz" | cut -d' ' -f1)"
    echo "busybox_source: busybox $BB_VER (Debian source package, static config)"
    echo "busybox_last_build: $(cat "$CACHE/busybox.seconds" 2>/dev/null || echo unknown)"
    echo "cross_compiler: gcc-riscv64-linux-gnu $GCC_VER"
    echo "config_fragment_sha256: $(sha256sum "$FRAGMENT" | cut -d' ' -f1)"
    echo "init_sha256: $(sha256sum "$INIT" | cut -d' ' -f1)"
    echo "qemu_example: qemu-system-riscv64 -M virt -m 256M -smp 4 -nographic -bios default -kernel Image -initrd initramfs.cpio.gz -append console=ttyS0"
} > "$CACHE/manifest.txt"
step "done: $CACHE/{Image,initramfs.cpio.gz,manifest.txt}"

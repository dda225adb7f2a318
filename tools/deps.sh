#!/usr/bin/env bash
# Installs the Debian packages that `make run` (deps.sh run), `make test`
# and CI (deps.sh test) or `warren bench` (deps.sh bench) need, when any is
# missing: as root, or through sudo. This is the one list of them.
set -euo pipefail

# package, what shows it is installed (a command, or an absolute path),
# and the first target that needs it (test needs run's too, bench test's).
deps=(
	"qemu-system-x86 qemu-system-x86_64 run"
	"grub-common grub-mkimage test"
	"grub-pc-bin /usr/lib/grub/i386-pc/boot.img test"
	"grub-efi-amd64-bin /usr/lib/grub/x86_64-efi/kernel.img test"
	"ovmf /usr/share/ovmf/OVMF.fd test"
	"xorriso xorriso test"
	"mtools mcopy test"
	"qemu-utils qemu-img test"
	"iproute2 ip test"
	"iputils-ping ping test"
	"curl curl test"
	"gcc gcc test"
	"libc6-dev /usr/include/stdio.h test"
	"wrk wrk bench"
)

target=${1:-test}
case $target in
run) level=0 ;;
test) level=1 ;;
bench) level=2 ;;
*)
	echo "usage: $0 run|test|bench" >&2
	exit 2
	;;
esac

missing=()
for d in "${deps[@]}"; do
	read -r pkg probe need <<<"$d"
	case $need in
	test) [ "$level" -ge 1 ] || continue ;;
	bench) [ "$level" -ge 2 ] || continue ;;
	esac
	if [[ $probe == /* ]]; then
		[ -e "$probe" ] && continue
	else
		command -v "$probe" >/dev/null && continue
	fi
	missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing missing packages: ${missing[*]}" >&2
if ! command -v apt-get >/dev/null; then
	echo "error: apt-get not found: install these (Debian's names) by hand: ${missing[*]}" >&2
	exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null; then
		echo "error: not root and no sudo: as root, run apt-get install ${missing[*]}" >&2
		exit 1
	fi
	sudo=(sudo)
fi
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Imports the image busybox:local from the static busybox binary (Debian's busybox-static), since no
# image can be pulled here. Idempotent: does nothing when the image is already there.
set -euo pipefail

IMAGE=busybox:local
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "$IMAGE: already there"
  exit 0
fi
BUSYBOX=${BUSYBOX:-/bin/busybox}
if [ ! -x "$BUSYBOX" ]; then
  echo "busybox-image: $BUSYBOX is missing: apt-get install -y busybox-static" >&2
  exit 1
fi
if ! "$BUSYBOX" true; then
  echo "busybox-image: $BUSYBOX does not run" >&2
  exit 1
fi
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  echo "busybox-image: $BUSYBOX is dynamically linked; the image needs busybox-static" >&2
  exit 1
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/proc" "$dir/sys" "$dir/dev"
cp "$BUSYBOX" "$dir/bin/busybox"
for applet in sh ping ip nc wget httpd nslookup sleep cat hostname ifconfig route netstat ls echo; do
  ln -s busybox "$dir/bin/$applet"
done
tar -C "$dir" -c . | docker import - "$IMAGE" >/dev/null
echo "$IMAGE: imported from $BUSYBOX"

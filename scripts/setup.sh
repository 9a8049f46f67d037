#!/usr/bin/env bash
# Set up a fresh Debian machine for webio-desktop: system packages (Chromium for the browser
# tests, Xvfb and the Qt WebEngine libraries for native windows; WebKitGTK and what PyGObject's
# build needs when the gtk extra is asked for), then a virtualenv in .venv with
# the package and the extras named in $WEBIO_EXTRAS (default: desktop,gtk,test,flask,django,aiohttp,fastapi,charts,build).
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

EXTRAS="${WEBIO_EXTRAS:-desktop,gtk,test,flask,django,aiohttp,fastapi,charts,build}"
APT_PACKAGES=(
  chromium                  # the browser the tests drive (Playwright uses /usr/bin/chromium)
  xvfb xauth xdotool        # a virtual screen for native-window tests, and answering dialogs
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0
  libxcb-xkb1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-shape0   # Qt's X11 platform plugin
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libnss3 libxcomposite1 libxdamage1 libxrandr2
  libxtst6 libxkbfile1 libasound2   # Qt WebEngine (Chromium inside Qt)
  nginx-light               # the reverse-proxy deployment test
  python3-tk                # Tk: the splash screen of one-file builds (PyInstaller's Splash)
  binutils                  # objcopy/objdump: PyInstaller on Linux, and the one file's payload section
  openbox x11-utils         # a window manager for the window-control tests; xwininfo, xprop read windows back
  trayer                    # an X11 system tray host for the tray tests (Debian 12 has no stalonetray)
  dunst dbus-daemon dbus-bin   # a notification server on a private session bus (notification tests)
)
if [[ ",$EXTRAS," == *",gtk,"* ]]; then
  APT_PACKAGES+=(
    libwebkit2gtk-4.1-0 gir1.2-webkit2-4.1 gir1.2-gtk-3.0   # the system engine: WebKitGTK (GTK 3 also: the drop tests' X drag source)
    libgirepository1.0-dev libcairo2-dev pkg-config gcc python3-dev  # pip builds PyGObject
  )
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing+=(python3-venv python3-pip)
fi
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
echo "setup: installing webio-desktop[$EXTRAS] into .venv"
.venv/bin/pip install -q -e ".[$EXTRAS]"

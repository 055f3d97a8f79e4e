#!/usr/bin/env bash
# Installs the system packages the sandbox and tests rely on, when missing and possible
# (root with apt-get). Without them datachef still runs, but says loudly what isolation it lacks.
set -u
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v python3 >/dev/null 2>&1 || need+=(python3)
[ -x /usr/bin/python3 ] || need+=(python3)
# tests: the chat REPL runs in a tmux pseudo-terminal; report.html is checked in headless chromium
command -v tmux >/dev/null 2>&1 || need+=(tmux)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${need[*]}" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
    || echo "WARNING: could not install ${need[*]}; sandbox isolation will be weaker (see report warnings)" >&2
else
  echo "WARNING: missing ${need[*]} (install them for full sandbox isolation: apt-get install ${need[*]})" >&2
fi
exit 0

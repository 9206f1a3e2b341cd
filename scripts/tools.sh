#!/usr/bin/env bash
# Installs the pinned Go tools the checks use into $(go env GOPATH)/bin.
set -euo pipefail
bin="$(go env GOPATH)/bin"
install() { # name module@version
	if ! [ -x "$bin/$1" ] || ! grep -qs "$2" "$bin/.$1.version"; then
		go install "$2"
		echo "$2" > "$bin/.$1.version"
	fi
}

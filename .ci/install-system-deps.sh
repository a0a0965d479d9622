#!/usr/bin/env bash
# Installs the system tools the tests use (docs/architecture.md section 7) on Debian/Ubuntu, only those that are missing:
#   squid-openssl          a real forward proxy (https_port needs the OpenSSL build), started per test by @homeserver/testkit
#   apache2-utils          htpasswd, for Squid's basic_ncsa_auth
#   python3-signedjson     matrix.org's own signing library, an independent verifier of our signatures
#   python3-canonicaljson  (run them with /usr/bin/python3: a pyenv/venv python3 on PATH does not see Debian's packages)
#   postgresql            a real PostgreSQL for the federation sender's shared outbox (tests start their own server)
#   curl openssl ca-certificates
# Idempotent: a second run changes nothing. Leaves no system Squid running: the tests start their own instances.
set -euo pipefail

packages=(squid-openssl apache2-utils python3-signedjson python3-canonicaljson postgresql curl openssl ca-certificates)

if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1; then
	as_root=(sudo)
else
	echo "install-system-deps: need root or sudo to install: ${packages[*]}" >&2
	exit 1
fi

is_installed() {
	dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

missing=()
for package in "${packages[@]}"; do
	if ! is_installed "$package"; then
		missing+=("$package")
	fi
done

if [ "${#missing[@]}" -gt 0 ]; then
	echo "install-system-deps: installing ${missing[*]}"
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	echo "install-system-deps: all present (${packages[*]})"
fi

# The package may have started (and enabled) the system Squid on port 3128. Stop it: only the system service,
# identified by the service manager or by its own pid file, never the per-test instances.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	if systemctl is-active --quiet squid.service || systemctl is-enabled --quiet squid.service 2>/dev/null; then
		echo "install-system-deps: stopping and disabling the system squid service"
		"${as_root[@]}" systemctl disable --now squid.service || true
	fi
elif command -v service >/dev/null 2>&1 && [ -f /run/squid.pid ]; then
	echo "install-system-deps: stopping the system squid service"
	"${as_root[@]}" service squid stop || true
fi
if [ -f /run/squid.pid ]; then
	pid="$(cat /run/squid.pid)"
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		echo "install-system-deps: system squid (pid $pid) still running; terminating it"
		"${as_root[@]}" kill "$pid" || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
fi
if command -v ss >/dev/null 2>&1 && ss -Hltn 'sport = :3128' | grep -q .; then
	echo "install-system-deps: warning: something still listens on port 3128 (not started by this script)" >&2
fi

# Check what the tests rely on, so a broken machine fails here with a clear message rather than in a test.
/usr/sbin/squid -v | grep -q -- '--with-openssl' || {
	echo "install-system-deps: /usr/sbin/squid is not the OpenSSL build (install squid-openssl)" >&2
	exit 1
}
for tool in /usr/lib/squid/basic_ncsa_auth /usr/bin/htpasswd /usr/bin/curl /usr/bin/openssl; do
	[ -x "$tool" ] || {
		echo "install-system-deps: $tool is missing" >&2
		exit 1
	}
done
/usr/bin/python3 -c 'import signedjson.key, canonicaljson' || {
	echo "install-system-deps: /usr/bin/python3 cannot import signedjson and canonicaljson" >&2
	exit 1
}
# The postgresql package may start a cluster; the tests start their own throw-away servers, so stop it.
if command -v pg_ctlcluster >/dev/null 2>&1 && command -v pg_lsclusters >/dev/null 2>&1; then
	pg_lsclusters -h 2>/dev/null | while read -r version cluster _port status _rest; do
		if [ "$status" = online ]; then "${as_root[@]}" pg_ctlcluster "$version" "$cluster" stop || true; fi
	done
fi
echo "install-system-deps: ok ($(/usr/sbin/squid -v | head -1))"

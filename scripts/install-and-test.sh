#!/usr/bin/env bash
# Installs everything the tests need and runs every suite: lint, types, unit, integration (the
# lab), e2e (Chromium against the serve shell in the lab). As root it also installs the Debian
# packages of the lab. Ends with one "N passed, N failed" line over all suites.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(libvirt-daemon-system libvirt-clients qemu-system-x86 dnsmasq-base nftables iptables iproute2 iputils-ping chromium)

if [ "$(id -u)" -eq 0 ]; then
  missing=()
  for package in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

echo "== Installing npm packages"
# Electron's binary and Playwright's browsers are never downloaded: tests use Debian's Chromium.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund

echo "== Type check, lint, build"
npm run --silent typecheck
npm run --silent lint
npm run --silent build

mkdir -p test-output
rm -f test-output/results-*.json

echo "== Unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile=test-output/results-unit.json

if [ "$(id -u)" -ne 0 ]; then
  echo "Integration and e2e tests need root: the lab runs libvirtd in its own network and mount namespaces." >&2
  echo "Run this script as root to run them." >&2
  exit 1
fi

# One lab for both suites, removed however they end.
trap 'npm run --silent lab:down || true' EXIT
npm run --silent lab:up

echo "== Integration tests (lab)"
npx vitest run --project integration --reporter=default --reporter=json --outputFile=test-output/results-integration.json

echo "== End-to-end tests (Chromium, lab)"
npx playwright test

node scripts/summarize-results.mjs test-output/results-*.json

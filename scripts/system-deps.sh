#!/usr/bin/env bash
# System packages the tests need (Debian): filled in by the service work (browser, database).
set -euo pipefail

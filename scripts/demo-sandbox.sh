#!/usr/bin/env bash
# Starts the sandbox platform on its persistent demo data and shows the demo account's balance.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${LATTICA_SANDBOX_DATA:-$HOME/.local/share/lattica-sandbox}
mkdir -p "$data"
coproc SANDBOX { exec target/debug/lattica-sandbox --listen 127.0.0.1:0 --data "$data"; }
trap 'kill $SANDBOX_PID 2>/dev/null || true' EXIT
read -r line <&"${SANDBOX[0]}"
url=$(jq -r .url <<<"$line")
token=$(jq -r .token <<<"$line")
credits=$(curl -sf -X POST "$url/api/finance/get_account_credits" \
  -H 'Content-Type: application/json' -H @<(printf 'Authorization: Bearer %s\n' "$token") \
  -d '{"client_info":{"module":"lattica-tray-demo","version":"0.1.0"}}' | jq -r .result)
echo "Sandbox running at $url (data in $data)"
echo "Demo account balance: $credits credits"
echo "Press Ctrl-C to stop."
wait "$SANDBOX_PID"

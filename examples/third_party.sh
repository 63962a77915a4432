#!/usr/bin/env bash
# Judge two OpenAI-compatible servers nobody here wrote, at their own /v1/chat/completions:
# fakellm (a mock server) and the LiteLLM proxy (a gateway) in front of `wai-contract serve`.
# Usage: bash examples/third_party.sh [OUT]   (reports under OUT, default third-party-reports/)
# Needs the package registry once; everything listens on 127.0.0.1 and is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-third-party-reports}" && cd "${1:-third-party-reports}" && pwd)"
venv="${VENV:-$out/.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q fakellm 'litellm[proxy]' "$here"
work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

wait_for() {  # URL: until it answers, at most 60 s
  for _ in $(seq 120); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.5
  done
  echo "no answer from $1" >&2
  return 1
}

(cd "$work" && "$venv/bin/fakellm" init >/dev/null && exec "$venv/bin/fakellm" serve --host 127.0.0.1 --port 18911) \
  >"$out/fakellm.log" 2>&1 &
pids+=($!)
"$venv/bin/wai-contract" serve --host 127.0.0.1 --port 18787 --token serve-token-0123456789 \
  >"$out/serve.log" 2>&1 &
pids+=($!)
cat >"$work/litellm.yaml" <<'YAML'
model_list:
  - model_name: "@cf/mistral/mistral-7b-instruct-v0.2-lora"
    litellm_params:
      model: "cloudflare/@cf/mistral/mistral-7b-instruct-v0.2-lora"
      api_base: "http://127.0.0.1:18787/client/v4/accounts/acct/ai/v1"
      api_key: "serve-token-0123456789"
general_settings:
  master_key: sk-gateway-key-0123456789
YAML
LITELLM_LOCAL_MODEL_COST_MAP=True "$venv/bin/litellm" --config "$work/litellm.yaml" \
  --host 127.0.0.1 --port 18400 >"$out/litellm.log" 2>&1 &
pids+=($!)

wait_for http://127.0.0.1:18911/_fakellm/stats
wait_for http://127.0.0.1:18400/health/liveliness
status=0
"$venv/bin/wai-contract" run --endpoint http://127.0.0.1:18911/v1/chat/completions \
  --token sk-fakellm-0123456789 --report-dir "$out/fakellm" || status=$?
"$venv/bin/wai-contract" run --endpoint http://127.0.0.1:18400/v1/chat/completions \
  --token sk-gateway-key-0123456789 --timeout 20 --report-dir "$out/litellm" || status=$?
echo "reports: $out/fakellm, $out/litellm (exit $status: 1 is a deviation found)"

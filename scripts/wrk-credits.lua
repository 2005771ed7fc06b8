-- wrk script: POST api/finance/get_account_credits the way the app does (JSON body with
-- client_info, Bearer token). The token comes from the LATTICA_TOKEN environment variable.
-- No response() hook on purpose: it would make wrk parse every answer in Lua and measure
-- wrk instead of the sandbox; wrk itself reports any non-2xx answers.
local token = os.getenv("LATTICA_TOKEN")
if token == nil or token == "" then
  error("set LATTICA_TOKEN to the sandbox's demo token")
end

wrk.method = "POST"
wrk.body = '{"client_info":{"module":"wrk","version":"1.0.0"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

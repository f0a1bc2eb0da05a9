-- wrk script for bench/authz_timing.sh --client wrk: POSTs the request bodies of BODIES (one
-- JSON document a line) in turn to WPATH with the bearer TOKEN.
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", os.getenv("WPATH"), headers, bodies[i])
end
-- One JSON line like signet-loadgen's, for the report.
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format('RESULT {"rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "errors": %d}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, errors))
end

-- Shared by every bench script: count the answers outside 2xx by status, and print the
-- figures as one JSON line at the end of a run (wrk's latencies are in microseconds; the
-- line gives milliseconds).
local threads = {}
codes, codes_text = {}, ""

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status >= 300 then
    codes[status] = (codes[status] or 0) + 1
    local parts = {}
    for code, count in pairs(codes) do table.insert(parts, string.format('"%d": %d', code, count)) end
    codes_text = table.concat(parts, ", ")
  end
end

function done(summary, latency, requests)
  local statuses = {}
  for _, thread in ipairs(threads) do
    local text = thread:get("codes_text")
    if text and text ~= "" then table.insert(statuses, text) end
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.3f, "errors": %d, "non_2xx": %d, '
      .. '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, errors, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, table.concat(statuses, ", ")))
end

-- wrk script: a mix of searches (POST /points/query) and upserts (PUT /points?wait=true) against
-- the collection "soak" (bench/soak/run.sh creates and fills it). Environment:
--   SOAK_DIM (128), SOAK_POINTS (ids overwritten by upserts, 20000), SOAK_UPSERT_PCT (20),
--   SOAK_BATCH (points per upsert, 10).
-- Prints requests per kind, non-2xx answers per status, latency p50/p90/p99/max (all requests).
local dim = tonumber(os.getenv("SOAK_DIM") or "128")
local points = tonumber(os.getenv("SOAK_POINTS") or "20000")
local upsert_pct = tonumber(os.getenv("SOAK_UPSERT_PCT") or "20")
local batch = tonumber(os.getenv("SOAK_BATCH") or "10")

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local function vector()
  local v = {}
  for i = 1, dim do v[i] = string.format("%.4f", math.random() * 2 - 1) end
  return "[" .. table.concat(v, ",") .. "]"
end

local queries, upserts = {}, {}
local searches, writes, bad = 0, 0, 0
local codes = {}

function init(args)
  math.randomseed(os.time() + id * 7919)
  local headers = {["Content-Type"] = "application/json"}
  for i = 1, 64 do
    local body = '{"query":' .. vector() .. ',"limit":10,"with_payload":true}'
    queries[i] = wrk.format("POST", "/collections/soak/points/query", headers, body)
    local pts = {}
    for k = 1, batch do
      local pid = math.random(0, points - 1)
      pts[k] = '{"id":' .. pid .. ',"vector":' .. vector() .. ',"payload":{"g":' .. (pid % 97) .. '}}'
    end
    upserts[i] = wrk.format("PUT", "/collections/soak/points?wait=true", headers,
                            '{"points":[' .. table.concat(pts, ",") .. ']}')
  end
end

function request()
  if math.random(100) <= upsert_pct then
    writes = writes + 1
    return upserts[math.random(#upserts)]
  end
  searches = searches + 1
  return queries[math.random(#queries)]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    codes[status] = (codes[status] or 0) + 1
  end
  -- wrk reads these with thread:get in done()
  wrk.thread:set("bad", bad)
  wrk.thread:set("codes", codes)
  wrk.thread:set("searches", searches)
  wrk.thread:set("writes", writes)
end

function done(summary, latency, requests)
  local total_bad, kinds, nsearch, nwrite = 0, {}, 0, 0
  for _, t in ipairs(threads) do
    total_bad = total_bad + (t:get("bad") or 0)
    nsearch = nsearch + (t:get("searches") or 0)
    nwrite = nwrite + (t:get("writes") or 0)
    for code, n in pairs(t:get("codes") or {}) do kinds[code] = (kinds[code] or 0) + n end
  end
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format("SOAK requests=%d searches=%d upserts=%d duration_s=%.1f rps=%.1f\n",
                         summary.requests, nsearch, nwrite, summary.duration / 1e6,
                         summary.requests / (summary.duration / 1e6)))
  io.write(string.format("SOAK latency_ms p50=%.2f p90=%.2f p99=%.2f max=%.2f\n",
                         latency:percentile(50) / 1000, latency:percentile(90) / 1000,
                         latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("SOAK errors non2xx=%d socket=%d (connect %d read %d write %d timeout %d)\n",
                         total_bad, socket_errors, errors.connect, errors.read, errors.write,
                         errors.timeout))
  for code, n in pairs(kinds) do io.write(string.format("SOAK status %d: %d\n", code, n)) end
end

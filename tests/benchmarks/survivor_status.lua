-- wrk script for tests/benchmarks/bench_survivor_status.py: GET /survivor as 20 survivors.
--
-- Arguments (after wrk's "--"): one session cookie per signed-in survivor. Each request takes
-- the next survivor in turn, so every one of them is asking for their own status page.
-- A 200 answer that is not the status page (a sign-in page after a lost session, say) is
-- counted and reported by done() as "NOT_STATUS <n>".

local threads = {}
local cookies = {}
local turn = 0
not_status = 0

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   for i = 1, #args do
      table.insert(cookies, args[i])
   end
end

function request()
   turn = turn % #cookies + 1
   return wrk.format("GET", "/survivor", { ["Cookie"] = cookies[turn] })
end

function response(status, headers, body)
   if status ~= 200 or not string.find(body, "data-status-page", 1, true) then
      not_status = not_status + 1
   end
end

function done(summary, latency, requests)
   local total = 0
   for _, thread in ipairs(threads) do
      total = total + thread:get("not_status")
   end
   io.write(string.format("NOT_STATUS %d\n", total))
end

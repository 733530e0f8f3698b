-- wrk script for tests/benchmarks/bench_interview_step.py: one interview step per request.
--
-- Arguments (after wrk's "--"): the two dates to alternate, then one triple per signed-in user:
--   path  cookie  csrf_token
-- ("path" is /cases/{case}/applications/{application}/questions/incident.date). The users are
-- shared out between wrk's threads; each thread takes its users in turn, skipping those with a
-- request open (as a person waits for the next question before answering it), and each user's
-- answers alternate between the two dates, so every POST really changes the fact.
--
-- A step "advanced" when the server answered 200 with an HX-Push-Url header (the next
-- question's fragment). A 200 without it is the same question again with an error (a
-- concurrent change of the same fact, for instance): wrk counts it as a success, so it is
-- counted here and reported by done() as "NOT_ADVANCED <n>".

local threads = {}
local counter = 1

function setup(thread)
   thread:set("thread_number", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local users = {}
local by_case = {}  -- case public id -> user
local dates = {}
local turn = 0
not_advanced = 0  -- globals: done() reads them with thread:get()
advanced = 0

function init(args)
   dates = { args[1], args[2] }
   local all = {}
   for i = 3, #args, 3 do
      table.insert(all, { path = args[i], cookie = args[i + 1], token = args[i + 2], answer = 0 })
   end
   -- setup() gave this thread its number; wrk does not tell a thread how many there are, so
   -- the benchmark passes it in the environment (WRK_THREADS, the -t option).
   local thread_count = tonumber(os.getenv("WRK_THREADS") or "1")
   for index, user in ipairs(all) do
      if #all < thread_count or (index - 1) % thread_count == thread_number - 1 then
         table.insert(users, user)
         by_case[string.match(user.path, "/cases/(%x+)/")] = user
      end
   end
end

function request()
   -- The next user in turn without a request open; 20 people each wait for their own answer.
   local user = nil
   for _ = 1, #users do
      turn = turn % #users + 1
      if not users[turn].busy then
         user = users[turn]
         break
      end
   end
   if user == nil then  -- fewer users than connections (--users 1): they share
      turn = turn % #users + 1
      user = users[turn]
   end
   user.busy = true
   user.answer = user.answer % 2 + 1
   local body = "answer=" .. dates[user.answer]
   local headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = user.cookie,
      ["X-CSRF-Token"] = user.token,
      ["HX-Request"] = "true",
   }
   return wrk.format("POST", user.path, headers, body)
end

function response(status, headers, body)
   -- wrk does not say which request a response answers; the page does (its case's address).
   local pushed = headers["hx-push-url"] or headers["HX-Push-Url"]
   local case = string.match(pushed or body or "", "/cases/(%x+)/")
   if case and by_case[case] then
      by_case[case].busy = false
   end
   if status == 200 and pushed then
      advanced = advanced + 1
   else
      not_advanced = not_advanced + 1
      if not_advanced == 1 then  -- the first one, to see why
         io.stderr:write(string.format("not advanced: %d\n%s\n", status, string.sub(body, 1, 1500)))
      end
   end
end

function done(summary, latency, requests)
   local total_not_advanced, total_advanced = 0, 0
   for _, thread in ipairs(threads) do
      total_not_advanced = total_not_advanced + thread:get("not_advanced")
      total_advanced = total_advanced + thread:get("advanced")
   end
   io.write(string.format("ADVANCED %d\nNOT_ADVANCED %d\n", total_advanced, total_not_advanced))
end

-- POST /api/v1/events/{id}/registrations: each request a person not yet registered to
-- that event (people in turn over the events, starting at an offset per run).
-- Arguments: offset, the event ids separated by "|", then the people's bearer tokens.
local events, tokens, counter = {}, {}, 0

function init(args)
  counter = tonumber(args[1])
  for id in string.gmatch(args[2], "[^|]+") do table.insert(events, id) end
  for i = 3, #args do table.insert(tokens, args[i]) end
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local n = counter
  counter = counter + 1
  local event = events[n % #events + 1]
  local token = tokens[math.floor(n / #events) % #tokens + 1]
  return wrk.format("POST", "/api/v1/events/" .. event .. "/registrations",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, "{}")
end

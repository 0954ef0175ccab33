-- POST /api/v1/auth/tokens with right passwords, over many accounts in turn (no rate limit
-- counts a right password), at a fixed rate when a delay in milliseconds is given.
-- Arguments: password, delay_ms (0 = as fast as possible), then the email addresses.
local password, delay_ms, emails, index = nil, 0, {}, 0

function init(args)
  password, delay_ms = args[1], tonumber(args[2])
  for i = 3, #args do table.insert(emails, args[i]) end
  wrk.headers["Content-Type"] = "application/json"
end

function delay()
  return delay_ms
end

function request()
  index = index % #emails + 1
  local body = string.format('{"email": "%s", "password": "%s"}', emails[index], password)
  return wrk.format("POST", "/api/v1/auth/tokens", nil, body)
end

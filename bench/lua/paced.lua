-- GET one path at a fixed rate per connection. Arguments: path, delay_ms.
local path, delay_ms

function init(args)
  path, delay_ms = args[1], tonumber(args[2])
end

function delay()
  return delay_ms
end

function request()
  return wrk.format("GET", path)
end

-- GET a list of paths in turn, with optional headers.
-- Arguments: the paths separated by "|", then header lines "Name: value".
local paths, index = {}, 0

function init(args)
  for path in string.gmatch(args[1], "[^|]+") do table.insert(paths, path) end
  for i = 2, #args do
    local name, value = string.match(args[i], "^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

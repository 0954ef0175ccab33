-- POST /api/v1/bookings: one-hour bookings of distinct evening slots (17:00-21:00 UTC, inside
-- the rooms' opening hours and after the generated bookings), each by the next person in turn; the rooms
-- fill side by side, day after day, from the first day plus an offset per run.
-- Arguments: first room id, number of rooms, first day (YYYY-MM-DD), offset in days, then
-- the people's bearer tokens.
local first_room, rooms, start, offset, tokens, counter = 0, 0, 0, 0, {}, 0

function init(args)
  first_room, rooms = tonumber(args[1]), tonumber(args[2])
  local year, month, day = string.match(args[3], "(%d+)-(%d+)-(%d+)")
  start = os.time({year = tonumber(year), month = tonumber(month), day = tonumber(day), hour = 12})
  offset = tonumber(args[4])
  for i = 5, #args do table.insert(tokens, args[i]) end
end

function request()
  local n = counter
  counter = counter + 1
  local room = first_room + n % rooms
  local rest = math.floor(n / rooms)
  local hour = 17 + rest % 4
  local date = os.date("!%Y-%m-%d", start + (offset + math.floor(rest / 4)) * 86400)
  local body = string.format(
    '{"room_id": %d, "starts_at": "%sT%02d:00:00Z", "ends_at": "%sT%02d:00:00Z", "purpose": "Banc d\'essai"}',
    room, date, hour, date, hour + 1)
  local token = tokens[n % #tokens + 1]
  return wrk.format("POST", "/api/v1/bookings",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

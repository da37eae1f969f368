-- expect-exit: 3
-- Night rule: string.format rewritten through pairs(string) and the strings'
-- metatable, so every reason would say something else.
-- For tests/e2e/hostile_night.sh: every other rule's tasks must be exactly as
-- on a clean night. Cheap: it tries in every household.
rule {
  id = "hostile.string_format", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local mt = getmetatable("")
    if type(mt) == "table" then mt.__index = { format = function() return "rewritten" end } end
    local _, behind = pairs(string)
    behind.format = function() return "rewritten" end
  end,
}

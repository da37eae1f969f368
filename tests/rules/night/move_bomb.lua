-- expect-exit: 3
-- Night rule: table.move over 2^63 elements, table.insert and table.remove
-- through a __len that claims 2^62, in one C call each.
-- For tests/e2e/hostile_night.sh: every other rule's tasks must be exactly as
-- on a clean night. Cheap: it tries in every household.
rule {
  id = "hostile.move_bomb", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local liar = setmetatable({}, { __len = function() return 2^62 end })
    pcall(table.insert, liar, 1, "x")
    pcall(table.remove, liar, 1)
    table.move({}, 1, math.maxinteger - 1, 2)
  end,
}

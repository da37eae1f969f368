-- Test rule: hostile.memory_string. Doubles a string until the memory cap of
-- the Lua state stops it.
rule {
  id = "hostile.memory_string", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local s = "kizuki"
    while true do s = s .. s end --!
  end,
}

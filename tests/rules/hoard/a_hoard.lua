-- Test rule: hoard.memory. Keeps what it allocates in an upvalue, so the Lua
-- state stays full after its memory error; the rules after it must still run.
local hoard = {}

rule {
  id = "hoard.memory", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    while true do hoard[#hoard + 1] = ("x"):rep(4000) .. #hoard end
  end,
}

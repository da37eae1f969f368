-- expect-exit: 3
-- Night rule: (""):rep(math.maxinteger) copied nothing 2^63 times in one C
-- call; then a loop of 40 MB string.rep calls, a few instructions a turn.
-- For tests/e2e/hostile_night.sh: every other rule's tasks must be exactly as
-- on a clean night. The loop runs in the first three households only.
local tries = 0
rule {
  id = "hostile.rep_bomb", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local s = (""):rep(math.maxinteger)
    tries = tries + 1
    if tries > 3 then error("rep gave " .. #s .. " bytes at once") end
    while true do s = ("x"):rep(40000000) end
  end,
}

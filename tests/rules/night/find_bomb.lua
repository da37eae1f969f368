-- expect-exit: 3
-- Night rule: string.find of a 20 MB needle in a 40 MB haystack (a naive
-- search is n*m).
-- For tests/e2e/hostile_night.sh: every other rule's tasks must be exactly as
-- on a clean night. It searches in the first three households only.
local tries = 0
rule {
  id = "hostile.find_bomb", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    tries = tries + 1
    if tries > 3 then return nil end
    local hay, needle = ("a"):rep(40000000), ("a"):rep(20000000) .. "b"
    error("find gave " .. tostring(hay:find(needle, 1, true)))
  end,
}

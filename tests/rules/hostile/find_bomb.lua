-- Test rule: hostile.find_bomb. string.find of a 20 MB needle in a 40 MB haystack (naive: n*m).
-- The line marked --! must be named in its error.
rule {
  id = "hostile.find_bomb", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local hay, needle = ("a"):rep(40000000), ("a"):rep(20000000) .. "b"
    error("find gave " .. tostring(hay:find(needle, 1, true))) --!
  end,
}

-- Test rule: hostile.find_pattern. The line marked --! must be named in its error.
-- string.find searches plain text only; asking for a pattern is refused.
rule {
  id = "hostile.find_pattern", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    assert(("a.c"):find(".") == 2)        -- plain: the dot is a dot
    return string.find(string.rep("a", 5000), "a*b", 1, false) --!
  end,
}

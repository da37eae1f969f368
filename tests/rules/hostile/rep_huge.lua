-- Test rule: hostile.rep_huge. one string.rep far past the memory cap.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.rep_huge", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local s = ("x"):rep(math.maxinteger // 4, "yz") --!
  end,
}

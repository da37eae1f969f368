-- Test rule: hostile.rep_empty. (""):rep(math.maxinteger) copied nothing 2^63 times in one C call.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.rep_empty", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local s = (""):rep(math.maxinteger) .. ("x"):rep(0) .. (""):rep(math.maxinteger, "")
    error("rep gave " .. #s .. " bytes at once") --!
  end,
}

-- Test rule: hostile.xpcall_recursive. a message handler that errors on every error it handles.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.xpcall_recursive", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local ok, m = xpcall(function() error("first") end, function(m) error(m) end)
    error("xpcall gave " .. tostring(ok) .. ": " .. tostring(m)) --!
  end,
}

-- Test rule: hostile.scan_loop. utf8.len and tonumber scan a 64 MB string again and again.
-- The line marked --! must be named in its error.
rule {
  id = "hostile.scan_loop", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local big = (" "):rep(64000000)
    while true do local n = utf8.len(big); local v = tonumber(big) end --!
  end,
}

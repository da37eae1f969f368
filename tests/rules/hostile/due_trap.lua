-- Test rule: hostile.due_trap. A finding whose due is a table with a
-- metamethod: the engine must not run rule code outside the sandbox's
-- protection while reading it.
rule { --! (found after check returns: the rule is named)
  id = "hostile.due_trap", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local trap = setmetatable({}, { __index = function() error("trap sprung") end })
    return kz.finding { since = kz.today, reason = "trap", due = trap }
  end,
}

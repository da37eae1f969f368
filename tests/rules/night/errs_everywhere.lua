-- expect-exit: 3
-- Night file: hostile.errs_everywhere. Errs for every child of every
-- household: the circuit breaker suspends it after rule_error_limit
-- households, and stderr holds a few lines, not one per household.
rule {
  id = "hostile.errs_everywhere", label = "test", title = "test", subject = "child",
  agency = "health_center", severity = "low", due = 1,
  check = function(child, hh, p)
    error("every child fails: " .. child.id)
  end,
}

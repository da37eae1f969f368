-- Test rule: isolate.errs. Errs in every household, with a forged line and
-- a terminal escape in its message: the circuit breaker suspends it.
rule {
  id = "isolate.errs", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    error("boom\nkizuki run: finished OK\27[2J", 0)
  end,
}

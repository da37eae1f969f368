-- Test rule: hostile.evidence_stale. Puts a household view kept from the
-- previous household into a finding's evidence: turning it into evidence
-- must fail as this rule's error, not bring the run down.
local previous

rule { --! (found after check returns: the rule is named)
  id = "hostile.evidence_stale", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local old = previous
    previous = hh
    if old then
      return kz.finding { since = kz.today, reason = "stale evidence", evidence = { old } }
    end
  end,
}

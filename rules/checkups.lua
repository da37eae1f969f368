-- 乳幼児健診 (infant checkups)
-- A child who misses a checkup and has not been seen by any agency since must
-- be found: the health centre first, and the family consultation office when
-- the child stays unseen (RULES.md: checkup.missed, checkup.unreachable).

rule {
  id = "checkup.missed",
  label = "乳幼児健診未受診",
  title = "乳幼児健診の未受診（以後目視確認なし）",
  description = "健診予定日から猶予期間を過ぎても受診がなく、予定日以降どの機関も子どもを確認していない。",
  subject = "child",
  agency = "health_center",
  severity = "medium",            -- high from the child's second missed checkup
  due = 10,
  needs = { "checkups" },
  params = { "checkup_grace_days" },
  check = function(child, hh, p)
    local found = {}
    for n, k in ipairs(hh:missed_checkups(child, p.checkup_grace_days)) do
      found[#found + 1] = kz.finding {
        key = k.id,
        since = kz.add_days(k.scheduled_on, p.checkup_grace_days),   -- the day it counts as missed
        severity = n >= 2 and "high" or "medium",
        reason = ("【乳幼児健診未受診】%s（予定日 %s）未受診、以後目視確認なし%s。"
                  .. "家庭訪問等で子どもの様子を確認してください。")
                 :format(kz.checkup_name[k.kind] or k.kind, k.scheduled_on,
                         n >= 2 and "（未受診" .. n .. "回目）" or ""),
        evidence = { child, k },
      }
    end
    return found
  end,
}

rule {
  id = "checkup.unreachable",
  label = "未受診・所在未確認",
  title = "健診未受診のまま子どもの所在が確認できない",
  description = "健診予定日から checkup_unreachable_days を過ぎても受診がなく、予定日以降どの機関も子どもを確認していない。家庭児童相談室が所在と安全を確かめる。受診するか子どもが確認されると解消する。",
  subject = "child",
  agency = "family_consultation",
  severity = "high",
  due = 5,
  backlog = false,                  -- a child's safety now: never backlog (RULES.md)
  needs = { "checkups" },
  params = { "checkup_grace_days", "checkup_unreachable_days" },
  check = function(child, hh, p)
    local found = {}
    for _, k in ipairs(hh:missed_checkups(child, p.checkup_grace_days)) do
      local days = kz.days(k.scheduled_on, kz.today)
      if days >= p.checkup_unreachable_days then
        found[#found + 1] = kz.finding {
          key = k.id,
          -- since: the first day of >= checkup_unreachable_days (and missed: past the grace)
          since = kz.later(kz.add_days(k.scheduled_on, p.checkup_unreachable_days),
                           kz.add_days(k.scheduled_on, p.checkup_grace_days)),
          reason = ("【未受診・所在未確認】%s（予定日 %s）未受診のまま%d日、どの機関も子どもを確認していません。"
                    .. "家庭訪問等で子どもの所在と安全を確認してください。")
                   :format(kz.checkup_name[k.kind] or k.kind, k.scheduled_on, days),
          evidence = { child, k },
        }
      end
    end
    return found
  end,
}

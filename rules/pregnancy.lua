-- (2), 4ア 妊娠が継続しなかった方
-- A woman whose pregnancy did not continue is still a target of support; a
-- young one must not be left isolated (RULES.md: pregnancy.lost).

local lost = { miscarriage = "流産", abortion = "人工妊娠中絶", stillbirth = "死産" }

rule {
  id = "pregnancy.lost",
  label = "(2), 4ア 妊娠が継続しなかった方",
  title = "妊娠が継続しなかった方への支援",
  description = "妊娠が出産以外で終了した。終了後に保健センターが世帯と接触するまで残る。若年（young_age 未満）は重く、期限も短い。",
  subject = "mother",
  agency = "health_center",
  severity = "medium",            -- high (and due 5) when she was young
  due = 10,
  needs = { "pregnancies" },
  params = { "young_age" },
  check = function(mother, hh, p)
    local found = {}
    for _, g in ipairs(hh.pregnancies) do
      if g.mother_id == mother.id and g.end_on and lost[g.outcome]
         and not hh:contact_since(g.end_on, "health_center") then
        local young = mother.birth_on ~= nil and mother:age(g.end_on) < p.young_age
        found[#found + 1] = kz.finding {
          key = g.id,
          since = g.end_on,
          severity = young and "high" or "medium",
          due = young and 5 or 10,
          reason = ("【(2), 4ア 妊娠が継続しなかった方】%s に妊娠が終了（%s）%s。"
                    .. "保健センターから連絡し、支援につなげてください。")
                   :format(g.end_on, lost[g.outcome], young and "、若年" or ""),
          evidence = { mother, g },
        }
      end
    end
    return found
  end,
}

-- (2) 特定妊婦・若年妊婦
-- A specific (特定妊婦) or young expectant mother must have the health centre
-- with her while she is pregnant (RULES.md: pregnancy.unsupported).

rule {
  id = "pregnancy.unsupported",
  label = "(2) 特定妊婦・若年妊婦",
  title = "特定妊婦・若年妊婦に保健センターが関与していない",
  description = "妊娠届が出され継続中の妊娠で、特定妊婦または届出時 young_age 未満の妊婦に保健センターが関与していない。保健センターが関与するか、妊娠が終了すると解消する。",
  subject = "mother",
  agency = "health_center",
  severity = "medium",
  due = 10,
  needs = { "pregnancies" },
  params = { "young_age" },
  check = function(mother, hh, p)
    if hh:involved("health_center") then return nil end
    -- the day the health centre last stepped away: support that lapsed is a new trigger
    local last_hc = hh:last_ended("health_center")
    local found = {}
    for _, g in ipairs(hh.pregnancies) do
      if g.mother_id == mother.id and g.notified_on and g.notified_on <= kz.today and g.end_on == nil then
        local young = mother.birth_on ~= nil and mother:age(g.notified_on) < p.young_age
        local specific = g.specific == 1
        if specific or young then
          local who = specific and young and "特定妊婦・若年妊婦" or specific and "特定妊婦" or "若年妊婦"
          found[#found + 1] = kz.finding {
            key = g.id,
            since = kz.later(g.notified_on, last_hc and last_hc.end_on),
            reason = ("【(2) 特定妊婦・若年妊婦】%s（妊娠届 %s%s%s）に保健センターが関与していません。"
                      .. "担当保健師を決め、妊娠中からの支援を始めてください。")
                     :format(who, g.notified_on,
                             young and ("、届出時" .. mother:age(g.notified_on) .. "歳") or "",
                             g.due_on and ("、出産予定日 " .. g.due_on) or ""),
            evidence = last_hc and { mother, g, last_hc } or { mother, g },
          }
        end
      end
    end
    return found
  end,
}

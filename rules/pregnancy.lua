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

-- キ 担当区の変更・転出時の情報提供・移管文書・移管後のフォロー
-- When a supported family moves, the responsible ward changes promptly, the
-- nurses write a transfer document at once, the receiving ward follows up,
-- and a family leaving the city is handed on, not dropped (RULES.md:
-- move.handover, move.out_of_city, move.transfer_document, move.follow_up).

-- The agency kinds that work per ward (the rest, child_guidance, is city-wide).
local ward_level = { health_center = true, family_consultation = true, welfare = true }

-- A ward as staff read it: its name from the profile (中央区), else its code.
local function ward_name(code) return kz.ward_name[code] or code end

rule {
  id = "move.handover",
  label = "キ 担当区の変更",
  title = "転居後も旧区が担当のまま引き継がれていない",
  description = "区単位の機関の担当が、世帯の現在の区と異なる区のまま handover_days 以上経ち、新しい区の同じ機関が担当になっていない。旧区の担当が終わるか、新しい区が担当になると解消する。",
  subject = "household",
  agency = "family_consultation",   -- each finding names the assignment's own kind and old ward
  severity = "high",
  due = 5,
  needs = { "assignments", "residences" },
  params = { "handover_days" },
  check = function(hh, p)
    if #hh.assignments == 0 then return nil end        -- no agency holds the case
    local home = hh:residence()
    if not (home and home.ward) then return nil end   -- outside the city: move.out_of_city
    local ward = home.ward
    local taken = {}                                   -- kinds the new ward has taken on
    for _, a in ipairs(hh.assignments) do
      if a.ward == ward and kz.active(a) then taken[a.agency] = true end
    end
    local left = {}                                    -- ward -> the household's last move out of it
    for _, m in ipairs(hh:moves()) do left[m.from.ward] = m end
    local found = {}
    for _, a in ipairs(hh.assignments) do
      if ward_level[a.agency] and a.ward and a.ward ~= ward and not taken[a.agency] and kz.active(a) then
        local m = left[a.ward]
        local apart = kz.later(a.start_on, m and m.on)  -- since the household has lived outside a.ward
        local days = kz.days(apart, kz.today)
        if days >= p.handover_days then
          found[#found + 1] = kz.finding {
            key = a.id,
            agency = a.agency,
            ward = a.ward,
            since = kz.add_days(apart, p.handover_days),
            reason = ("【キ 担当区の変更】%s、%sの担当は %s のままで%d日、%s に引き継がれていません。"
                      .. "%sの%sへ速やかに（必要なら対面で）引き継いでください。")
                     :format(m and ("世帯は %s に %s から転居し、現在は %s に住んでいますが")
                                     :format(m.on, ward_name(a.ward), ward_name(ward))
                               or ("世帯は %s に住んでいますが"):format(ward_name(ward)),
                             kz.agency_name[a.agency], ward_name(a.ward), days, ward_name(ward),
                             ward_name(ward), kz.agency_name[a.agency]),
            evidence = m and { a, m.from, m.to } or { a, home },
          }
        end
      end
    end
    return found
  end,
}

local tracked = { "family_consultation", "child_guidance", "health_center" }

rule {
  id = "move.out_of_city",
  label = "キ 転出時の情報提供",
  title = "市外へ転出した世帯への関与が残っている",
  description = "世帯が市外に転出したのに、家庭児童相談室・児童相談所・保健センターの関与が続いている。転出先へ情報提供して関与を終えると解消する。最後に住んでいた区の家庭児童相談室が担当する。",
  subject = "household",
  agency = "family_consultation",
  severity = "high",
  due = 5,
  needs = { "residences", "assignments" },
  check = function(hh, p)
    local home = hh:residence()
    if not home or home.ward ~= nil then return nil end
    local names, evidence = {}, { home }
    for _, kind in ipairs(tracked) do
      local a = hh:involved(kind)
      if a then
        names[#names + 1] = kz.agency_name[kind]
        evidence[#evidence + 1] = a
      end
    end
    if #names == 0 then return nil end
    -- a household that never lived in the city goes to the ward that holds its case, else to the city
    local ward = hh:ward()
    if ward == nil then
      local a = kz.first(evidence, function(x) return x._table == "assignments" and x.ward ~= nil end)
      ward = a and a.ward
    end
    return kz.finding {
      key = home.id,
      agency = ward and "family_consultation" or "child_guidance",
      ward = ward,
      since = kz.later(home.start_on, hh:involved_since(tracked)),
      reason = ("【キ 転出時の情報提供】世帯は %s に市外（%s）へ転出しましたが、%sの関与が続いています。"
                .. "転出先の自治体へ速やかに情報提供し、引継ぎを確認してください。")
               :format(home.start_on, home.municipality or "転出先不明", table.concat(names, "・")),
      evidence = evidence,
    }
  end,
}

rule {
  id = "move.transfer_document",
  label = "キ 移管文書",
  title = "区間転居後に保健センターの移管文書がない",
  description = "保健センターが関与する世帯が他の区へ転居して transfer_document_days 以上経つのに、転居先の区あての保健センターの移管文書が転居日以降に作成されていない。移管文書が記録されると解消する。",
  subject = "household",
  agency = "health_center",
  severity = "medium",
  due = 5,
  needs = { "assignments", "residences" },
  params = { "transfer_document_days" },
  check = function(hh, p)
    if not hh:involved("health_center") then return nil end
    local found = {}
    for _, m in ipairs(hh:moves()) do
      -- only moves made while the health centre held the case (the day before or of the move): there is something to hand over
      if not m.out and (hh:involved("health_center", kz.add_days(m.on, -1)) or hh:involved("health_center", m.on)) then
        local days = kz.days(m.on, kz.today)
        local doc = kz.first(hh.transfers, function(t)
          return t.agency == "health_center" and t.to_ward == m.to.ward and t.documented_on >= m.on
        end)
        if days >= p.transfer_document_days and doc == nil then
          found[#found + 1] = kz.finding {
            key = m.to.id,
            ward = m.from.ward,
            since = kz.add_days(m.on, p.transfer_document_days),
            reason = ("【キ 移管文書】世帯は %s に %s から %s へ転居しましたが、%d日経っても保健センターの移管文書がありません。"
                      .. "緊急度とフォローの時期・方法を記した移管文書を %s へ作成してください。")
                     :format(m.on, ward_name(m.from.ward), ward_name(m.to.ward), days, ward_name(m.to.ward)),
            evidence = { m.from, m.to, hh:involved("health_center") },
          }
        end
      end
    end
    return found
  end,
}

rule {
  id = "move.follow_up",
  label = "キ 移管後のフォロー",
  title = "移管文書のフォロー予定日を過ぎても受け入れ区が接触していない",
  description = "移管文書のフォロー予定日を過ぎたのに、受け入れ区の同じ機関が文書作成日以降に世帯と接触していない。その接触で解消する。",
  subject = "household",
  agency = "health_center",         -- each finding names the transfer's own agency and to_ward
  severity = "high",
  due = 3,
  needs = { "transfers" },
  check = function(hh, p)
    if #hh.transfers == 0 then return nil end
    local found = {}
    for _, t in ipairs(hh.transfers) do
      local per_ward = ward_level[t.agency]
      -- a transfer out of the city (no to_ward) has no receiving unit here: move.out_of_city covers it
      if t.follow_up_on and t.follow_up_on <= kz.today and (t.to_ward or not per_ward)
         and not hh:contact_since(t.documented_on, t.agency, per_ward and t.to_ward or nil) then
        found[#found + 1] = kz.finding {
          key = t.id,
          agency = t.agency,
          ward = per_ward and t.to_ward or nil,
          since = t.follow_up_on,
          reason = ("【キ 移管後のフォロー】%s%sの移管文書（%s 作成）はフォロー予定日 %s を過ぎましたが、"
                    .. "受け入れ側の%sがまだ世帯と接触していません。速やかに世帯と接触してください。")
                   :format((t.from_ward and (ward_name(t.from_ward) .. "から") or "")
                             .. (t.to_ward and (ward_name(t.to_ward) .. "への") or ""),
                           kz.agency_name[t.agency], t.documented_on, t.follow_up_on,
                           (per_ward and (ward_name(t.to_ward) .. "の") or "") .. kz.agency_name[t.agency]),
          evidence = { t },
        }
      end
    end
    return found
  end,
}

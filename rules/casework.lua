-- カ・ケ 目視確認, ケ 他機関関与後の継続, ク 複数担当制
-- How a supported case is worked: the children are seen with one's own eyes,
-- the public-health nurses stay on when another agency steps in, and a
-- high-risk family has more than one nurse (RULES.md: child.not_seen,
-- contact.withdrawn, staffing.single).

rule {
  id = "child.not_seen",
  label = "カ・ケ 目視確認",
  title = "支援中の子どもの目視確認が途絶えている",
  description = "支援中の世帯（家庭児童相談室・児童相談所の関与、または要対協登録）の子どもを、最後の目視確認（または支援開始）から not_seen_days（最新のリスクが高・重度なら not_seen_days_high）を超えて誰も見ていない。子どもが目視確認されると解消する。",
  subject = "child",
  agency = "family_consultation",   -- the council's primary agency, else family_consultation, else child_guidance
  severity = "high",
  due = 3,
  backlog = false,                  -- a child's safety now: never backlog (RULES.md)
  params = { "not_seen_days", "not_seen_days_high" },
  check = function(child, hh, p)
    local started = hh:supported_since()
    if started == nil then return nil end
    local sighting, seen_on = hh:last_sighting(child.id)   -- a contact, or a checkup attended
    local joined = hh:membership(child.id)
    -- also from the day the child joined the household (birth): no one could see the child before
    local from = kz.later(started, seen_on, joined and joined.start_on)
    local high = hh:latest_risk_at_least("high")
    local limit = high and p.not_seen_days_high or p.not_seen_days
    local days = kz.days(from, kz.today)
    if days <= limit then return nil end
    local latest = hh:latest_assessment()
    local evidence = { child }
    if sighting then evidence[#evidence + 1] = sighting end
    if high then evidence[#evidence + 1] = latest end
    return kz.finding {
      key = child.id,
      agency = hh:primary_agency() or "family_consultation",
      since = kz.add_days(from, limit + 1),
      reason = ("【カ・ケ 目視確認】子ども（%s）を%s%d日間目視で確認していません（基準 %d日%s）。"
                .. "家庭訪問等で子どもの安全を目視で確認してください。")
               :format(child.id,
                       sighting and from == seen_on and ("最後の目視確認（%s）から"):format(from)
                         or ("%s 以降"):format(from),
                       days, limit, high and ("、最新のリスク「" .. kz.risk_name[latest.risk] .. "」") or ""),
      evidence = evidence,
    }
  end,
}

local other_kind = { family_consultation = true, child_guidance = true, welfare = true }

rule {
  id = "contact.withdrawn",
  label = "ケ 他機関関与後の継続",
  title = "他機関の関与後、保健センターの接触が途絶えている",
  description = "保健センターの関与後に他の機関が関与を始め、その後（または保健センターの最後の接触から）withdrawn_days 以上、保健センターが世帯と接触していない。保健センターが接触すると解消する。",
  subject = "household",
  agency = "health_center",
  severity = "medium",
  due = 10,
  needs = { "assignments" },
  params = { "withdrawn_days" },
  check = function(hh, p)
    local hc_since = hh:involved_since("health_center")
    if hc_since == nil then return nil end
    -- the first other agency that became involved after the health centre did, whether or not
    -- it is still involved: from then nurses tend to withdraw, and only their contact clears this
    local first
    for _, a in ipairs(hh.assignments) do
      if other_kind[a.agency] and a.start_on > hc_since and a.start_on <= kz.today
         and (first == nil or a.start_on < first.start_on) then
        first = a
      end
    end
    if first == nil then return nil end
    local other, joined = first.agency, first.start_on
    local last = hh:last_contact("health_center")
    local from = kz.later(joined, last and last.occurred_on)
    local days = kz.days(from, kz.today)
    if days < p.withdrawn_days then return nil end
    local evidence = { hh:involved("health_center"), first }
    if last then evidence[#evidence + 1] = last end
    return kz.finding {
      key = hh.id,
      since = kz.add_days(from, p.withdrawn_days),
      reason = ("【ケ 他機関関与後の継続】%sが %s に関与を始めた後、保健センターの世帯への接触が%d日ありません（%s）。"
                .. "保健師の支援を続け、経過を確認してください。")
               :format(kz.agency_name[other], joined, days,
                       last and ("最終接触 " .. last.occurred_on) or "接触記録なし"),
      evidence = evidence,
    }
  end,
}

rule {
  id = "staffing.single",
  label = "ク 複数担当制",
  title = "高リスク世帯の保健師が1人しかいない",
  description = "最新のアセスメントのリスクが高・重度なのに、保健センターの担当（staff_id）が2人未満。2人目が担当になるか、リスクが下がると解消する。",
  subject = "household",
  agency = "health_center",
  severity = "medium",
  due = 10,
  needs = { "assessments", "assignments" },
  check = function(hh, p)
    local latest = hh:latest_assessment()
    if latest == nil or kz.risk_rank[latest.risk] < kz.risk_rank.high then return nil end
    local active = hh:assignments_of("health_center")
    -- only when health_center is involved ("involved through"); no nurse at all is not a staffing question
    if #active == 0 then return nil end
    local staff, names = {}, {}
    for _, a in ipairs(active) do
      if a.staff_id and not staff[a.staff_id] then
        staff[a.staff_id] = true
        names[#names + 1] = a.staff_id
      end
    end
    if #names >= 2 then return nil end
    local ended = hh:last_ended("health_center")   -- when a second nurse last left
    local evidence = { latest }
    for _, a in ipairs(active) do evidence[#evidence + 1] = a end
    return kz.finding {
      key = hh.id,
      since = kz.later(latest.assessed_on, hh:involved_since("health_center"), ended and ended.end_on),
      reason = ("【ク 複数担当制】最新のアセスメント（%s）のリスクが「%s」ですが、保健センターの担当は%sです。"
                .. "複数担当制とし、2人目の担当保健師を決めてください。")
               :format(latest.assessed_on, kz.risk_name[latest.risk],
                       #names == 1 and ("1人（" .. names[1] .. "）") or "未記録"),
      evidence = evidence,
    }
  end,
}

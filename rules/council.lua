-- ウ 要対協の対象, オ アセスメントシート, カ 進行管理
-- A household that the family consultation office or the child guidance
-- centre keeps supporting is a council (要対協) case: it is registered, its
-- assessment sheet is kept current, and its progress is reviewed regularly
-- (RULES.md: council.unregistered, assessment.stale, review.overdue).

local lead_kinds = { "family_consultation", "child_guidance" }

local forum_name = { progress = "進行管理会議", case_conference = "個別ケース検討会議" }

-- The names of the lead kinds involved today, and their active assignments.
local function leads(hh)
  local names, records = {}, {}
  for _, kind in ipairs(lead_kinds) do
    local active = hh:assignments_of(kind)
    if #active > 0 then names[#names + 1] = kz.agency_name[kind] end
    for _, a in ipairs(active) do records[#records + 1] = a end
  end
  return table.concat(names, "・"), records
end

rule {
  id = "council.unregistered",
  label = "ウ 要対協の対象",
  title = "継続支援中の世帯が要対協に登録されていない",
  description = "家庭児童相談室または児童相談所が council_registration_days 以上続けて関与しているのに、要対協の登録がない。登録されるか、どちらも関与しなくなると解消する。",
  subject = "household",
  agency = "family_consultation",
  severity = "medium",
  due = 10,
  needs = { "assignments" },
  params = { "council_registration_days" },
  check = function(hh, p)
    if hh:registration() then return nil end
    local started = hh:involved_since(lead_kinds)
    if started == nil then return nil end
    local days = kz.days(started, kz.today)
    if days < p.council_registration_days then return nil end
    local ended                   -- a registration that ended makes the case unregistered again
    for _, c in ipairs(hh.council) do
      if c.end_on and (ended == nil or c.end_on >= ended.end_on) then ended = c end
    end
    local who, evidence = leads(hh)
    if ended then evidence[#evidence + 1] = ended end
    return kz.finding {
      key = hh.id,
      since = kz.later(kz.add_days(started, p.council_registration_days), ended and ended.end_on),
      reason = ("【ウ 要対協の対象】%sが %s から%d日間関与していますが、要対協に登録されていません%s。"
                .. "要対協の対象ケースとして登録してください。")
               :format(who, started, days, ended and ("（前回の登録は " .. ended.end_on .. " に終了）") or ""),
      evidence = evidence,
    }
  end,
}

rule {
  id = "assessment.stale",
  label = "オ アセスメントシート",
  title = "在宅支援アセスメントシートが作成・更新されていない",
  description = "家庭児童相談室または児童相談所が関与しているのに、アセスメントシートが関与開始から assessment_initial_days 以上作成されていない、最新のものが assessment_max_age_days より古い、または最新のアセスメント後のリスク事象から assessment_after_event_days 以上再アセスメントがない。新しいアセスメントで解消する。",
  subject = "household",
  agency = "family_consultation",   -- child_guidance when only it is involved
  severity = "medium",              -- high when the latest risk is high or severe
  due = 10,
  needs = { "assignments" },
  params = { "assessment_initial_days", "assessment_max_age_days", "assessment_after_event_days" },
  check = function(hh, p)
    local kind = hh:involved("family_consultation") and "family_consultation"
              or hh:involved("child_guidance") and "child_guidance"
    if not kind then return nil end
    local started = hh:involved_since(lead_kinds)
    local latest = hh:latest_assessment()
    local why, since, evidence = {}, nil, { hh:involved(kind) }
    -- since: the most recent of the triggers that hold, so a fresh risk event opens a task
    local function trigger(on, text)
      since = kz.later(since, on)
      why[#why + 1] = text
    end
    if latest == nil then
      local days = kz.days(started, kz.today)
      if days >= p.assessment_initial_days then
        trigger(kz.add_days(started, p.assessment_initial_days),
                ("関与開始（%s）から%d日、アセスメントシートが未作成"):format(started, days))
      end
    else
      evidence[#evidence + 1] = latest
      local age = kz.days(latest.assessed_on, kz.today)
      if age > p.assessment_max_age_days then
        trigger(kz.later(kz.add_days(latest.assessed_on, p.assessment_max_age_days + 1), started),
                ("最新のアセスメント（%s）から%d日経過"):format(latest.assessed_on, age))
      end
      local late = {}
      for _, e in ipairs(hh:risk_events(kz.add_days(latest.assessed_on, 1))) do
        if kz.days(e.on, kz.today) >= p.assessment_after_event_days then
          late[#late + 1] = e.on .. " " .. e.label
          evidence[#evidence + 1] = e.record
          -- a missed checkup is an event from the day it counts as missed
          local known = e.known_on
          since = kz.later(since, kz.add_days(e.on, p.assessment_after_event_days), known)
        end
      end
      if #late > 0 then
        trigger(since, (#why > 0 and "その後のリスク事象（%s）についても再アセスメントなし"
                                   or "最新のアセスメント（" .. latest.assessed_on .. "）後のリスク事象（%s）について再アセスメントなし")
                       :format(table.concat(late, "、")))
      end
    end
    if since == nil then return nil end
    local high = hh:latest_risk_at_least("high")
    return kz.finding {
      key = hh.id,
      agency = kind,
      since = since,
      severity = high and "high" or "medium",
      reason = ("【オ アセスメントシート】%s%s。%sがアセスメントシートを作成・更新し、支援方針を見直してください。")
               :format(table.concat(why, "。"),
                       high and ("（最新のリスク「" .. kz.risk_name[latest.risk] .. "」）") or "",
                       kz.agency_name[kind]),
      evidence = evidence,
    }
  end,
}

rule {
  id = "review.overdue",
  label = "カ 進行管理",
  title = "進行管理（ケースの見直し）が滞っている",
  description = "家庭児童相談室が関与しているのに、最新の進行管理（会議の種類を問わない）が review_interval_days より古い、または一度もなく関与開始からそれより長く経っている。新しい見直しで解消する。",
  subject = "household",
  agency = "family_consultation",
  severity = "medium",
  due = 10,
  needs = { "assignments" },
  params = { "review_interval_days" },
  check = function(hh, p)
    local started = hh:involved_since("family_consultation")
    if started == nil then return nil end
    local latest = kz.last(hh.reviews)
    local limit = p.review_interval_days
    local from = latest and latest.reviewed_on or started
    local days = kz.days(from, kz.today)
    if days <= limit then return nil end
    local what = latest
        and ("最新の見直し（%s %s）から%d日"):format(latest.reviewed_on,
                                                   forum_name[latest.forum] or latest.forum or "", days)
        or ("関与開始（%s）から%d日、見直しが一度もありません"):format(started, days)
    return kz.finding {
      key = hh.id,
      since = kz.later(kz.add_days(from, limit + 1), started),
      reason = ("【カ 進行管理】%s（基準 %d日）。進行管理会議でケースの状況と支援方針を見直してください。")
               :format(what, limit),
      evidence = latest and { hh:involved("family_consultation"), latest }
                         or { hh:involved("family_consultation") },
    }
  end,
}

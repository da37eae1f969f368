-- カ リスクの高まり
-- Pieces that each look small — a missed checkup, welfare ending, a lost
-- pregnancy, a report, a move — add up. When they add up within the window,
-- the family consultation office, and at a higher score the child guidance
-- centre, must be involved (RULES.md: risk.rising).

local targets = {
  { kind = "family_consultation", threshold = "risk_threshold", severity = "high" },
  { kind = "child_guidance", threshold = "risk_threshold_guidance", severity = "critical" },
}

-- The day the score crossed threshold: the first day of the unbroken run of
-- days ending today on which the score (the events within risk_window_days
-- of that day) was at least threshold. An event counts from its day (a
-- missed checkup from the day it counts as missed) for risk_window_days.
-- The events come in day order, so the days the score changes are three
-- lists already in order (starts, missed-checkup starts, ends): merged, not
-- sorted, so a long history costs a walk, not a sort in Lua.
local function crossed(hh, p, threshold)
  local starts, missed, ends = {}, {}, {}   -- { day, change of the score }
  for _, e in ipairs(hh:risk_events("0000-01-01")) do
    local w = e.weight or 0
    if e.kind == "checkup_missed" then
      missed[#missed + 1] = { e.known_on, w }
    else
      starts[#starts + 1] = { e.on, w }
    end
    ends[#ends + 1] = { kz.add_days(e.on, p.risk_window_days + 1), -w }
  end
  local lists, at = { starts, missed, ends }, { 1, 1, 1 }
  local score, since = 0, nil
  while true do
    local day                                -- the next day the score changes
    for k = 1, 3 do
      local x = lists[k][at[k]]
      if x and (day == nil or x[1] < day) then day = x[1] end
    end
    if day == nil or day > kz.today then break end
    for k = 1, 3 do
      local l = lists[k]
      while l[at[k]] and l[at[k]][1] == day do
        score = score + l[at[k]][2]
        at[k] = at[k] + 1
      end
    end
    if score < threshold then since = nil elseif since == nil then since = day end
  end
  return since or kz.today
end

rule {
  id = "risk.rising",
  label = "カ リスクの高まり",
  title = "リスク事象の積み重なり（関与機関の追加）",
  description = "直近 risk_window_days 日のリスク事象（健診未受診・生活保護終了・妊娠が継続しなかった・関係機関からの情報・転居）の得点（risk_weights）が risk_threshold 以上で家庭児童相談室が関与していない、または risk_threshold_guidance 以上で児童相談所が関与していない。その機関が関与するか、得点が基準を下回ると解消する。",
  subject = "household",
  agency = "family_consultation",   -- each finding names its target kind
  severity = "high",                -- critical when the target is child_guidance
  due = 3,
  backlog = false,                  -- a child's safety now: never backlog (RULES.md)
  params = { "risk_window_days", "risk_threshold", "risk_threshold_guidance" },   -- the weights: hh:risk_events
  check = function(hh, p)
    if hh:involved("family_consultation") and hh:involved("child_guidance") then return nil end
    local window = kz.add_days(kz.today, -p.risk_window_days)
    local events = hh:risk_events(window)
    local score, lines, evidence = 0, {}, {}
    for _, e in ipairs(events) do
      score = score + (e.weight or 0)
      lines[#lines + 1] = ("%s %s(+%s)"):format(e.on, e.label, e.weight or 0)
      evidence[#evidence + 1] = e.record
    end
    local found = {}
    for _, t in ipairs(targets) do
      local threshold = p[t.threshold]
      if score >= threshold and not hh:involved(t.kind) then
        found[#found + 1] = kz.finding {
          key = hh.id .. ":" .. t.kind,
          agency = t.kind,
          severity = t.severity,
          since = crossed(hh, p, threshold),
          reason = ("【カ リスクの高まり】直近%d日のリスク得点が %s（基準 %s）：%s。%sはまだ関与していません。"
                    .. "世帯の状況を確認し、%sの関与を判断してください。")
                   :format(p.risk_window_days, score, threshold, table.concat(lines, "、"),
                           kz.agency_name[t.kind], kz.agency_name[t.kind]),
          evidence = evidence,
        }
      end
    end
    return found
  end,
}

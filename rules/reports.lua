-- 4イ・4ウ 関係機関からの情報, 4エ 48時間ルール・警察の同行要請
-- What schools, nurseries, hospitals, neighbours and the police tell us is
-- acted on at once: a worry reaches the agency that leads the case, and a
-- notification or a police request to accompany them means the child
-- guidance centre sees every child within 48 hours (RULES.md:
-- report.received, report.safety_check).

local source_name = {
  nursery = "保育所", unlicensed_nursery = "認可外保育施設", school = "学校", hospital = "医療機関",
  police = "警察", neighbor = "近隣住民", other = "その他の機関",
}
local concern_kind = { concern = "気がかりな様子", absence = "欠席・不在" }
local safety_kind = { notification = "通告", accompany_request = "同行要請" }

local function from(r)
  return source_name[r.source] or r.source or "関係機関"
end

rule {
  id = "report.received",
  label = "4イ・4ウ 関係機関からの情報",
  title = "関係機関からの情報（気がかり・欠席）への対応",
  description = "関係機関から気がかりな様子や欠席・不在の情報が届いた。要対協に登録中なら主たる管理機関、そうでなければ区の家庭児童相談室が担当する。担当機関または受理した機関が受理日以降に世帯と接触すると解消する。",
  subject = "household",
  agency = "family_consultation",   -- the council's primary agency when registered
  severity = "high",
  due = 2,
  needs = { "reports" },
  check = function(hh, p)
    if #hh.reports == 0 then return nil end
    local council = hh:registration()
    local routed = council and council.primary_agency or "family_consultation"
    local found = {}
    for _, r in ipairs(hh.reports) do
      if concern_kind[r.kind] then
        -- a contact on/after received_on by the routed agency or the one that received it
        local answered = hh:contact_since(r.received_on, routed)
                         or (r.agency and hh:contact_since(r.received_on, r.agency))
        if not answered then
          found[#found + 1] = kz.finding {
            key = r.id,
            agency = routed,
            since = r.received_on,
            reason = ("【4イ・4ウ 関係機関からの情報】%s に%sから「%s」の情報（受理：%s）。"
                      .. "%sが速やかに世帯と接触し、子どもの状況を確認してください。")
                     :format(r.received_on, from(r), concern_kind[r.kind],
                             kz.agency_name[r.agency] or r.agency or "未記録",
                             (council and "要対協の主たる管理機関である" or "") .. kz.agency_name[routed]),
            evidence = council and { r, council } or { r },
          }
        end
      end
    end
    return found
  end,
}

rule {
  id = "report.safety_check",
  label = "4エ 48時間ルール・警察の同行要請",
  title = "通告・同行要請から48時間以内の安全確認",
  description = "通告または警察等からの同行要請を受けた。児童相談所が受理日以降に世帯の子ども全員を目視で確認すると解消する。期限は暦日で2日（48時間ルール）。",
  subject = "household",
  agency = "child_guidance",
  severity = "critical",
  due = kz.calendar_days(2),
  backlog = false,                  -- a child's safety now: never backlog (RULES.md)
  needs = { "reports" },
  check = function(hh, p)
    local found = {}
    for _, r in ipairs(hh.reports) do
      if safety_kind[r.kind] then
        -- the children of the household now, else those at the report; with none on record any sighting counts
        local kids = hh:children()
        if #kids == 0 then kids = hh:children(r.received_on) end
        local unseen = {}
        for _, c in ipairs(kids) do
          if not hh:seen_since(c.id, r.received_on, "child_guidance") then unseen[#unseen + 1] = c end
        end
        local done = #kids > 0 and #unseen == 0
        if #kids == 0 then
          done = kz.first(hh.contacts, function(c)
            return c.occurred_on >= r.received_on and c.agency == "child_guidance" and c.child_seen == 1
          end) ~= nil
        end
        if not done then
          local ids = {}
          for _, c in ipairs(unseen) do ids[#ids + 1] = c.id end
          local evidence = { r }
          for _, c in ipairs(unseen) do evidence[#evidence + 1] = c end
          found[#found + 1] = kz.finding {
            key = r.id,
            since = r.received_on,
            reason = ("【4エ 48時間ルール・警察の同行要請】%s に%sから%s。"
                      .. "受理から48時間以内に児童相談所が子ども全員の安全を目視で確認してください（未確認：%s）。")
                     :format(r.received_on, from(r), safety_kind[r.kind],
                             #ids > 0 and table.concat(ids, "、") or "子どもの記録なし"),
            evidence = evidence,
          }
        end
      end
    end
    return found
  end,
}

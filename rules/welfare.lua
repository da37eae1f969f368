-- エ 生活支援終了の情報提供
-- When a household with children leaves welfare, the agencies that support it
-- must hear of it at once (RULES.md: welfare.ended).

local watchers = { "health_center", "family_consultation", "child_guidance" }

rule {
  id = "welfare.ended",
  label = "エ 生活支援終了の情報提供",
  title = "生活保護の終了（関係機関への情報提供）",
  description = "子どものいる世帯の生活保護が終了した。関与している機関（いなければ3歳未満の子がいる場合は保健センター）が終了後に世帯と接触するまで残る。",
  subject = "household",
  agency = "health_center",       -- each finding names its own agency
  severity = "medium",
  due = 5,
  needs = { "welfare" },
  check = function(hh, p)
    if #hh.welfare == 0 then return nil end            -- never on welfare: nothing ended
    local children = hh:children()
    if #children == 0 then return nil end
    local found = {}
    for _, w in ipairs(hh.welfare) do
      if w.end_on then
        local kinds = {}
        for _, kind in ipairs(watchers) do
          if hh:involved(kind, w.end_on) or hh:involved(kind) then kinds[#kinds + 1] = kind end
        end
        if #kinds == 0 then
          for _, c in ipairs(children) do
            if c.birth_on and c:age() < 3 then kinds = { "health_center" } break end
          end
        end
        for _, kind in ipairs(kinds) do
          if not hh:contact_since(w.end_on, kind) then
            found[#found + 1] = kz.finding {
              key = w.id .. ":" .. kind,
              agency = kind,
              since = w.end_on,
              reason = ("【エ 生活支援終了の情報提供】生活保護が %s に終了（%s）。"
                        .. "%sは終了後まだ世帯と接触していません。世帯の状況を確認してください。")
                       :format(w.end_on, w.end_reason or "理由未記録", kz.agency_name[kind]),
              evidence = { w },
            }
          end
        end
      end
    end
    return found
  end,
}

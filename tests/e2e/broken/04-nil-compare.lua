-- mistake: 空のことがある項目をそのまま比べる（`k.attended_on < kz.today`）
-- caught-by: test
-- expect-at: 17
-- expect-en: rule broken.x, subject C1: attempt to compare nil with string — this record's field may be empty: check k.attended_on ~= nil first
-- expect-ja: ルール broken.x、対象 C1: attempt to compare nil with string — この記録の項目は空のことがあります: 先に k.attended_on ~= nil を確かめてください
rule {
  id = "broken.x",
  label = "見本",
  title = "よくある間違いの見本",
  subject = "child",
  agency = "health_center",
  severity = "medium",
  due = 10,
  params = { "checkup_grace_days" },
  check = function(child, hh, p)
    for _, k in ipairs(hh.checkups) do
      if k.attended_on < kz.today then return nil end
    end
  end,
}

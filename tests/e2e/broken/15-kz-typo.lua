-- mistake: kz の語の書き間違い（`kz.todya`）
-- caught-by: check
-- expect-at: 16
-- expect-en: kz has no word 'todya' (did you mean 'kz.today'?)
-- expect-ja: kz に 'todya' という語はありません（もしかして 'kz.today'？）
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
    local today = kz.todya
    return nil
  end,
}

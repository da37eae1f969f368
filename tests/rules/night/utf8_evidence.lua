-- expect-exit: 3
-- Night file: hostile.utf8_evidence. Evidence and keys that are not UTF-8:
-- a string item, a field value, a field name, an encoded surrogate.
rule {
  id = "hostile.utf8_evidence", label = "test", title = "test", subject = "household",
  agency = "health_center", severity = "low", due = 1,
  check = function(hh, p)
    local items = { "\xff\xfe", { note = "ok\xc3\x28" }, { ["k\xe0"] = 1 }, { s = "\xed\xa0\x80" } }
    return kz.finding { since = kz.today, reason = "証拠の確認",
                        evidence = { items[tonumber(hh.id:sub(-1)) % 4 + 1] } }
  end,
}

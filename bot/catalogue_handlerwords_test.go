package bot_test

import (
	"testing"

	"salesbot/internal/apptest"
)

// The words handlers read besides the sub-commands come from the language
// files too, and work for everyone: "切换" for use, "负责人" for owner,
// "天" after days, "到" between the ends of a range (the deal form's
// "vs"/"竞品" is in dealflow_test).
func TestCatalogueWordsInHandlers(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { wordsInHandlers(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { wordsInHandlers(t, apptest.New(t, apptest.Postgres(t))) })
}

func wordsInHandlers(t *testing.T, h *apptest.Harness) {
	h.Member(mgrN, "North", "manager")
	h.Member(mgrN, "South", "manager")
	h.Member(repL, "North", "rep")
	apptest.MustContain(t, h.Send(mgrN, "/team 切换 South"), "Your new entries now go to South.")
	apptest.MustContain(t, h.Send(mgrN, "/team USE North"), "Your new entries now go to North.")
	apptest.MustContain(t, h.Send(repL, "/visit Acme; demo"), "Visit saved — Acme")
	apptest.MustContain(t, h.Send(mgrN, "/client Acme 负责人 @mia"), "Acme now belongs to Mia (before: Lu), with 1 open follow-up.")
	apptest.MustContain(t, h.Send(mgrN, "/client Acme owner @lu"), "Acme now belongs to Lu (before: Mia)")
	apptest.MustContain(t, h.Send(mgrN, "/settings revisit 10天"), "Saved.", "Revisit after a visit: after 10 days")
	apptest.MustContain(t, h.Send(mgrN, "/settings revisit 9D"), "Saved.", "Revisit after a visit: after 9 days")
	apptest.MustContain(t, h.Send(mgrN, "/settings quiet 22:00到07:00"), "Saved.", "Quiet hours: 22:00–07:00")
	apptest.MustContain(t, h.Send(mgrN, "/settings quiet 21:00~06:30"), "Saved.", "Quiet hours: 21:00–06:30")
	apptest.MustContain(t, h.Send(mgrN, "/settings revisit 10周"), "/settings revisit 7")
}

package reportstest

import (
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/models"
)

// Scenario is team North (Asia/Shanghai) on Tuesday 24 November 2026 and
// the week around it, worked out by hand:
//
//	reps: Li Wei (zh), Bob, Carol (idle); manager Mia (en), manager 王芳 (zh)
//	visits (Shanghai time):
//	  Mon 23 23:30 Bob   Beta   no stage stated, neutral
//	  Tue 24 00:30 Bob   Gamma  demo → demo, cold (3rd visit without progress)
//	  Tue 24 09:30 Li    Acme   demo → proposal, warm
//	  Tue 24 10:00 Bob   Beta   contact → needs, neutral
//	  Tue 24 14:00 Li    华为    needs → needs, neutral
//	  Wed 25 00:30 Li    Acme   (tomorrow: never in Tuesday's digest)
//	  earlier: Gamma visited by Bob on 10 and 17 Nov without progress
//	objections: Li at Acme Tue 11:00 price, resolved by "volume discount";
//	  Bob at Beta Mon 23 15:00 busy, unresolved
//	plans, week of 23 Nov: Li Mon Acme, Wed Delta; Bob Tue Beta, Mon Gamma
//	plans, week of 30 Nov: Li Mon Acme "contract"
//	follow-ups: every visit makes its one-week revisit and completes the
//	  client's open one: Bob's Gamma revisit (due 24 Nov 10:00) is done at
//	  Tue 00:30, his Beta one (due 30 Nov) at Tue 10:00, Li's Acme one at
//	  Wed 00:30; Carol has a reminder due Mon 23 09:00, never done
type Scenario struct {
	Team                             *models.Team
	Li, Bob, Carol, Mia, Wang        int64
	Acme, Huawei, Beta, Gamma, Delta int64
}

// Telegram ids of the scenario's people (their chat ids too).
const (
	LiTG    = 301
	BobTG   = 302
	CarolTG = 303
	MiaTG   = 311
	WangTG  = 312
)

// Day is the scenario's Tuesday.
const Day = "2026-11-24"

// ThreeReps writes the scenario into db; the team is created with the name
// and zone given (tests with two teams call it twice with other names).
//
// When clk is given (db's clock), each visit is logged at its own time, as
// a rep would, so the follow-ups it completes are done then; the clock is
// put back afterwards.
func ThreeReps(t testing.TB, db *storage.DB, clk *clock.Fake, teamName, tz string, tgOffset int64) *Scenario {
	t.Helper()
	if clk != nil {
		now := clk.Now()
		defer clk.Set(now)
	}
	ctx := t.Context()
	team, err := db.CreateTeam(ctx, teamName, tz)
	if err != nil {
		t.Fatal(err)
	}
	loc := team.Location()
	s := &Scenario{Team: team}
	s.Li = Member(t, db, team.ID, LiTG+tgOffset, "Li Wei", "zh", models.RoleRep)
	s.Bob = Member(t, db, team.ID, BobTG+tgOffset, "Bob", "en", models.RoleRep)
	s.Carol = Member(t, db, team.ID, CarolTG+tgOffset, "Carol", "en", models.RoleRep)
	s.Mia = Member(t, db, team.ID, MiaTG+tgOffset, "Mia", "en", models.RoleManager)
	s.Wang = Member(t, db, team.ID, WangTG+tgOffset, "王芳", "zh", models.RoleManager)
	s.Acme = Client(t, db, team.ID, s.Li, "Acme", models.StageDemo)
	s.Huawei = Client(t, db, team.ID, s.Li, "华为", models.StageNeeds)
	s.Beta = Client(t, db, team.ID, s.Bob, "Beta", models.StageContact)
	s.Gamma = Client(t, db, team.ID, s.Bob, "Gamma", models.StageDemo)
	s.Delta = Client(t, db, team.ID, s.Li, "Delta", models.StageContact)
	at := func(day, hm string) time.Time {
		return clockAt(hm).On(day, loc)
	}
	visit := func(rep, client int64, when time.Time, before, after models.Stage, att models.Attitude) {
		if clk != nil {
			clk.Set(when)
		}
		Visit(t, db, models.Visit{TeamID: team.ID, RepID: rep, ClientID: client, At: when, StageBefore: before, Stage: after, Attitude: att})
	}
	visit(s.Bob, s.Gamma, at("2026-11-10", "10:00"), models.StageDemo, models.StageDemo, models.AttitudeNeutral)
	visit(s.Bob, s.Gamma, at("2026-11-17", "10:00"), models.StageDemo, models.StageNone, models.AttitudeNeutral)
	visit(s.Bob, s.Beta, at("2026-11-23", "23:30"), models.StageContact, models.StageNone, models.AttitudeNeutral)
	visit(s.Bob, s.Gamma, at(Day, "00:30"), models.StageDemo, models.StageDemo, models.AttitudeCold)
	visit(s.Li, s.Acme, at(Day, "09:30"), models.StageDemo, models.StageProposal, models.AttitudeWarm)
	visit(s.Bob, s.Beta, at(Day, "10:00"), models.StageContact, models.StageNeeds, models.AttitudeNeutral)
	visit(s.Li, s.Huawei, at(Day, "14:00"), models.StageNeeds, models.StageNeeds, models.AttitudeNeutral)
	visit(s.Li, s.Acme, at("2026-11-25", "00:30"), models.StageProposal, models.StageProposal, models.AttitudeWarm)
	Objection(t, db, models.Objection{TeamID: team.ID, RepID: s.Li, ClientID: s.Acme, At: at(Day, "11:00"), Category: models.ObjPrice,
		Words: "太贵了", Answer: "volume discount", Resolved: true, WorkedAnswer: "volume discount"})
	Objection(t, db, models.Objection{TeamID: team.ID, RepID: s.Bob, ClientID: s.Beta, At: at("2026-11-23", "15:00"), Category: models.ObjBusy,
		Words: "call me next month"})
	// Carol's own reminder, due Monday morning and never done: overdue.
	if _, err := db.CreateFollowUp(ctx, &models.FollowUp{TeamID: team.ID, OwnerID: s.Carol, Kind: models.KindReminder,
		Text: "send Delta the brochure", DueAt: at("2026-11-23", "09:00"), Exact: true}); err != nil {
		t.Fatal(err)
	}
	_, err = db.AddPlannedVisits(ctx, []models.PlannedVisit{
		{TeamID: team.ID, RepID: s.Li, ClientID: s.Acme, Day: "2026-11-23", Purpose: "demo"},
		{TeamID: team.ID, RepID: s.Li, ClientID: s.Delta, Day: "2026-11-25", Purpose: "intro"},
		{TeamID: team.ID, RepID: s.Bob, ClientID: s.Beta, Day: "2026-11-24", Purpose: "needs"},
		{TeamID: team.ID, RepID: s.Bob, ClientID: s.Gamma, Day: "2026-11-23", Purpose: "trial"},
		{TeamID: team.ID, RepID: s.Li, ClientID: s.Acme, Day: "2026-11-30", Purpose: "contract"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// clockAt reads "HH:MM" in a test's data.
func clockAt(hm string) models.ClockTime {
	c, ok := models.ParseClockTime(hm)
	if !ok {
		panic("bad time " + hm)
	}
	return c
}

package reportstest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"salesbot/internal/storage"
	"salesbot/models"
)

// PlannedRow is a row of planned_visits.
type PlannedRow struct {
	ID        int64 `gorm:"primaryKey"`
	TeamID    int64
	RepID     int64
	ClientID  int64
	WeekStart string
	Day       string
	Purpose   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName is the planned_visits table.
func (PlannedRow) TableName() string { return "planned_visits" }

// StageEventRow is a row of stage_events.
type StageEventRow struct {
	ID        int64 `gorm:"primaryKey"`
	TeamID    int64
	ClientID  int64
	UserID    int64
	VisitID   *int64
	FromStage string
	ToStage   string
	At        time.Time
	CreatedAt time.Time
}

// TableName is the stage_events table.
func (StageEventRow) TableName() string { return "stage_events" }

// FollowUpRow is a row of follow_ups.
type FollowUpRow struct {
	ID          int64 `gorm:"primaryKey"`
	TeamID      int64
	OwnerID     int64
	ClientID    *int64
	Kind        string
	Text        string
	DueAt       time.Time
	Exact       bool
	State       string
	SendAt      time.Time
	ClaimToken  string
	Attempts    int
	LastError   string
	MaybeSent   bool
	ChatID      int64
	MessageID   int64
	Late        bool
	SnoozeCount int
	DoneAt      *time.Time
	SentAt      *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName is the follow_ups table.
func (FollowUpRow) TableName() string { return "follow_ups" }

// Size is how much data Generate writes.
type Size struct {
	Teams, RepsPerTeam, ClientsPerRep int
	Visits, Objections, FollowUps     int
	// PlansPerRepWeek planned visits per rep and week.
	PlansPerRepWeek int
	Days            int // history length, ending at End
}

// FullSize is the benchmark of the reports issue: 200 reps in 20 teams,
// 1,000,000 visits and 200,000 objections over two years.
var FullSize = Size{Teams: 20, RepsPerTeam: 10, ClientsPerRep: 50, Visits: 1_000_000, Objections: 200_000, FollowUps: 300_000, PlansPerRepWeek: 8, Days: 730}

// SmallSize keeps a benchmark run quick when the full size is not asked for.
var SmallSize = Size{Teams: 4, RepsPerTeam: 5, ClientsPerRep: 20, Visits: 20_000, Objections: 4_000, FollowUps: 6_000, PlansPerRepWeek: 8, Days: 730}

// Generated tells what Generate wrote.
type Generated struct {
	Teams []*models.Team
	End   time.Time
}

var benchZones = []string{"Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"}

var answers = []string{"volume discount", "free trial month", "reference customer visit", "payment in instalments", "pilot with one team"}

// Generate writes teams, reps, clients, visits, objections, stage changes
// and plans with multi-row inserts (batches of 1000), for benchmarks.
// Visits fall on working hours of the last sz.Days days before end.
func Generate(tb testing.TB, db *storage.DB, sz Size, end time.Time) *Generated {
	tb.Helper()
	ctx := tb.Context()
	g := db.Gorm()
	rng := rand.New(rand.NewPCG(1, 2))
	out := &Generated{End: end}
	type rep struct{ id, team int64 }
	var reps []rep
	clientsOf := map[int64][]int64{}
	tgID := int64(1_000_000)
	for t := range sz.Teams {
		team, err := db.CreateTeam(ctx, fmt.Sprintf("Team %02d", t+1), benchZones[t%len(benchZones)])
		if err != nil {
			tb.Fatal(err)
		}
		out.Teams = append(out.Teams, team)
		tgID++
		Member(tb, db, team.ID, tgID, fmt.Sprintf("Manager %02d", t+1), "en", models.RoleManager)
		var clients []ClientRow
		var teamReps []rep
		for r := range sz.RepsPerTeam {
			tgID++
			id := Member(tb, db, team.ID, tgID, fmt.Sprintf("Rep %02d-%02d", t+1, r+1), []string{"en", "zh"}[r%2], models.RoleRep)
			teamReps = append(teamReps, rep{id, team.ID})
			for c := range sz.ClientsPerRep {
				name := fmt.Sprintf("Client %d-%d-%d", t+1, r+1, c+1)
				clients = append(clients, ClientRow{TeamID: team.ID, Name: name, NameKey: models.NameKey(name), OwnerID: id,
					Grade: "B", Stage: string(models.Stages[rng.IntN(len(models.Stages))]), CreatedAt: end.AddDate(0, 0, -sz.Days), UpdatedAt: end})
			}
		}
		if err := g.CreateInBatches(clients, 1000).Error; err != nil {
			tb.Fatal(err)
		}
		for _, c := range clients {
			clientsOf[c.OwnerID] = append(clientsOf[c.OwnerID], c.ID)
		}
		reps = append(reps, teamReps...)
	}
	start := end.AddDate(0, 0, -sz.Days)
	at := func() time.Time {
		d := start.AddDate(0, 0, 1+rng.IntN(sz.Days))
		for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			d = d.AddDate(0, 0, -1)
		}
		return d.Add(time.Duration(1+rng.IntN(10))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
	}
	stages := models.Stages
	atts := models.Attitudes
	insert := func(rows any) {
		if err := g.CreateInBatches(rows, 1000).Error; err != nil {
			tb.Fatal(err)
		}
	}
	const chunk = 50_000
	var events []StageEventRow
	for done := 0; done < sz.Visits; done += chunk {
		n := min(chunk, sz.Visits-done)
		vs := make([]VisitRow, n)
		for i := range vs {
			r := reps[rng.IntN(len(reps))]
			cs := clientsOf[r.id]
			before := stages[rng.IntN(len(stages))]
			after := before
			if rng.IntN(10) == 0 && before != models.StageContract {
				after = stages[models.Stage(before).Index()+1]
			}
			t := at()
			vs[i] = VisitRow{TeamID: r.team, ClientID: cs[rng.IntN(len(cs))], RepID: r.id, At: t, Method: string(models.MethodInPerson),
				StageBefore: string(before), Stage: string(after), Attitude: string(atts[rng.IntN(len(atts))]),
				TalkingPoints: "talked about the next order", CreatedAt: t, UpdatedAt: t}
		}
		insert(vs)
		for i := range vs {
			if vs[i].Stage != vs[i].StageBefore {
				id := vs[i].ID
				events = append(events, StageEventRow{TeamID: vs[i].TeamID, ClientID: vs[i].ClientID, UserID: vs[i].RepID, VisitID: &id,
					FromStage: vs[i].StageBefore, ToStage: vs[i].Stage, At: vs[i].At, CreatedAt: vs[i].At})
			}
		}
	}
	insert(events)
	for done := 0; done < sz.Objections; done += chunk {
		n := min(chunk, sz.Objections-done)
		os := make([]ObjectionRow, n)
		for i := range os {
			r := reps[rng.IntN(len(reps))]
			cs := clientsOf[r.id]
			t := at()
			o := ObjectionRow{TeamID: r.team, ClientID: cs[rng.IntN(len(cs))], RepID: r.id, At: t,
				Category: string(models.ObjectionCategories[rng.IntN(len(models.ObjectionCategories))]),
				Words:    "we are happy with what we have", Answer: answers[rng.IntN(len(answers))], CreatedAt: t, UpdatedAt: t}
			if rng.IntN(3) == 0 {
				o.Resolved, o.WorkedAnswer = true, o.Answer
			}
			os[i] = o
		}
		insert(os)
	}
	// Follow-ups: most done within a day of falling due, some open (the
	// recent ones, and a few overdue), some cancelled.
	for done := 0; done < sz.FollowUps; done += chunk {
		n := min(chunk, sz.FollowUps-done)
		fs := make([]FollowUpRow, n)
		for i := range fs {
			r := reps[rng.IntN(len(reps))]
			cs := clientsOf[r.id]
			c := cs[rng.IntN(len(cs))]
			due := at()
			f := FollowUpRow{TeamID: r.team, OwnerID: r.id, ClientID: &c, Kind: string(models.KindRevisit), Text: "",
				DueAt: due, SendAt: due, CreatedAt: due.AddDate(0, 0, -7), UpdatedAt: due}
			switch k := rng.IntN(20); {
			case due.After(end) || k == 0:
				f.State = string(models.FollowUpSent)
				f.SentAt = &due
			case k == 1:
				f.State = string(models.FollowUpCancelled)
			default:
				f.State = string(models.FollowUpDone)
				doneAt := due.Add(time.Duration(rng.IntN(24*60)) * time.Minute)
				f.SentAt, f.DoneAt = &due, &doneAt
			}
			fs[i] = f
		}
		insert(fs)
	}
	var plans []PlannedRow
	for w := models.WeekOf(start, time.UTC); w.Monday <= models.CivilDate(end, time.UTC); w = w.Next() {
		for _, r := range reps {
			cs := clientsOf[r.id]
			for range sz.PlansPerRepWeek {
				plans = append(plans, PlannedRow{TeamID: r.team, RepID: r.id, ClientID: cs[rng.IntN(len(cs))], WeekStart: w.Monday,
					Day: w.Day(rng.IntN(5)), Purpose: "follow up", CreatedAt: end, UpdatedAt: end})
			}
		}
		if len(plans) >= chunk {
			insert(plans)
			plans = plans[:0]
		}
	}
	if len(plans) > 0 {
		insert(plans)
	}
	// A share of clients stalled by the three-visits rule.
	if err := g.Exec("UPDATE clients SET no_progress_visits = 3 WHERE id % 7 = 0").Error; err != nil {
		tb.Fatal(err)
	}
	return out
}

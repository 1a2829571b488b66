package reportstest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"salesbot/internal/storage"
	"salesbot/models"
)

// Size is how much data Generate writes.
type Size struct {
	Teams, RepsPerTeam, ClientsPerRep int
	Visits, Objections, FollowUps     int
	// PlansPerRepWeek planned visits per rep and week.
	PlansPerRepWeek int
	Days            int // history length, ending at End
	// Deals spread evenly over the teams: the first team's are all open
	// (its pipeline is the benchmark's), the others' 40 % open, 35 % won
	// and 25 % lost over the history.
	Deals int
}

// FullSize is the benchmark of the reports issue: 200 reps in 20 teams,
// 1,000,000 visits and 200,000 objections over two years.
var FullSize = Size{Teams: 20, RepsPerTeam: 10, ClientsPerRep: 50, Visits: 1_000_000, Objections: 200_000, FollowUps: 300_000, PlansPerRepWeek: 8, Days: 730, Deals: 100_000}

// SmallSize keeps a benchmark run quick when the full size is not asked for.
var SmallSize = Size{Teams: 4, RepsPerTeam: 5, ClientsPerRep: 20, Visits: 20_000, Objections: 4_000, FollowUps: 6_000, PlansPerRepWeek: 8, Days: 730, Deals: 4_000}

// Generated tells what Generate wrote.
type Generated struct {
	Teams []*models.Team
	End   time.Time
}

var benchZones = []string{"Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"}

var answers = []string{"volume discount", "free trial month", "reference customer visit", "payment in instalments", "pilot with one team"}

// Generate writes teams, reps, clients, visits, objections, stage changes
// and plans with storage's multi-row bulk insert (batches of 1000), for
// benchmarks. Visits fall on working hours of the last sz.Days days before
// end.
func Generate(tb testing.TB, db *storage.DB, sz Size, end time.Time) *Generated {
	tb.Helper()
	ctx := tb.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	out := &Generated{End: end}
	insert := func(b *storage.Bulk) {
		if err := db.InsertBulk(ctx, b); err != nil {
			tb.Fatal(err)
		}
	}
	type rep = genRep
	var reps []rep
	clientsOf := map[int64][]int64{}
	tgID := int64(1_000_000)
	nClients := 0
	for t := range sz.Teams {
		team, err := db.CreateTeam(ctx, fmt.Sprintf("Team %02d", t+1), benchZones[t%len(benchZones)])
		if err != nil {
			tb.Fatal(err)
		}
		out.Teams = append(out.Teams, team)
		tgID++
		Member(tb, db, team.ID, tgID, fmt.Sprintf("Manager %02d", t+1), "en", models.RoleManager)
		var clients []*models.Client
		var teamReps []rep
		for r := range sz.RepsPerTeam {
			tgID++
			id := Member(tb, db, team.ID, tgID, fmt.Sprintf("Rep %02d-%02d", t+1, r+1), []string{"en", "zh"}[r%2], models.RoleRep)
			teamReps = append(teamReps, rep{id, team.ID})
			for c := range sz.ClientsPerRep {
				name := fmt.Sprintf("Client %d-%d-%d", t+1, r+1, c+1)
				nClients++
				cl := &models.Client{TeamID: team.ID, Name: name, OwnerID: id, Grade: models.GradeB,
					Stage: models.Stages[rng.IntN(len(models.Stages))], CreatedAt: end.AddDate(0, 0, -sz.Days), UpdatedAt: end}
				if nClients%7 == 0 {
					cl.NoProgressVisits = 3 // a share of clients stalled by the three-visits rule
				}
				clients = append(clients, cl)
			}
		}
		insert(&storage.Bulk{Clients: clients})
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
	var events []*models.StageEvent
	inChunks(sz.Visits, func() *models.Visit {
		r := reps[rng.IntN(len(reps))]
		cs := clientsOf[r.id]
		before := stages[rng.IntN(len(stages))]
		after := before
		if rng.IntN(10) == 0 && before != models.StageContract {
			after = stages[before.Index()+1]
		}
		t := at()
		return &models.Visit{TeamID: r.team, ClientID: cs[rng.IntN(len(cs))], RepID: r.id, At: t, Method: models.MethodInPerson,
			StageBefore: before, Stage: after, Attitude: atts[rng.IntN(len(atts))],
			TalkingPoints: "talked about the next order", CreatedAt: t}
	}, func(vs []*models.Visit) {
		insert(&storage.Bulk{Visits: vs})
		for _, v := range vs {
			if v.Stage != v.StageBefore {
				events = append(events, &models.StageEvent{TeamID: v.TeamID, ClientID: v.ClientID, UserID: v.RepID, VisitID: v.ID,
					From: v.StageBefore, To: v.Stage, At: v.At})
			}
		}
	})
	insert(&storage.Bulk{StageEvents: events})
	inChunks(sz.Objections, func() *models.Objection {
		r := reps[rng.IntN(len(reps))]
		cs := clientsOf[r.id]
		t := at()
		o := &models.Objection{TeamID: r.team, ClientID: cs[rng.IntN(len(cs))], RepID: r.id, At: t,
			Category: models.ObjectionCategories[rng.IntN(len(models.ObjectionCategories))],
			Words:    "we are happy with what we have", Answer: answers[rng.IntN(len(answers))], CreatedAt: t}
		if rng.IntN(3) == 0 {
			o.Resolved, o.WorkedAnswer = true, o.Answer
		}
		return o
	}, func(os []*models.Objection) { insert(&storage.Bulk{Objections: os}) })
	// Follow-ups: most done within a day of falling due, some open (the
	// recent ones, and a few overdue), some cancelled.
	inChunks(sz.FollowUps, func() *models.FollowUp {
		r := reps[rng.IntN(len(reps))]
		cs := clientsOf[r.id]
		c := cs[rng.IntN(len(cs))]
		due := at()
		f := &models.FollowUp{TeamID: r.team, OwnerID: r.id, ClientID: c, Kind: models.KindRevisit,
			DueAt: due, CreatedAt: due.AddDate(0, 0, -7)}
		switch k := rng.IntN(20); {
		case due.After(end) || k == 0:
			f.State, f.SentAt = models.FollowUpSent, due
		case k == 1:
			f.State = models.FollowUpCancelled
		default:
			f.State = models.FollowUpDone
			f.SentAt, f.DoneAt = due, due.Add(time.Duration(rng.IntN(24*60))*time.Minute)
		}
		return f
	}, func(fs []*models.FollowUp) { insert(&storage.Bulk{FollowUps: fs}) })
	var plans []*models.PlannedVisit
	for w := models.WeekOf(start, time.UTC); w.Monday <= models.CivilDate(end, time.UTC); w = w.Next() {
		for _, r := range reps {
			cs := clientsOf[r.id]
			for range sz.PlansPerRepWeek {
				plans = append(plans, &models.PlannedVisit{TeamID: r.team, RepID: r.id, ClientID: cs[rng.IntN(len(cs))], WeekStart: w.Monday,
					Day: w.Day(rng.IntN(5)), Purpose: "follow up", CreatedAt: end})
			}
		}
		if len(plans) >= genChunk {
			insert(&storage.Bulk{PlannedVisits: plans})
			plans = plans[:0]
		}
	}
	insert(&storage.Bulk{PlannedVisits: plans})
	generateDeals(sz, rng, reps, clientsOf, at, end, func(ds []*models.Deal) { insert(&storage.Bulk{Deals: ds}) })
	// Fresh statistics, as a database in use would have.
	if err := db.Analyze(ctx); err != nil {
		tb.Fatal(err)
	}
	return out
}

// genRep is a generated rep and their team.
type genRep struct{ id, team int64 }

var (
	dealCompetitors = []string{"Brand A", "Brand B", "Brand C", "Brand D", "Brand E", "Brand F"}
	dealCurrencies  = []string{"CNY", "CNY", "CNY", "USD", ""}
)

// generateDeals writes sz.Deals deals, each with a competitor: the first
// team's all open, the others' 40 % open, 35 % won, 25 % lost (closed at
// a time of the history, opened up to 90 days before). Open deals close
// in the six months from end's, or have no close month (one in ten).
func generateDeals(sz Size, rng *rand.Rand, reps []genRep, clientsOf map[int64][]int64,
	at func() time.Time, end time.Time, insert func([]*models.Deal)) {
	if sz.Deals == 0 || len(reps) == 0 {
		return
	}
	first := reps[0].team
	endMonth := models.MonthOf(end, time.UTC)
	i := 0
	inChunks(sz.Deals, func() *models.Deal {
		r := reps[i%len(reps)]
		i++
		cs := clientsOf[r.id]
		d := &models.Deal{TeamID: r.team, ClientID: cs[rng.IntN(len(cs))], OwnerID: r.id, Title: "generated deal",
			Units: int64(1 + rng.IntN(50)), Value: models.Money{Minor: int64(1+rng.IntN(500)) * 1_000_000, Currency: dealCurrencies[rng.IntN(len(dealCurrencies))]},
			Stage: models.Stages[rng.IntN(len(models.Stages)-1)], State: models.DealOpen,
			Competitors: []models.Competitor{{Name: dealCompetitors[rng.IntN(len(dealCompetitors))]}}}
		k := rng.IntN(20)
		switch {
		case r.team == first || k < 8:
			d.CreatedAt = at()
			if rng.IntN(10) != 0 {
				d.CloseMonth = models.AddMonths(endMonth, rng.IntN(6))
			}
		case k < 15:
			d.State, d.ClosedAt = models.DealWon, at()
		default:
			d.State, d.ClosedAt = models.DealLost, at()
			d.LostReason = models.LostReasons[rng.IntN(len(models.LostReasons))]
		}
		if d.State != models.DealOpen {
			d.Stage = models.StageContract
			if d.State == models.DealLost {
				d.Stage = models.StageLost
			}
			d.CloseMonth = models.MonthOf(d.ClosedAt, time.UTC)
			d.CreatedAt = d.ClosedAt.Add(-time.Duration(rng.IntN(90*24)) * time.Hour)
		}
		d.UpdatedAt = d.CreatedAt
		return d
	}, insert)
}

// genChunk is how many generated records are held in memory at once.
const genChunk = 50_000

// inChunks generates total records, genChunk at a time, and hands each
// chunk to insert.
func inChunks[T any](total int, gen func() T, insert func([]T)) {
	for done := 0; done < total; done += genChunk {
		batch := make([]T, min(genChunk, total-done))
		for i := range batch {
			batch[i] = gen()
		}
		insert(batch)
	}
}

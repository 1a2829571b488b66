package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// fuWorld is a team in Shanghai with one rep and one client.
type fuWorld struct {
	team     *models.Team
	rep      *models.User
	clientID int64
}

func newFuWorld(t *testing.T, db *storage.DB) fuWorld {
	t.Helper()
	ctx := context.Background()
	team, err := db.CreateTeam(ctx, "North", "Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.TouchUser(ctx, storage.Profile{TelegramID: 500, ChatID: 500, Name: "Li"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddMember(ctx, team.ID, rep.ID, models.RoleRep); err != nil {
		t.Fatal(err)
	}
	now := db.Now()
	client := map[string]any{"team_id": team.ID, "name": "Acme Corp", "name_key": "acmecorp", "industry": "", "address": "",
		"size": "", "source": "", "owner_id": rep.ID, "grade": "", "stage": "", "notes": "", "grade_asked": false,
		"created_at": now, "updated_at": now}
	if err := storage.Gorm(db).Table("clients").Create(client).Error; err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := storage.Gorm(db).Table("clients").Select("id").Where("name_key = ?", "acmecorp").Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return fuWorld{team: team, rep: rep, clientID: id}
}

func TestTeamSettingsDefaultsAndUpdate(t *testing.T) {
	storagetest.Each(t, clock.NewFake(t0), func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		// A team row written without the 0005 columns (as before the
		// migration) gets the defaults from the schema.
		err := storage.Gorm(db).Exec("INSERT INTO teams (name, tz, revisit_days, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
			"Old", "UTC", 7, t0, t0).Error
		if err != nil {
			t.Fatal(err)
		}
		old, err := db.TeamByName(ctx, "Old")
		if err != nil {
			t.Fatal(err)
		}
		if old.Hours != models.DefaultWorkingHours() {
			t.Fatalf("hours of an old team = %+v, want the defaults", old.Hours)
		}
		h := models.WorkingHours{Morning: models.Clock(8, 30), QuietFrom: models.Clock(22, 0), QuietTo: models.Clock(7, 0),
			DaysOff: models.WeekdaysOf(time.Friday, time.Saturday)}
		days, tz := 5, "Asia/Dubai"
		got, err := db.UpdateTeamSettings(ctx, storage.System, old.ID, storage.TeamSettings{Hours: &h, RevisitDays: &days, TZ: &tz})
		if err != nil {
			t.Fatal(err)
		}
		if got.Hours != h || got.RevisitDays != 5 || got.TZ != "Asia/Dubai" {
			t.Fatalf("after update: %+v", got)
		}
		bad := 91
		if _, err := db.UpdateTeamSettings(ctx, storage.System, old.ID, storage.TeamSettings{RevisitDays: &bad}); models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("91 days: %v", err)
		}
	})
}

// The one-week rule through the visit writes: create, move, turn off and
// on, complete by a new visit, cancel by undo.
func TestVisitFollowUpLifecycle(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newFuWorld(t, db)
		sh, _ := time.LoadLocation("Asia/Shanghai")
		saved, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{TeamID: w.team.ID, ClientID: w.clientID, RepID: w.rep.ID,
			Method: models.MethodInPerson, At: time.Date(2026, 11, 23, 15, 0, 0, 0, sh), NextStep: "send the quote"}})
		if err != nil {
			t.Fatal(err)
		}
		visit, f := saved.Visit, saved.FollowUp
		// Monday 15:00 in Shanghai → next Monday 15:00 (07:00 UTC).
		if want := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC); f == nil || !f.DueAt.Equal(want) || f.Exact || f.Kind != models.KindRevisit {
			t.Fatalf("revisit = %+v, want due %v", f, want)
		}
		list, err := db.OpenFollowUps(ctx, w.rep)
		if err != nil || len(list) != 1 || list[0].ClientName != "Acme Corp" || list[0].Text != "send the quote" || list[0].VisitID != visit.ID {
			t.Fatalf("open list = %+v, %v", list, err)
		}
		edit := func(v *models.Visit) (*models.FollowUp, error) {
			out, err := db.UpdateVisit(ctx, &storage.NewVisit{Visit: *v})
			if err != nil {
				return nil, err
			}
			return out.FollowUp, nil
		}

		// The rep edits the next-visit date: the same follow-up moves.
		next := time.Date(2026, 12, 2, 10, 0, 0, 0, sh)
		visit.NextVisitAt = &next
		g, err := edit(visit)
		if err != nil || g.ID != f.ID || !g.DueAt.Equal(next.UTC()) || !g.Exact {
			t.Fatalf("moved = %+v, %v", g, err)
		}
		// Turned off: cancelled. On again: the same one reopens.
		visit.NoFollowUp = true
		if g, err := edit(visit); err != nil || g != nil {
			t.Fatalf("off: %+v %v", g, err)
		}
		if n, _ := db.CountOpenFollowUps(ctx, w.rep.ID); n != 0 {
			t.Fatalf("open after turning off = %d", n)
		}
		visit.NoFollowUp = false
		if g, err := edit(visit); err != nil || g == nil || g.ID != f.ID || g.State != models.FollowUpPending {
			t.Fatalf("on again: %+v %v", g, err)
		}

		// A new visit to the same client completes the open revisit and
		// brings its own.
		second, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{TeamID: w.team.ID, ClientID: w.clientID, RepID: w.rep.ID,
			Method: models.MethodInPerson, At: time.Date(2026, 11, 25, 11, 0, 0, 0, sh)}})
		h := second.FollowUp
		if err != nil || h == nil || h.ID == f.ID {
			t.Fatalf("second visit's follow-up: %+v %v", h, err)
		}
		first, err := db.FollowUp(ctx, storage.System, f.ID)
		if err != nil || first.State != models.FollowUpDone || !first.DoneAt.Equal(t0) {
			t.Fatalf("first revisit after the second visit: %+v %v", first, err)
		}
		// Editing the first visit now does not resurrect a done follow-up.
		if g, err := edit(visit); err != nil || g != nil {
			t.Fatalf("edit of a visit whose follow-up is done: %+v %v", g, err)
		}
		// Undoing the second visit cancels its follow-up.
		if _, err := db.UndoVisit(ctx, storage.System, second.Visit.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FollowUp(ctx, storage.System, h.ID); got.State != models.FollowUpCancelled {
			t.Fatalf("after undo: %s", got.State)
		}
	})
}

func TestSnoozeAndComplete(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newFuWorld(t, db)
		f, err := db.CreateFollowUp(ctx, &models.FollowUp{TeamID: w.team.ID, OwnerID: w.rep.ID, Kind: models.KindReminder,
			Text: "call Li", DueAt: t0.Add(time.Hour), Exact: true})
		if err != nil {
			t.Fatal(err)
		}
		to := t0.Add(5 * time.Hour)
		s, err := db.SnoozeFollowUp(ctx, f.ID, w.rep.ID, to, false)
		if err != nil || !s.DueAt.Equal(to) || s.SnoozeCount != 1 || s.Exact {
			t.Fatalf("snoozed: %+v %v", s, err)
		}
		// A snooze to before the due time is refused, whoever asks.
		if _, err := db.SnoozeFollowUp(ctx, f.ID, w.rep.ID, to.Add(-time.Minute), true); models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("snooze to earlier: %v", err)
		}
		got, _ := db.FollowUp(ctx, storage.System, f.ID)
		if len(got.Snoozes) != 1 || !got.Snoozes[0].From.Equal(t0.Add(time.Hour)) || !got.Snoozes[0].To.Equal(to) || !got.Snoozes[0].At.Equal(t0) {
			t.Fatalf("snooze history: %+v", got.Snoozes)
		}
		// Someone else's follow-up is not found, and nothing changes.
		if _, _, err := db.CompleteFollowUp(ctx, f.ID, w.rep.ID+1); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("foreign complete: %v", err)
		}
		done, changed, err := db.CompleteFollowUp(ctx, f.ID, w.rep.ID)
		if err != nil || !changed || done.State != models.FollowUpDone {
			t.Fatalf("complete: %+v %v %v", done, changed, err)
		}
		if _, changed, err := db.CompleteFollowUp(ctx, f.ID, w.rep.ID); err != nil || changed {
			t.Fatalf("second complete: changed=%v %v", changed, err)
		}
		// Undo of the done: open again, waiting for its (future) time; twice changes nothing.
		if re, changed, err := db.ReopenFollowUp(ctx, f.ID, w.rep.ID); err != nil || !changed || re.State != models.FollowUpPending || !re.DoneAt.IsZero() {
			t.Fatalf("reopen: %+v %v %v", re, changed, err)
		}
		if _, changed, err := db.ReopenFollowUp(ctx, f.ID, w.rep.ID); err != nil || changed {
			t.Fatalf("second reopen: changed=%v %v", changed, err)
		}
		if _, _, err := db.ReopenFollowUp(ctx, f.ID, w.rep.ID+1); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("foreign reopen: %v", err)
		}
		if _, changed, err := db.CompleteFollowUp(ctx, f.ID, w.rep.ID); err != nil || !changed {
			t.Fatalf("complete again: changed=%v %v", changed, err)
		}
		if _, err := db.SnoozeFollowUp(ctx, f.ID, w.rep.ID, to, false); models.ErrorCode(err) != models.ECONFLICT {
			t.Fatalf("snooze of a done follow-up: %v", err)
		}
		if due, _ := db.DueFollowUps(ctx, t0.Add(24*time.Hour), 10); len(due) != 0 {
			t.Fatalf("a done follow-up is due: %+v", due)
		}
		// Deactivated in the follow-up's team, its owner can no longer
		// change it (an old button); nothing changes.
		if err := db.DeactivateMember(ctx, w.team.ID, w.rep.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.ReopenFollowUp(ctx, f.ID, w.rep.ID); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("reopen by a deactivated member: %v", err)
		}
		if _, err := db.SnoozeFollowUp(ctx, f.ID, w.rep.ID, to.Add(time.Hour), false); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("snooze by a deactivated member: %v", err)
		}
		if got, _ := db.FollowUp(ctx, storage.System, f.ID); got.State != models.FollowUpDone {
			t.Fatalf("a deactivated member's press changed the follow-up: %+v", got)
		}
	})
}

// Claims: each due follow-up goes to one claimant; a claimed one is not due
// again; its delivery is recorded once, and not over a change the rep made
// meanwhile; one Telegram refused is due again later; late is decided at
// the claim by models.IsLate.
func TestClaimFollowUps(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		clk.Set(t0)
		ctx := context.Background()
		w := newFuWorld(t, db)
		var ids []int64
		for i := 0; i < 40; i++ {
			f, err := db.CreateFollowUp(ctx, &models.FollowUp{TeamID: w.team.ID, OwnerID: w.rep.ID, ClientID: w.clientID,
				Kind: models.KindReminder, Text: fmt.Sprint("r", i), DueAt: t0.Add(time.Duration(i) * time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, f.ID)
		}
		now := t0.Add(20 * time.Minute)
		due, err := db.DueFollowUps(ctx, now, 100)
		if err != nil || len(due) != 21 || due[0].ID != ids[0] || due[0].ChatID != 500 || due[0].TeamTZ != "Asia/Shanghai" ||
			due[0].Hours != models.DefaultWorkingHours() {
			t.Fatalf("due: %d %+v %v", len(due), due, err)
		}

		// Eight claimants race for all 40 ids; only the 21 due are taken,
		// each once.
		var (
			mu  sync.Mutex
			got = map[int64]int{}
			wg  sync.WaitGroup
		)
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var claimed []*models.FollowUp
				err := db.InTx(ctx, func(ctx context.Context) error {
					var err error
					claimed, err = db.ClaimFollowUps(ctx, ids, now)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for _, f := range claimed {
					if prev, dup := got[f.ID]; dup {
						t.Errorf("follow-up %d claimed by %d and %d", f.ID, prev, c)
					}
					got[f.ID] = c
					wantLate := !f.DueAt.After(now.Add(-models.LateAfter))
					if f.ClientName != "Acme Corp" || f.State != models.FollowUpSending || f.MaybeSentBefore || f.Late != wantLate {
						t.Errorf("claimed row %+v (want late=%v)", f, wantLate)
					}
				}
			}()
		}
		wg.Wait()
		if len(got) != 21 {
			t.Fatalf("claimed %d, want the 21 due", len(got))
		}
		if due, _ := db.DueFollowUps(ctx, now.Add(time.Hour), 100); len(due) != 19 {
			t.Fatalf("claimed follow-ups are listed as due again: %d due, want the 19 unclaimed", len(due))
		}
		if owners, total, err := db.SendingFollowUps(ctx); err != nil || total != 21 || owners[w.rep.ID] != 21 {
			t.Fatalf("sending: %v %d %v", owners, total, err)
		}

		first := ids[0]
		clk.Set(now)
		f, ok, err := db.FollowUpDelivered(ctx, first, 500, 7)
		if err != nil || !ok || f.State != models.FollowUpSent || f.MessageID != 7 || !f.Late || !f.SentAt.Equal(now) {
			t.Fatalf("delivered: %+v %v %v", f, ok, err)
		}
		if _, ok, _ := db.FollowUpDelivered(ctx, first, 500, 8); ok {
			t.Fatal("a follow-up was recorded delivered twice")
		}
		// Done while its message was queued: the delivery changes nothing.
		second := ids[1]
		if _, changed, err := db.CompleteFollowUp(ctx, second, w.rep.ID); err != nil || !changed {
			t.Fatalf("complete: %v %v", changed, err)
		}
		if f, ok, _ := db.FollowUpDelivered(ctx, second, 500, 9); ok || f.State != models.FollowUpDone || f.MessageID != 9 || !f.SentAt.Equal(now) {
			t.Fatalf("delivery over a Done: %v %+v (want done, with the delivery recorded)", ok, f)
		}

		// Telegram refused one: it is due again at the retry time.
		third := ids[2]
		if err := db.FollowUpUndelivered(ctx, third, false, now.Add(30*time.Second), "400 Bad Request"); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.DueFollowUps(ctx, now.Add(29*time.Second), 100); len(due) != 0 {
			t.Fatalf("retried too early: %+v", due)
		}
		if due, _ := db.DueFollowUps(ctx, now.Add(30*time.Second), 100); len(due) != 1 || due[0].ID != third {
			t.Fatalf("retry due: %+v", due)
		}
	})
}

func TestUnreachableHoldsAndReleases(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		clk.Set(t0)
		ctx := context.Background()
		w := newFuWorld(t, db)
		f, _ := db.CreateFollowUp(ctx, &models.FollowUp{TeamID: w.team.ID, OwnerID: w.rep.ID, Kind: models.KindReminder, Text: "x", DueAt: t0})
		g, _ := db.CreateFollowUp(ctx, &models.FollowUp{TeamID: w.team.ID, OwnerID: w.rep.ID, Kind: models.KindReminder, Text: "y", DueAt: t0})
		claimed, _ := db.ClaimFollowUps(ctx, []int64{f.ID}, t0)
		if len(claimed) != 1 {
			t.Fatal("claim failed")
		}
		if err := db.FollowUpUndelivered(ctx, f.ID, true, time.Time{}, "403 Forbidden: bot was blocked by the user"); err != nil {
			t.Fatal(err)
		}
		if err := db.HoldFollowUp(ctx, g.ID, t0); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.DueFollowUps(ctx, t0.Add(time.Hour), 10); len(due) != 0 {
			t.Fatalf("held follow-ups are due: %+v", due)
		}
		un, err := db.UnreachableMembers(ctx, w.team.ID)
		if err != nil || len(un) != 1 || un[0].ID != w.rep.ID {
			t.Fatalf("unreachable members: %+v %v", un, err)
		}
		if n, _ := db.CountOpenFollowUps(ctx, w.rep.ID); n != 2 {
			t.Fatalf("held follow-ups must stay open, open = %d", n)
		}
		// The rep writes again: both go out now.
		clk.Advance(2 * time.Hour)
		u, err := db.TouchUser(ctx, storage.Profile{TelegramID: 500, ChatID: 500, Name: "Li"}, false)
		if err != nil || u.Unreachable {
			t.Fatalf("touch: %+v %v", u, err)
		}
		due, _ := db.DueFollowUps(ctx, clk.Now(), 10)
		if len(due) != 2 || !due[0].SendAt.Equal(clk.Now()) {
			t.Fatalf("released: %+v", due)
		}
		if un, _ := db.UnreachableMembers(ctx, w.team.ID); len(un) != 0 {
			t.Fatalf("still unreachable: %+v", un)
		}
	})
}

func TestDeferAndAway(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newFuWorld(t, db)
		f, _ := db.CreateFollowUp(ctx, &models.FollowUp{TeamID: w.team.ID, OwnerID: w.rep.ID, Kind: models.KindReminder, Text: "x", DueAt: t0})
		away := models.Away{From: t0.Add(-time.Hour), Until: t0.Add(48 * time.Hour)}
		if err := db.SetAway(ctx, w.rep.ID, away); err != nil {
			t.Fatal(err)
		}
		due, _ := db.DueFollowUps(ctx, t0, 10)
		if len(due) != 1 || due[0].Away != away {
			t.Fatalf("due with away: %+v", due)
		}
		// A stale deferral (the row moved on) changes nothing.
		if err := db.DeferFollowUp(ctx, f.ID, t0.Add(time.Second), t0.Add(72*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.DueFollowUps(ctx, t0, 10); len(due) != 1 {
			t.Fatal("a stale deferral moved the follow-up")
		}
		if err := db.DeferFollowUp(ctx, f.ID, t0, t0.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.DueFollowUps(ctx, t0.Add(47*time.Hour), 10); len(due) != 0 {
			t.Fatal("deferred follow-up due early")
		}
		got, _ := db.FollowUp(ctx, storage.System, f.ID)
		if !got.DueAt.Equal(t0) {
			t.Fatalf("deferral must keep the due time (for the late mark): %v", got.DueAt)
		}
		if err := db.SetAway(ctx, w.rep.ID, models.Away{}); err != nil {
			t.Fatal(err)
		}
		u, _ := db.User(ctx, w.rep.ID)
		if u.Away != (models.Away{}) {
			t.Fatalf("away not cleared: %+v", u.Away)
		}
	})
}

// Saving, editing and undoing visits keep their revisit follow-ups in the
// same transaction.
func TestVisitWritesKeepTheirFollowUp(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk) // Monday 23 Nov 2026 09:00 UTC, team in UTC
		ctx := g.ctx
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}
		if err := db.CreateClient(ctx, acme); err != nil {
			t.Fatal(err)
		}
		s := g.visit(acme.ID, models.StageDemo) // at 09:01
		if f := s.FollowUp; f == nil || !f.DueAt.Equal(t0.Add(time.Minute+7*24*time.Hour)) || f.VisitID != s.Visit.ID || f.OwnerID != g.rep {
			t.Fatalf("follow-up of a new visit: %+v", f)
		}
		first := s.FollowUp.ID

		// The rep edits in a next-visit date: the same follow-up moves there.
		v := *s.Visit
		next := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
		v.NextVisitAt = &next
		u, err := db.UpdateVisit(ctx, &storage.NewVisit{Visit: v})
		if err != nil || u.FollowUp == nil || u.FollowUp.ID != first || !u.FollowUp.DueAt.Equal(next) || !u.FollowUp.Exact {
			t.Fatalf("after the edit: %+v %v", u.FollowUp, err)
		}

		// A new visit to the client completes it and brings its own.
		s2 := g.visit(acme.ID, "")
		if s2.FollowUp == nil || s2.FollowUp.ID == first {
			t.Fatalf("second visit's follow-up: %+v", s2.FollowUp)
		}
		if f, _ := db.FollowUp(ctx, storage.System, first); f.State != models.FollowUpDone {
			t.Fatalf("first follow-up after the second visit: %s", f.State)
		}
		// Undo the second visit: its follow-up is cancelled.
		if _, err := db.UndoVisit(ctx, storage.System, s2.Visit.ID); err != nil {
			t.Fatal(err)
		}
		if f, _ := db.FollowUp(ctx, storage.System, s2.FollowUp.ID); f.State != models.FollowUpCancelled {
			t.Fatalf("after undo: %s", f.State)
		}
		// Turned off for a visit: none.
		g.clk.Advance(time.Minute)
		s3, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{ClientID: acme.ID, RepID: g.rep, NoFollowUp: true}})
		if err != nil || s3.FollowUp != nil {
			t.Fatalf("no follow-up: %+v %v", s3.FollowUp, err)
		}
		open, err := db.ClientOpenFollowUps(ctx, storage.System, acme.ID, 0)
		if err != nil || len(open) != 0 {
			t.Fatalf("open follow-ups of the client: %+v %v", open, err)
		}
	})
}

// A deactivated rep's due follow-ups are held; rejoining releases them.
func TestDeactivatedOwnerIsHeldAndReleasedOnRejoin(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		clk.Set(t0)
		ctx := context.Background()
		w := newFuWorld(t, db)
		f, _ := db.CreateFollowUp(ctx, &models.FollowUp{TeamID: w.team.ID, OwnerID: w.rep.ID, Kind: models.KindReminder, Text: "x", DueAt: t0})
		if err := db.SetActive(ctx, w.rep.ID, false); err != nil {
			t.Fatal(err)
		}
		due, _ := db.DueFollowUps(ctx, t0, 10)
		if len(due) != 1 || due[0].Active {
			t.Fatalf("due: %+v", due)
		}
		if err := db.HoldFollowUp(ctx, f.ID, due[0].SendAt); err != nil {
			t.Fatal(err)
		}
		inv, err := db.CreateInvite(ctx, w.team.ID, models.RoleRep, 1, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour / 2)
		if _, _, err := db.Join(ctx, inv.Code, storage.Profile{TelegramID: 500, ChatID: 500, Name: "Li"}); err != nil {
			t.Fatal(err)
		}
		due, _ = db.DueFollowUps(ctx, clk.Now(), 10)
		if len(due) != 1 || !due[0].Active || due[0].ID != f.ID {
			t.Fatalf("after rejoining: %+v", due)
		}
	})
}

func TestShownList(t *testing.T) {
	storagetest.Each(t, clock.NewFake(t0), func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, shown, err := db.ShownList(ctx, 1, "followups"); err != nil || shown {
			t.Fatalf("before any: shown=%v %v", shown, err)
		}
		for _, ids := range [][]int64{{5, 3, 9}, {3}, {}} {
			if err := db.SaveShownList(ctx, 1, "followups", ids); err != nil {
				t.Fatal(err)
			}
			got, shown, err := db.ShownList(ctx, 1, "followups")
			if err != nil || !shown || fmt.Sprint(got) != fmt.Sprint(ids) && len(ids) > 0 || len(got) != len(ids) {
				t.Fatalf("saved %v, got %v shown=%v %v", ids, got, shown, err)
			}
		}
		if _, shown, _ := db.ShownList(ctx, 2, "followups"); shown {
			t.Fatal("another user's list")
		}
	})
}

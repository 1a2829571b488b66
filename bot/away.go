package bot

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"salesbot/internal/dates"
	"salesbot/models"
)

// /away FROM TO | /away DAY | /away off | /away
func (b *Bot) cmdAway(ctx context.Context, r *Request) error {
	arg := strings.TrimSpace(r.Args)
	hours, _, err := b.hoursOf(ctx, r.User)
	if err != nil {
		return err
	}
	switch {
	case arg == "":
		a := r.User.Away
		if a.From.IsZero() || !a.Until.After(r.Now) {
			r.say("away_none", nil)
			return nil
		}
		r.say("away_show", b.awayData(r, a, hours))
		return nil
	case r.cat.wordIs(wordAwayOff, arg):
		a := r.User.Away
		if a.From.IsZero() || !a.Until.After(r.Now) {
			r.say("away_off_none", nil) // nothing to end: no "welcome back"
			return nil
		}
		if err := b.store.SetAway(ctx, r.User.ID, models.Away{}); err != nil {
			return err
		}
		if a.From.After(r.Now) {
			r.say("away_cancelled", b.awayData(r, a, hours))
			return nil
		}
		r.say("away_off", nil)
		return nil
	}
	first, last, ok := parseDayRange(arg, r.Now, b.dateOptions(r, hours))
	if !ok {
		r.say("err_away_dates", map[string]any{"Input": clip(arg, 60)})
		return nil
	}
	a, err := models.NewAway(first, last, r.Now)
	if err != nil {
		var de *models.Error
		if errors.As(err, &de) {
			// Show days, not midnights.
			data := map[string]any{}
			for k, v := range de.Data {
				if t, ok := v.(time.Time); ok {
					v = r.day(t)
				}
				data[k] = v
			}
			r.say(de.Key, data)
			return nil
		}
		return err
	}
	if err := b.store.SetAway(ctx, r.User.ID, a); err != nil {
		return err
	}
	r.say("away_set", b.awayData(r, a, hours))
	return nil
}

func (b *Bot) awayData(r *Request, a models.Away, hours models.WorkingHours) map[string]any {
	lastDay := a.Until.In(r.Loc).AddDate(0, 0, -1)
	back := hours.Adjust(a.Until.In(r.Loc))
	return map[string]any{"From": r.day(a.From), "To": r.day(lastDay), "Back": r.time(back)}
}

// parseDayRange reads "2026-12-20 2027-01-03", "dec 20 - jan 3",
// "12月20日到1月3日" or a single day (dates.SplitRange bounds the work).
func parseDayRange(s string, now time.Time, opts dates.Options) (first, last time.Time, ok bool) {
	day := func(x string) (time.Time, bool) {
		t, err := dates.ParseDay(strings.TrimSpace(x), now, opts)
		return t, err == nil
	}
	if utf8.RuneCountInString(s) > dates.MaxRangeLen {
		return time.Time{}, time.Time{}, false
	}
	isDay := func(x string) bool { _, ok := day(x); return ok }
	if a, z, ok := dates.SplitRange(s, isDay); ok {
		f, _ := day(a)
		l, _ := day(z)
		return f, l, true
	}
	if d, ok := day(s); ok {
		return d, d, true
	}
	return time.Time{}, time.Time{}, false
}

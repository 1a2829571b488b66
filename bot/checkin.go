package bot

import (
	"context"
	"fmt"
	"time"

	"salesbot/models"
)

// checkinHook takes a location, venue, photo, voice message or document:
// during a visit form it belongs to the visit being logged; otherwise to
// the user's visit saved in the last CheckInWindow. Only Telegram's file id
// is kept; nothing is downloaded.
func (b *Bot) checkinHook(ctx context.Context, r *Request) (bool, error) {
	if r.Location == nil && r.Attachment == nil {
		return false, nil
	}
	f, st, err := b.loadForm(ctx, r)
	if err != nil {
		return true, err
	}
	if f != nil && f.Kind == "visit" {
		d := visitDrafts.of(st)
		what := b.checkinInto(r, &d.Visit.Place, &d.Lat, &d.Lon, &d.Live, &d.Attachments, 0)
		visitDrafts.store(st, d)
		if err := b.saveForm(ctx, r, f.Kind, st); err != nil {
			return true, err
		}
		r.say("checkin_form", map[string]any{"What": what})
		return true, nil
	}
	v, err := b.store.LastVisitBy(ctx, r.User, r.Now.Add(-models.CheckInWindow))
	if err != nil {
		return true, err
	}
	if v == nil {
		r.say("checkin_no_visit", map[string]any{"Minutes": int(models.CheckInWindow / time.Minute)})
		return true, nil
	}
	c, err := b.store.Client(ctx, r.User, v.ClientID)
	if err != nil {
		return true, err
	}
	var atts []models.Attachment
	what := b.checkinInto(r, &v.Place, &v.Lat, &v.Lon, &v.LiveLocation, &atts, v.ID)
	if r.Location != nil {
		if err := b.store.SetVisitPlace(ctx, v.ID, v.Place, *v.Lat, *v.Lon, v.LiveLocation); err != nil {
			return true, err
		}
	}
	for i := range atts {
		if err := b.store.AddAttachment(ctx, &atts[i]); err != nil {
			return true, err
		}
	}
	r.say("checkin_attached", map[string]any{"What": what, "Client": c.Name, "At": r.time(v.At)})
	return true, nil
}

// checkinInto records the request's location or file in the given fields
// and says what it was.
func (b *Bot) checkinInto(r *Request, place *string, lat, lon **float64, live *bool, atts *[]models.Attachment, visitID int64) string {
	if l := r.Location; l != nil {
		la, lo := l.Lat, l.Lon
		*lat, *lon, *live = &la, &lo, l.Live
		if l.Venue != "" {
			*place = truncate(l.Venue, models.MaxPlaceLen)
		}
		switch {
		case l.Live:
			return r.t("place_live", nil)
		case l.Venue != "":
			return r.t("place_venue", map[string]any{"Place": l.Venue})
		}
		return r.t("place_point", nil) + fmt.Sprintf(" (%.5f, %.5f)", la, lo)
	}
	a := r.Attachment
	*atts = append(*atts, models.Attachment{VisitID: visitID, Kind: a.Kind, FileID: a.FileID, FileName: a.FileName,
		Caption: r.Text})
	what := attachmentKeys.label(r.cat, r.Lang, a.Kind)
	if a.FileName != "" {
		what += " " + a.FileName
	}
	return what
}

func truncate(s string, n int) string {
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n])
	}
	return s
}

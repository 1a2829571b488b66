package bot

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"salesbot/models"
)

// A draft stored before the field table (duration as a number, the
// fields under their step ids) is read whole, and written back the same way.
func TestVisitDraftReadsTheStoredLayout(t *testing.T) {
	old := `{"edit":7,"client":3,"client_name":"Acme","method":"phone","stage":"demo","attitude":"warm","points":"pricing",` +
		`"view":"likes it","next_step":"send quote","notes":"n","place":"HQ","duration":45,"next_at":"2026-11-30T09:00:00Z",` +
		`"contacts":[{"name":"Li","roles":["buyer"]}]}`
	var d visitDraft
	if err := json.Unmarshal([]byte(old), &d); err != nil {
		t.Fatal(err)
	}
	v := d.record()
	next := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	if v.ID != 7 || v.ClientID != 3 || d.ClientName != "Acme" || v.Method != models.MethodPhone || v.Stage != models.StageDemo ||
		v.Attitude != models.AttitudeWarm || v.TalkingPoints != "pricing" || v.ClientView != "likes it" || v.NextStep != "send quote" ||
		v.Notes != "n" || v.Place != "HQ" || v.DurationMin != 45 || v.NextVisitAt == nil || !v.NextVisitAt.Equal(next) ||
		len(d.Contacts) != 1 || d.Contacts[0].Name != "Li" {
		t.Fatalf("read %+v from %s", d, old)
	}
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var again visitDraft
	if err := json.Unmarshal(data, &again); err != nil || !reflect.DeepEqual(again.record(), v) {
		t.Fatalf("round trip: %s → %+v (%v)", data, again.record(), err)
	}
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	if m["points"] != "pricing" || m["duration"] != "45" || m["next_step"] != "send quote" {
		t.Fatalf("stored layout %s", data)
	}
}

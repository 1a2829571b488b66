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
	st := &FormState{}
	st.Set("v", old)
	d := visitDrafts.of(st)
	v := d.record()
	next := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	if v.ID != 7 || v.ClientID != 3 || d.ClientName != "Acme" || v.Method != models.MethodPhone || v.Stage != models.StageDemo ||
		v.Attitude != models.AttitudeWarm || v.TalkingPoints != "pricing" || v.ClientView != "likes it" || v.NextStep != "send quote" ||
		v.Notes != "n" || v.Place != "HQ" || v.DurationMin != 45 || v.NextVisitAt == nil || !v.NextVisitAt.Equal(next) ||
		len(d.Contacts) != 1 || d.Contacts[0].Name != "Li" {
		t.Fatalf("read %+v from %s", d, old)
	}
	visitDrafts.store(st, d)
	data := st.Get("v")
	if again := visitDrafts.of(st); !reflect.DeepEqual(again.record(), v) {
		t.Fatalf("round trip: %s → %+v", data, again.record())
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(data), &m)
	if m["points"] != "pricing" || m["duration"] != "45" || m["next_step"] != "send quote" {
		t.Fatalf("stored layout %s", data)
	}
}

// Every exported column of a record sheet is headed by words of its own
// or the field's label, in every language.
func TestExportColumnsHaveWords(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	check := func(sheet string, cols map[string]string, want []string) {
		for _, id := range want {
			key, ok := cols[id]
			if !ok {
				t.Errorf("%s: column %q has no header key", sheet, id)
				continue
			}
			for _, lang := range c.Languages() {
				if !c.Has(lang, key) {
					t.Errorf("%s: %s lacks %q", sheet, lang, key)
				}
			}
		}
	}
	ids := func(names ...models.Field) []string {
		out := []string{"date", "rep"}
		for _, n := range names {
			out = append(out, string(n))
		}
		return out
	}
	var vs, os, cs []models.Field
	for _, f := range models.VisitFields {
		if f.Has(models.UseExport) {
			vs = append(vs, f.Name)
		}
	}
	for _, f := range models.ObjectionFields {
		if f.Has(models.UseExport) {
			os = append(os, f.Name)
		}
	}
	for _, f := range models.ClientFields {
		if f.Has(models.UseExport) {
			cs = append(cs, f.Name)
		}
	}
	check("visits", exportColumns(visitKeys, models.VisitFields, "visits"), ids(vs...))
	check("objections", exportColumns(objKeys, models.ObjectionFields, "objections"), ids(os...))
	check("clients", exportColumns(clientKeys, models.ClientFields, "clients"), ids(cs...)[2:])
}

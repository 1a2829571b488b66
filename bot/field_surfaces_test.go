package bot_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"salesbot/bot"
	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

// visitFieldGaps are the surfaces a visit field leaves out on purpose, and
// why. A field of models.VisitFields not listed here must reach all six:
// the form, the quick entry's keywords, the confirmation, Edit, the
// client's history and the export.
var visitFieldGaps = map[models.Field]map[string]string{
	models.FieldDuration:      {"form": "typed or edited when known; most visits do not record it", "history": "a one-line visit"},
	models.FieldPlace:         {"form": "the check-in gives it", "history": "a one-line visit"},
	models.FieldTalkingPoints: {"history": "a one-line visit has no room for long texts"},
	models.FieldClientView:    {"history": "a one-line visit has no room for long texts"},
	models.FieldNotes:         {"form": "reached by Edit", "history": "a one-line visit"},
}

// surfacesOf says where a field's spec puts it.
func surfacesOf(f *models.FieldSpec[models.Visit]) map[string]bool {
	return map[string]bool{
		"form": f.Has(models.UseAsk), "quick": len(f.Keywords) > 0, "confirmation": f.Has(models.UseShow),
		"edit": f.Has(models.UseEdit), "history": f.Has(models.UseLine), "export": f.Has(models.UseExport),
	}
}

// Every generic field of a visit reaches the surfaces its row declares, as
// a rep sees them: the form asks its question, a quick entry reads its
// keyword, the confirmation and an Edit show it, /history and the export
// carry it. And it declares all six unless visitFieldGaps says why not, so
// a new row that forgets one fails here.
func TestVisitFieldsReachEverySurface(t *testing.T) {
	cat, err := bot.NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	en := func(key string) string { return cat.T("en", key, nil) }
	for i := range models.VisitFields {
		f := &models.VisitFields[i]
		if f.Get == nil || f.Set == nil {
			continue // custom and time fields have steps of their own
		}
		for s, has := range surfacesOf(f) {
			if _, gap := visitFieldGaps[f.Name][s]; !has && !gap {
				t.Errorf("field %s has no %s: declare it in models.VisitFields, or say why in visitFieldGaps", f.Name, s)
			}
			if _, gap := visitFieldGaps[f.Name][s]; has && gap {
				t.Errorf("field %s has a %s, but visitFieldGaps says it has not", f.Name, s)
			}
		}
	}
	for k := range visitFieldGaps {
		if models.FieldNamed(models.VisitFields, string(k)) == nil {
			t.Errorf("visitFieldGaps names %s, which is no visit field", k)
		}
	}

	for i := range models.VisitFields {
		f := &models.VisitFields[i]
		if f.Get == nil || f.Set == nil {
			continue
		}
		t.Run(string(f.Name), func(t *testing.T) {
			h := salesTeam(t)
			has := surfacesOf(f)
			label := en("field_visit_" + f.StepID())
			typed, shown := sampleValue(f, en, 0)
			entry := "/visit Acme; demo"
			if f.Name == models.FieldStage {
				entry = "/visit Acme"
			}
			if has["quick"] {
				entry += "; " + f.Keywords[0] + ": " + typed
			}
			got := h.Send(ann, entry)
			if has["quick"] {
				// Notes are where a quick entry keeps what it read as a note.
				reading := lowerFirst(label) + ": " + shown
				if f.Name == models.FieldNotes {
					reading = "note"
				}
				apptest.MustContain(t, got, "“"+f.Keywords[0]+": "+typed+"” → "+reading)
				if v := visitsOf(t, h, clientNamed(t, h, "North", "Acme")); len(v) != 1 || f.Get(v[0]) == "" {
					t.Fatalf("quick entry stored %+v", v)
				}
			}
			if has["confirmation"] && !has["edit"] {
				t.Fatal("a shown field without Edit: this test has no way yet to see its confirmation")
			}
			if has["edit"] {
				got = h.Tap(ann, got, "Edit")
				got = h.Tap(ann, got, label)
				apptest.MustContain(t, got, en("visit_q_"+f.StepID()))
				typed, shown = sampleValue(f, en, 1)
				if f.Kind == models.ChoiceField {
					got = h.Tap(ann, got, shown)
				} else {
					got = h.Send(ann, typed)
				}
				// The confirmation of the change lists the shown fields.
				want := []string{"Visit updated"}
				if has["confirmation"] {
					want = append(want, label+": "+shown)
				}
				apptest.MustContain(t, got, want...)
			}
			if has["history"] {
				apptest.MustContain(t, h.Send(ann, "/history Acme"), shown)
			}
			if has["export"] {
				// Headed by the field's label unless the export words it its
				// own way ("Minutes"); choices in the export's words.
				labels := bot.ExportLabels(cat, "en")
				head := labels.Sheets["visits"].Columns[string(f.Name)]
				value := f.Get(visitsOf(t, h, clientNamed(t, h, "North", "Acme"))[0])
				if f.Kind == models.ChoiceField {
					value = labels.Enum(string(f.Enum), value)
				}
				exp := h.Send(apptest.Admin, "/export North 2026-11-23 2026-11-23")
				vs := rows(t, openWorkbook(t, exp[0]), "Visits")
				col := slices.Index(vs[0], head)
				if head == "" || col < 0 || len(vs) < 2 || vs[1][col] != value {
					t.Fatalf("export: no column %q with %q in %q", head, value, vs)
				}
			}
			if has["form"] {
				asked := walkVisitForm(t, h, en("visit_q_"+f.StepID()))
				if !asked {
					t.Fatalf("the /visit form never asked %q", en("visit_q_"+f.StepID()))
				}
			}
		})
	}
}

// sampleValue is a value of f as typed and as shown; n picks another one.
func sampleValue(f *models.FieldSpec[models.Visit], en func(string) string, n int) (typed, shown string) {
	switch f.Kind {
	case models.ChoiceField:
		code := f.Enum.Codes()[1+n]
		return strings.ReplaceAll(code, "_", " "), en(string(f.Enum) + "_" + code)
	case models.MinutesField:
		m := []string{"45 min", "50 min"}[n]
		return m, m
	}
	w := []string{"zq", "zr"}[n] + strings.ReplaceAll(string(f.Name), "_", "")
	return w, w
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// walkVisitForm starts the /visit form for Acme and answers every step
// with Skip (or the first offered button where there is no Skip) until it
// saves, reporting whether it asked question on the way.
func walkVisitForm(t *testing.T, h *apptest.Harness, question string) bool {
	t.Helper()
	got := h.Send(ann, "/visit")
	got = h.Send(ann, "Acme")
	asked := false
	for range 20 {
		text := apptest.Joined(got)
		if strings.Contains(text, question) {
			asked = true
		}
		if strings.Contains(text, "Visit saved") {
			return asked
		}
		if hasButton(got, "Skip") {
			got = h.Tap(ann, got, "Skip")
			continue
		}
		last := got[len(got)-1]
		if len(last.Buttons) == 0 {
			t.Fatalf("the form stopped without buttons:\n%s", text)
		}
		got = h.Press(ann, last.MessageID, last.Buttons[0][0].Data)
	}
	t.Fatalf("the form did not end in 20 answers")
	return false
}

func hasButton(sent []tgfake.Sent, label string) bool {
	for _, s := range sent {
		for _, row := range s.Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					return true
				}
			}
		}
	}
	return false
}

package models

import (
	"maps"
	"slices"
	"testing"
)

// sameWords checks the loaded words of kind are exactly the legacy literal's.
func sameWords[T ~string](t *testing.T, kind string, legacy map[T][]string, loaded keywords[T]) {
	t.Helper()
	got := map[string][]string{}
	for _, lang := range WordLanguages() {
		for v, ws := range valueWords[lang][kind] {
			got[v] = append(got[v], ws...)
		}
	}
	if len(got) != len(legacy) {
		t.Errorf("[%s]: %d values, legacy %d", kind, len(got), len(legacy))
	}
	n := 0
	for v, want := range legacy {
		g := slices.Clone(got[string(v)])
		w := slices.Clone(want)
		slices.Sort(g)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Errorf("[%s] %s: words %q, legacy %q", kind, v, g, w)
		}
		n += len(want)
	}
	if want := newKeywords(kind, legacy); !maps.Equal(want, loaded) {
		t.Errorf("[%s]: folded tables differ", kind)
	}
	t.Logf("[%s]: %d values, %d words", kind, len(legacy), n)
}

func TestWordsEqualLegacy(t *testing.T) {
	sameWords(t, kindStage, legacyStage, stageWords)
	sameWords(t, kindAttitude, legacyAttitude, attitudeWords)
	sameWords(t, kindMethod, legacyMethod, methodWords)
	sameWords(t, kindRole, legacyRole, roleWords)
	sameWords(t, kindObjection, legacyObjection, objectionWords)
	sameWords(t, kindGrade, legacyGrade, gradeWords)
	sameWords(t, kindStep, legacyStep, stepWords)
	sameWords(t, kindLost, legacyLost, lostWords)
	sameWords(t, kindMetric, legacyMetric, metricWords)
}

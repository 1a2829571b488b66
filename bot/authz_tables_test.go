package bot

import (
	"maps"
	"slices"
)

// The authorization matrix (authz_matrix_test.go) must have a row for
// every command, button kind and form: these read the tables it checks
// itself against, so a new command or button without a row fails it.

// CommandNames lists the command table's names (aliases not included).
func CommandNames(b *Bot) []string {
	out := make([]string, len(b.commands))
	for i, c := range b.commands {
		out[i] = c.name
	}
	return out
}

// CallbackKinds lists the kinds the callback router dispatches on.
func CallbackKinds(b *Bot) []string { return slices.Sorted(maps.Keys(b.callbacks)) }

// FormKinds lists the tap-through forms.
func FormKinds(b *Bot) []string { return slices.Sorted(maps.Keys(b.forms)) }

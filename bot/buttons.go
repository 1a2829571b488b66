package bot

import (
	"strconv"

	"salesbot/internal/outbox"
	"salesbot/models"
)

// grid lays buttons out cols to a row, the last row holding the rest.
func grid(buttons []outbox.Button, cols int) [][]outbox.Button {
	if cols <= 0 {
		cols = 2
	}
	var rows [][]outbox.Button
	for i := 0; i < len(buttons); i += cols {
		rows = append(rows, buttons[i:min(i+cols, len(buttons))])
	}
	return rows
}

// clientButtons are one button per client, cols to a row: label names it,
// and pressing it sends prefix+ID ("c:v:" opens the card, "hn:" the
// history).
func clientButtons(cs []*models.Client, cols int, label func(*models.Client) string, prefix string) [][]outbox.Button {
	bs := make([]outbox.Button, len(cs))
	for i, c := range cs {
		bs[i] = outbox.Button{Text: label(c), Data: prefix + strconv.FormatInt(c.ID, 10)}
	}
	return grid(bs, cols)
}

func clientName(c *models.Client) string { return c.Name }

// editButtons are an Edit menu: one button per field step, labelled as
// keys say, sending prefix+step.
func editButtons(r *Request, keys *recordKeys, steps []string, cols int, prefix string) [][]outbox.Button {
	bs := make([]outbox.Button, len(steps))
	for i, s := range steps {
		bs[i] = outbox.Button{Text: r.t(keys.label(s), nil), Data: prefix + s}
	}
	return grid(bs, cols)
}

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

// editButtons are an Edit menu: one button per field, labelled by
// labelPrefix+field, sending prefix+field.
func editButtons(r *Request, fields []string, cols int, labelPrefix, prefix string) [][]outbox.Button {
	bs := make([]outbox.Button, len(fields))
	for i, f := range fields {
		bs[i] = outbox.Button{Text: r.t(labelPrefix+f, nil), Data: prefix + f}
	}
	return grid(bs, cols)
}

package storage

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Outgoing message states.
const (
	OutgoingPending = "pending"
	OutgoingSent    = "sent"
	OutgoingFailed  = "failed"
)

// Outgoing is a message the bot decided to send, kept until Telegram has
// accepted it. Rows are written in the transaction that decided them (an
// update's handling, a follow-up's claim), so a message exists exactly
// when the decision committed; the outbox sends them in id order per chat.
type Outgoing struct {
	ID     int64
	ChatID int64
	// Priority orders chats waiting for the global limit (outbox.Priority).
	Priority int
	// Payload is the message as the outbox encodes it (text, buttons,
	// edit target); FileName and FileData carry an upload.
	Payload  []byte
	FileName string
	FileData []byte
	// UpdateID is the update whose handling produced the message (0: none).
	UpdateID int64
	// Source and SourceID name what the message delivers when something is
	// to be recorded once it is sent ("follow-up" and its id); empty for
	// replies.
	Source   string
	SourceID int64
	State    string
	// Attempts counts sends started; StartedAt is the first that may have
	// reached the chat (cleared when a try failed before reaching it). A
	// pending row with a start may have reached the user already.
	Attempts  int
	StartedAt time.Time
	// PartsSent is how many parts of a long text Telegram accepted, so a
	// resumed send goes on from the next one.
	PartsSent int
	MessageID int
	// Owner is the process holding the row's current send.
	Owner     string
	NextAt    time.Time
	LastError string
}

type outgoingRow struct {
	ID        int64 `gorm:"primaryKey"`
	ChatID    int64
	Priority  int
	Payload   string
	FileName  string
	FileData  []byte
	UpdateID  int64
	Source    string
	SourceID  int64
	State     string
	Attempts  int
	StartedAt *time.Time
	PartsSent int
	MessageID int64
	Owner     string
	NextAt    time.Time
	SentAt    *time.Time
	LastError string
	CreatedAt time.Time
}

func (outgoingRow) TableName() string { return "outgoing" }

func (r *outgoingRow) model() Outgoing {
	return Outgoing{
		ID: r.ID, ChatID: r.ChatID, Priority: r.Priority, Payload: []byte(r.Payload), FileName: r.FileName, FileData: r.FileData,
		UpdateID: r.UpdateID, Source: r.Source, SourceID: r.SourceID, State: r.State, Attempts: r.Attempts,
		StartedAt: derefTime(r.StartedAt), PartsSent: r.PartsSent, MessageID: int(r.MessageID), Owner: r.Owner,
		NextAt: r.NextAt.UTC(), LastError: r.LastError,
	}
}

// migrateOutgoing adds the durable outbox. The head query (the oldest
// pending row of each chat) reads idx_outgoing_state_chat; an update's
// rows are found by idx_outgoing_update, a follow-up's by its source.
func migrateOutgoing(tx *gorm.DB) error {
	type outgoing struct {
		ID        int64  `gorm:"primaryKey"`
		ChatID    int64  `gorm:"not null;index:idx_outgoing_state_chat,priority:2"`
		Priority  int    `gorm:"not null"`
		Payload   string `gorm:"type:text;not null"`
		FileName  string `gorm:"size:255;not null"`
		FileData  []byte
		UpdateID  int64  `gorm:"not null;index:idx_outgoing_update"`
		Source    string `gorm:"size:16;not null;index:idx_outgoing_source,priority:1"`
		SourceID  int64  `gorm:"not null;index:idx_outgoing_source,priority:2"`
		State     string `gorm:"size:16;not null;index:idx_outgoing_state_chat,priority:1"`
		Attempts  int    `gorm:"not null"`
		StartedAt *time.Time
		PartsSent int    `gorm:"not null"`
		MessageID int64  `gorm:"not null"`
		Owner     string `gorm:"size:64;not null"`
		NextAt    time.Time
		SentAt    *time.Time `gorm:"index"`
		LastError string     `gorm:"type:text;not null"`
		CreatedAt time.Time
	}
	// Live processes: a claim whose owner stopped beating is taken over.
	type process struct {
		ID        string `gorm:"primaryKey;size:64"`
		StartedAt time.Time
		BeatAt    time.Time `gorm:"index"`
	}
	if err := tx.Table("outgoing").Migrator().CreateTable(&outgoing{}); err != nil {
		return fmt.Errorf("create outgoing: %w", err)
	}
	if err := tx.Table("processes").Migrator().CreateTable(&process{}); err != nil {
		return fmt.Errorf("create processes: %w", err)
	}
	// The update's attempts now count only handlings a crash cut short;
	// the reason an update was given up on is kept for admins.
	type update struct {
		GaveUp bool   `gorm:"not null;default:false"`
		Error  string `gorm:"type:text;not null;default:''"`
	}
	for _, col := range []string{"GaveUp", "Error"} {
		if err := tx.Table("updates").Migrator().AddColumn(&update{}, col); err != nil {
			return fmt.Errorf("add updates.%s: %w", col, err)
		}
	}
	return nil
}

// The per-chat order rule and the claim rule, in SQL, for every statement
// that hands out, claims or starts a row (OutgoingHeads, ClaimOutgoing,
// EnqueueClaimed): a row is sent only while it is its chat's oldest
// pending one, and only by the process that holds it — or by any once the
// holder has stopped beating.
//
// olderPending is true when the chat (chat: an SQL expression) has a
// pending row older than id (an SQL expression; "" for any row).
func olderPending(chat, id string) string {
	q := "EXISTS (SELECT 1 FROM outgoing p WHERE p.state = '" + OutgoingPending + "' AND p.chat_id = " + chat
	if id != "" {
		q += " AND p.id < " + id
	}
	return q + ")"
}

// claimable is true when the row (alias) may be taken by the owner given
// as its first parameter; its second is the oldest heartbeat of a live
// process.
func claimable(alias string) string {
	return "(" + alias + ".owner = '' OR " + alias + ".owner = ? OR NOT EXISTS (SELECT 1 FROM processes WHERE processes.id = " +
		alias + ".owner AND processes.beat_at >= ?))"
}

// EnqueueOutgoing stores messages to send, in order. With InTx's context
// they commit with the rest of the transaction.
func (db *DB) EnqueueOutgoing(ctx context.Context, msgs []Outgoing) ([]int64, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	now := db.Now()
	if len(msgs) == 1 {
		// A reply (the common case) in one plain statement: gorm's Create
		// reflects over the row type for every insert.
		m := msgs[0]
		var id int64
		err := db.write(ctx, func(g *gorm.DB) *gorm.DB {
			return g.Raw(`INSERT INTO outgoing (chat_id, priority, payload, file_name, file_data, update_id, source, source_id,
				state, attempts, parts_sent, message_id, owner, next_at, last_error, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, '', ?, '', ?) RETURNING id`,
				m.ChatID, m.Priority, string(m.Payload), m.FileName, m.FileData, m.UpdateID, m.Source, m.SourceID,
				OutgoingPending, now, now).Scan(&id)
		}).Error
		if err != nil {
			return nil, fmt.Errorf("store an outgoing message: %w", err)
		}
		return []int64{id}, nil
	}
	rows := make([]outgoingRow, len(msgs))
	for i, m := range msgs {
		rows[i] = outgoingRow{ChatID: m.ChatID, Priority: m.Priority, Payload: string(m.Payload), FileName: m.FileName, FileData: m.FileData,
			UpdateID: m.UpdateID, Source: m.Source, SourceID: m.SourceID, State: OutgoingPending, NextAt: now}
	}
	if err := db.write(ctx, func(g *gorm.DB) *gorm.DB { return g.CreateInBatches(&rows, 500) }).Error; err != nil {
		return nil, fmt.Errorf("store %d outgoing messages: %w", len(msgs), err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// EnqueueClaimed stores messages of one chat, in order, as
// EnqueueOutgoing does, and the first, if it is its chat's oldest pending
// row (no other is waiting: the per-chat order rule), already claimed by
// owner and, with start, its send started (ClaimOutgoing's write, made by
// the insert). It reports whether it was; if not, every row is stored
// unclaimed and the sender claims them later as any other. The outbox
// stores a reply this way in its update's transaction, so that the
// reply's send needs no write before its request.
func (db *DB) EnqueueClaimed(ctx context.Context, msgs []Outgoing, owner string, start bool) ([]int64, bool, error) {
	if len(msgs) == 0 {
		return nil, false, nil
	}
	now := db.Now()
	attempts := 0
	var started any
	if start {
		attempts, started = 1, now
	}
	// One statement; the chat is looked up in idx_outgoing_state_chat.
	busy := olderPending("?", "")
	startedAt := "?"
	if db.dialect == Postgres {
		startedAt = "CAST(? AS TIMESTAMPTZ)" // a NULL or a time: PostgreSQL needs telling which
	}
	var sql strings.Builder
	sql.WriteString(`INSERT INTO outgoing (chat_id, priority, payload, file_name, file_data, update_id, source, source_id,
		state, attempts, started_at, parts_sent, message_id, owner, next_at, last_error, created_at) VALUES `)
	args := make([]any, 0, len(msgs)*12+6)
	for i, m := range msgs {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ")
		args = append(args, m.ChatID, m.Priority, string(m.Payload), m.FileName, m.FileData, m.UpdateID, m.Source, m.SourceID, OutgoingPending)
		if i == 0 {
			sql.WriteString("CASE WHEN " + busy + " THEN 0 ELSE ? END, CASE WHEN " + busy + " THEN NULL ELSE " + startedAt + " END, " +
				"0, 0, CASE WHEN " + busy + " THEN '' ELSE ? END, ?, '', ?)")
			args = append(args, m.ChatID, attempts, m.ChatID, started, m.ChatID, owner, now, now)
		} else {
			sql.WriteString("0, NULL, 0, 0, '', ?, '', ?)")
			args = append(args, now, now)
		}
	}
	sql.WriteString(" RETURNING id, owner")
	var got []struct {
		ID    int64
		Owner string
	}
	err := db.write(ctx, func(g *gorm.DB) *gorm.DB { return g.Raw(sql.String(), args...).Scan(&got) }).Error
	if err == nil && len(got) != len(msgs) {
		err = fmt.Errorf("%d ids returned for %d rows", len(got), len(msgs))
	}
	if err != nil {
		return nil, false, fmt.Errorf("store %d outgoing messages: %w", len(msgs), err)
	}
	// One statement's rows get increasing ids, in order.
	sort.Slice(got, func(i, j int) bool { return got[i].ID < got[j].ID })
	ids := make([]int64, len(got))
	for i, r := range got {
		ids[i] = r.ID
	}
	return ids, owner != "" && got[0].Owner == owner, nil
}

// OutgoingHeads returns up to limit chats' next message for owner: the
// oldest pending row of each chat, interactive chats first, leaving out
// chats whose head another process holds and beat for since stale (it is
// sending it). A chat's later rows wait for its head, so replies keep
// their order.
func (db *DB) OutgoingHeads(ctx context.Context, limit int, owner string, stale time.Time) ([]Outgoing, error) {
	var rows []outgoingRow
	err := db.conn(ctx).Raw(`SELECT o.* FROM outgoing o
		WHERE o.state = ? AND NOT `+olderPending("o.chat_id", "o.id")+` AND `+claimable("o")+`
		ORDER BY o.priority, o.id LIMIT ?`, OutgoingPending, owner, utc(stale), limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load outgoing messages: %w", err)
	}
	out := make([]Outgoing, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// NextOutgoingInChat returns the chat's oldest pending row after id.
func (db *DB) NextOutgoingInChat(ctx context.Context, chatID, after int64) (Outgoing, bool, error) {
	var rows []outgoingRow
	err := db.conn(ctx).Where("state = ? AND chat_id = ?", OutgoingPending, chatID).
		Order("id").Limit(1).Find(&rows).Error
	if err != nil {
		return Outgoing{}, false, fmt.Errorf("load next message of chat %d: %w", chatID, err)
	}
	if len(rows) == 0 || rows[0].ID <= after {
		return Outgoing{}, false, nil
	}
	return rows[0].model(), true, nil
}

// ClaimOutgoing takes a pending row for owner's send, and with start
// counts the send starting, in one write: the request is about to go out
// (after pacing). It succeeds when the row is unclaimed, owner's own
// (resumed after a restart), or held by a process whose heartbeat is older
// than stale — and only while the row is its chat's oldest pending one (so
// a chat's messages go in order whoever found them). It commits before the
// request does, so after a crash a row with a start is known to be a
// possible repeat, and one without is not. (A callback answer records no
// start: claimed without.)
//
// seen is the row as the caller read it (possibly a while ago, or never
// from the table: a kicked row): the claim fails unless the row still has
// its parts sent and, if seen had no start, still has none, so a send
// that another process started meanwhile (and that may have reached the
// chat) is never sent again from the start or without its repeat note.
func (db *DB) ClaimOutgoing(ctx context.Context, seen Outgoing, owner string, stale time.Time, start bool) (bool, error) {
	id := seen.ID
	set, args := "owner = ?", []any{owner}
	if start {
		set += ", attempts = attempts + 1, started_at = COALESCE(started_at, ?)"
		args = append(args, db.Now())
	}
	unstarted := ""
	if seen.StartedAt.IsZero() {
		unstarted = " AND started_at IS NULL"
	}
	args = append(args, id, OutgoingPending, seen.PartsSent, owner, utc(stale))
	var claimed bool
	err := db.grouped(ctx, func(ctx context.Context) error {
		res := db.conn(ctx).Exec(`UPDATE outgoing SET `+set+`
		WHERE id = ? AND state = ? AND parts_sent = ?`+unstarted+` AND `+claimable("outgoing")+`
		AND NOT `+olderPending("outgoing.chat_id", "outgoing.id"), args...)
		claimed = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("claim outgoing message %d: %w", id, err)
	}
	return claimed, nil
}

// Grouped runs fn, a few small writes that must commit together (a
// message's sent mark and what it delivered), in a transaction it may
// share with the outbox's other writes of the moment (group commit). It
// returns when that transaction committed, or with fn's error.
func (db *DB) Grouped(ctx context.Context, fn func(ctx context.Context) error) error {
	switch {
	case db.InTransaction(ctx):
		return fn(ctx)
	case ctx.Value(heldKey{db}) != nil:
		return db.InTx(ctx, fn)
	}
	return db.grouped(ctx, fn)
}

// updateOutgoing sets columns of row id, committed with whatever other
// outbox writes are made at the same time (grouped).
func (db *DB) updateOutgoing(ctx context.Context, id int64, cols map[string]any) error {
	return db.grouped(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Model(&outgoingRow{}).Where("id = ?", id).Updates(cols).Error
	})
}

// MarkOutgoingPart records that the first parts parts of a long message
// were accepted (the last one carrying messageID).
func (db *DB) MarkOutgoingPart(ctx context.Context, id int64, parts, messageID int) error {
	if err := db.updateOutgoing(ctx, id, map[string]any{"parts_sent": parts, "message_id": messageID}); err != nil {
		return fmt.Errorf("record part %d of outgoing message %d: %w", parts, id, err)
	}
	return nil
}

// MarkOutgoingSent records that Telegram accepted the whole message.
func (db *DB) MarkOutgoingSent(ctx context.Context, id int64, parts, messageID int) error {
	now := db.Now()
	err := db.grouped(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Exec(`UPDATE outgoing SET state = ?, parts_sent = ?, message_id = ?, sent_at = ?, owner = '' WHERE id = ?`,
			OutgoingSent, parts, messageID, now, id).Error
	})
	if err != nil {
		return fmt.Errorf("mark outgoing message %d sent: %w", id, err)
	}
	return nil
}

// FailOutgoing gives a message up (Telegram refused it or the chat is
// gone), keeping why.
func (db *DB) FailOutgoing(ctx context.Context, id int64, why string) error {
	err := db.updateOutgoing(ctx, id, map[string]any{"state": OutgoingFailed, "last_error": why, "owner": "", "sent_at": db.Now()})
	if err != nil {
		return fmt.Errorf("give up outgoing message %d: %w", id, err)
	}
	return nil
}

// RetryOutgoing puts a message back to be tried at at (a transient
// failure); its chat waits for it. Unless the failed try may have reached
// the chat (maybeDelivered), its start is forgotten: the message has not
// been seen, so the next send is no possible repeat.
func (db *DB) RetryOutgoing(ctx context.Context, id int64, at time.Time, why string, maybeDelivered bool) error {
	updates := map[string]any{"next_at": utc(at), "last_error": why, "owner": ""}
	if !maybeDelivered {
		updates["started_at"] = nil
	}
	err := db.updateOutgoing(ctx, id, updates)
	if err != nil {
		return fmt.Errorf("requeue outgoing message %d: %w", id, err)
	}
	return nil
}

// UnstartOutgoing takes back the claim and the start of a pending row
// whose request never went out (stored claimed and started by
// EnqueueClaimed, then stopped while it waited for its turn): no send of
// it started, so none is counted and its next is no possible repeat.
func (db *DB) UnstartOutgoing(ctx context.Context, id int64) error {
	err := db.grouped(ctx, func(ctx context.Context) error {
		return db.conn(ctx).Exec(`UPDATE outgoing SET attempts = attempts - 1, started_at = NULL, owner = ''
			WHERE id = ? AND state = ? AND attempts > 0`, id, OutgoingPending).Error
	})
	if err != nil {
		return fmt.Errorf("take back the start of outgoing message %d: %w", id, err)
	}
	return nil
}

// UnsentOutgoing counts rows not yet sent or given up: of update updateID
// when it is not 0, of the given ids otherwise. It reads the rows by
// update or id and filters in Go: a filter on state would let the planner
// walk every pending row instead.
func (db *DB) UnsentOutgoing(ctx context.Context, updateID int64, ids []int64) (int64, error) {
	q := db.conn(ctx).Model(&outgoingRow{})
	if updateID != 0 {
		q = q.Where("update_id = ?", updateID)
	} else {
		if len(ids) == 0 {
			return 0, nil
		}
		q = q.Where("id IN ?", ids)
	}
	var states []string
	if err := q.Pluck("state", &states).Error; err != nil {
		return 0, fmt.Errorf("count unsent messages: %w", err)
	}
	var n int64
	for _, s := range states {
		if s == OutgoingPending {
			n++
		}
	}
	return n, nil
}

// LastOutgoingID is the newest row's id (0: none).
func (db *DB) LastOutgoingID(ctx context.Context) (int64, error) {
	return maxOf(db.conn(ctx).Model(&outgoingRow{}), "id", "last outgoing id")
}

// UnsentOutgoingUpTo counts pending rows with ids up to id.
func (db *DB) UnsentOutgoingUpTo(ctx context.Context, id int64) (int64, error) {
	var n int64
	if err := db.conn(ctx).Model(&outgoingRow{}).Where("state = ? AND id <= ?", OutgoingPending, id).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count unsent messages: %w", err)
	}
	return n, nil
}

// ReadyOutgoingUpTo counts pending rows with ids up to id that may be
// sent now (not waiting for a later try).
func (db *DB) ReadyOutgoingUpTo(ctx context.Context, id int64) (int64, error) {
	var n int64
	err := db.conn(ctx).Model(&outgoingRow{}).Where("state = ? AND id <= ? AND next_at <= ?", OutgoingPending, id, db.Now()).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count messages ready to send: %w", err)
	}
	return n, nil
}

// OutgoingDepth counts the messages waiting to be sent, by priority
// (operators' queue depth; an index walk of the pending rows).
func (db *DB) OutgoingDepth(ctx context.Context) (map[int]int64, error) {
	var rows []struct {
		Priority int
		N        int64
	}
	err := db.conn(ctx).Model(&outgoingRow{}).Select("priority, COUNT(*) AS n").Where("state = ?", OutgoingPending).
		Group("priority").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count queued messages: %w", err)
	}
	out := make(map[int]int64, len(rows))
	for _, r := range rows {
		out[r.Priority] = r.N
	}
	return out, nil
}

// OutgoingByID returns stored messages by id (tests, the crash check).
func (db *DB) OutgoingByID(ctx context.Context, ids ...int64) ([]Outgoing, error) {
	var rows []outgoingRow
	q := db.conn(ctx).Order("id")
	if len(ids) > 0 {
		q = q.Where("id IN ?", ids)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load outgoing messages: %w", err)
	}
	out := make([]Outgoing, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// RowCounts counts the rows of the named tables; the crash tests compare
// what a run left with and without a crash. Only the tables listed in
// countable can be asked for.
func (db *DB) RowCounts(ctx context.Context, tables ...string) (map[string]int64, error) {
	out := make(map[string]int64, len(tables))
	for _, t := range tables {
		if !countable[t] {
			return nil, fmt.Errorf("count rows of %q: not a countable table", t)
		}
		var n int64
		if err := db.conn(ctx).Table(t).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("count rows of %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

var countable = map[string]bool{
	"visits": true, "objections": true, "follow_ups": true, "clients": true, "contacts": true,
	"updates": true, "outgoing": true, "report_sends": true,
}

// PruneOutgoing deletes messages sent or given up before cutoff.
func (db *DB) PruneOutgoing(ctx context.Context, cutoff time.Time) (int64, error) {
	res := db.conn(ctx).Where("state <> ? AND sent_at < ?", OutgoingPending, utc(cutoff)).Delete(&outgoingRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("prune outgoing messages: %w", res.Error)
	}
	return res.RowsAffected, nil
}

type processRow struct {
	ID        string `gorm:"primaryKey"`
	StartedAt time.Time
	BeatAt    time.Time
}

func (processRow) TableName() string { return "processes" }

// Beat records that process id is alive (insert at start, then every few
// seconds): claims of a process that stopped beating are taken over.
func (db *DB) Beat(ctx context.Context, id string) error {
	now := db.Now()
	res := db.write(ctx, func(g *gorm.DB) *gorm.DB { return g.Model(&processRow{}).Where("id = ?", id).Update("beat_at", now) })
	if res.Error != nil {
		return fmt.Errorf("heartbeat of process %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		if err := db.conn(ctx).Create(&processRow{ID: id, StartedAt: now, BeatAt: now}).Error; err != nil {
			return fmt.Errorf("register process %s: %w", id, err)
		}
	}
	return nil
}

// PruneProcesses forgets processes silent since before cutoff.
func (db *DB) PruneProcesses(ctx context.Context, cutoff time.Time) error {
	if err := db.conn(ctx).Where("beat_at < ?", utc(cutoff)).Delete(&processRow{}).Error; err != nil {
		return fmt.Errorf("prune processes: %w", err)
	}
	return nil
}

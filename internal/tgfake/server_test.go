package tgfake_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/internal/tgfake"
)

func TestGetMe(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)

	me, err := b.GetMe(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	want := tgmodels.User{ID: 1000, IsBot: true, FirstName: "Salesbot", Username: "salesbot_test_bot"}
	if *me != want {
		t.Errorf("getMe = %+v, want %+v", *me, want)
	}
	if n := len(s.Calls("getMe")); n != 2 { // tgbot.New + GetMe
		t.Errorf("getMe calls = %d, want 2", n)
	}

	s2 := newServer(t, tgfake.WithBotUsername("shop_bot"))
	me, err = newClient(t, s2).GetMe(testCtx(t))
	if err != nil || me.Username != "shop_bot" {
		t.Errorf("getMe with username option = %+v, %v", me, err)
	}
}

func TestSendMessageRecordsInlineKeyboard(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s := newServer(t, tgfake.WithClock(func() time.Time { return now }))
	b := newClient(t, s)
	s.SendText(alice, "hi") // takes message id 1 in Alice's chat

	kb := keyboard(
		[]tgmodels.InlineKeyboardButton{cb("Yes", "y"), cb("No", "n")},
		[]tgmodels.InlineKeyboardButton{{Text: "Site", URL: "https://example.com"}},
	)
	msg, err := b.SendMessage(testCtx(t), &tgbot.SendMessageParams{
		ChatID: alice.ID, Text: "Pick one", ParseMode: tgmodels.ParseModeHTML, ReplyMarkup: kb,
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.ID != 2 || msg.Chat.ID != alice.ID || msg.Chat.Type != tgmodels.ChatTypePrivate ||
		msg.Chat.FirstName != "Alice" || msg.From == nil || msg.From.ID != tgfake.BotID ||
		msg.Text != "Pick one" || msg.Date != int(now.Unix()) {
		t.Errorf("returned message = %+v", msg)
	}
	if msg.ReplyMarkup == nil || msg.ReplyMarkup.InlineKeyboard[0][1].CallbackData != "n" {
		t.Errorf("returned reply_markup = %+v", msg.ReplyMarkup)
	}
	if other := send(t, b, bob.ID, "hello Bob", nil); other.ID != 1 {
		t.Errorf("first message in Bob's chat has id %d, want 1 (ids are per chat)", other.ID)
	}

	wantButtons := [][]tgfake.Button{
		{{Text: "Yes", Data: "y"}, {Text: "No", Data: "n"}},
		{{Text: "Site", URL: "https://example.com"}},
	}
	sent := s.SentTo(alice.ID)
	if len(sent) != 1 {
		t.Fatalf("SentTo(alice) = %+v", sent)
	}
	if s.CountTo(alice.ID) != 1 || s.CountTo(bob.ID) != 1 || s.CountTo(999) != 0 {
		t.Errorf("CountTo alice %d, bob %d, nobody %d; want 1, 1, 0", s.CountTo(alice.ID), s.CountTo(bob.ID), s.CountTo(999))
	}
	got := sent[0]
	if got.Method != "sendMessage" || got.MessageID != 2 || got.Text != "Pick one" || got.ParseMode != "HTML" ||
		!got.At.Equal(now) || !reflect.DeepEqual(got.Buttons, wantButtons) {
		t.Errorf("Sent = %+v", got)
	}
	if !strings.Contains(got.ReplyMarkup, `"inline_keyboard"`) {
		t.Errorf("raw reply markup = %q", got.ReplyMarkup)
	}
	if len(s.Sent()) != 2 || len(s.SentSince(1)) != 1 || s.SentSince(5) != nil {
		t.Errorf("Sent/SentSince inconsistent: %d, %d", len(s.Sent()), len(s.SentSince(1)))
	}
	msgs := s.Messages(alice.ID)
	if len(msgs) != 1 || msgs[0].ID != 2 || msgs[0].Text != "Pick one" || !reflect.DeepEqual(msgs[0].Buttons, wantButtons) {
		t.Errorf("Messages = %+v (user messages must not be listed)", msgs)
	}
}

func TestEditMessageText(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := testCtx(t)
	kb := keyboard([]tgmodels.InlineKeyboardButton{cb("Buy", "buy")})
	msg := send(t, b, alice.ID, "Offer", kb)

	edited, err := b.EditMessageText(ctx, &tgbot.EditMessageTextParams{
		ChatID: alice.ID, MessageID: msg.ID, Text: "Offer (updated)", ReplyMarkup: kb,
	})
	if err != nil {
		t.Fatal(err)
	}
	if edited.Text != "Offer (updated)" || edited.EditDate == 0 || edited.ReplyMarkup == nil {
		t.Errorf("edited message = %+v", edited)
	}
	want := []tgfake.Message{{ID: msg.ID, ChatID: alice.ID, Text: "Offer (updated)",
		Buttons: [][]tgfake.Button{{{Text: "Buy", Data: "buy"}}}}}
	if got := s.Messages(alice.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("Messages = %+v, want %+v", got, want)
	}

	// Same text and markup: Telegram refuses, and so must we.
	_, err = b.EditMessageText(ctx, &tgbot.EditMessageTextParams{
		ChatID: alice.ID, MessageID: msg.ID, Text: "Offer (updated)", ReplyMarkup: kb,
	})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("identical edit error = %v", err)
	}

	// Without reply_markup the keyboard goes away, as in Telegram.
	if _, err := b.EditMessageText(ctx, &tgbot.EditMessageTextParams{
		ChatID: alice.ID, MessageID: msg.ID, Text: "Offer (updated)",
	}); err != nil {
		t.Fatal(err)
	}
	if got := s.Messages(alice.ID)[0].Buttons; got != nil {
		t.Errorf("buttons after edit without markup = %+v", got)
	}

	_, err = b.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: alice.ID, MessageID: 99, Text: "x"})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message to edit not found") {
		t.Errorf("edit of unknown message error = %v", err)
	}

	if _, err := b.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{
		ChatID: alice.ID, MessageID: msg.ID, ReplyMarkup: kb,
	}); err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{
		ChatID: alice.ID, MessageID: msg.ID, ReplyMarkup: kb,
	})
	if !strings.Contains(fmt.Sprint(err), "message is not modified") {
		t.Errorf("identical markup edit error = %v", err)
	}

	var methods []string
	for _, r := range s.Sent() {
		methods = append(methods, r.Method)
	}
	wantMethods := []string{"sendMessage", "editMessageText", "editMessageText", "editMessageReplyMarkup"}
	if !reflect.DeepEqual(methods, wantMethods) {
		t.Errorf("Sent methods = %v, want %v (failed requests must not be recorded)", methods, wantMethods)
	}
	var statuses []int
	for _, c := range s.Calls("editMessageText") {
		statuses = append(statuses, c.Status)
	}
	if !reflect.DeepEqual(statuses, []int{200, 400, 200, 400}) {
		t.Errorf("editMessageText call statuses = %v", statuses)
	}
}

func TestDeleteMessage(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := newServer(t, tgfake.WithClock(clock))
	b := newClient(t, s)
	ctx := testCtx(t)
	first := send(t, b, alice.ID, "one", nil)
	second := send(t, b, alice.ID, "two", nil)

	if ok, err := b.DeleteMessage(ctx, &tgbot.DeleteMessageParams{ChatID: alice.ID, MessageID: first.ID}); !ok || err != nil {
		t.Fatalf("delete = %v, %v", ok, err)
	}
	if msgs := s.Messages(alice.ID); len(msgs) != 2 || !msgs[0].Deleted || msgs[1].Deleted {
		t.Errorf("Messages after delete = %+v", msgs)
	}
	_, err := b.DeleteMessage(ctx, &tgbot.DeleteMessageParams{ChatID: alice.ID, MessageID: first.ID})
	if !strings.Contains(fmt.Sprint(err), "message to delete not found") {
		t.Errorf("second delete error = %v", err)
	}

	mu.Lock()
	now = now.Add(49 * time.Hour)
	mu.Unlock()
	_, err = b.DeleteMessage(ctx, &tgbot.DeleteMessageParams{ChatID: alice.ID, MessageID: second.ID})
	if !strings.Contains(fmt.Sprint(err), "can't be deleted") {
		t.Errorf("delete after 48h error = %v", err)
	}
}

func TestSendDocumentUpload(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := testCtx(t)
	pdf := []byte("%PDF-1.4 fake offer")

	msg, err := b.SendDocument(ctx, &tgbot.SendDocumentParams{
		ChatID:   alice.ID,
		Document: &tgmodels.InputFileUpload{Filename: "offer.pdf", Data: bytes.NewReader(pdf)},
		Caption:  "Your offer",
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Document == nil || msg.Document.FileID == "" || msg.Document.FileName != "offer.pdf" ||
		msg.Document.MimeType != "application/pdf" || msg.Document.FileSize != int64(len(pdf)) || msg.Caption != "Your offer" {
		t.Errorf("returned message = %+v, document %+v", msg, msg.Document)
	}
	got := s.Sent()[0]
	if got.Method != "sendDocument" || got.FileName != "offer.pdf" || !bytes.Equal(got.File, pdf) ||
		got.FileID != "" || got.Text != "Your offer" || got.MessageID != msg.ID {
		t.Errorf("Sent = %+v", got)
	}

	// Re-sending by file_id carries no bytes.
	if _, err := b.SendDocument(ctx, &tgbot.SendDocumentParams{
		ChatID: alice.ID, Document: &tgmodels.InputFileString{Data: msg.Document.FileID},
	}); err != nil {
		t.Fatal(err)
	}
	if got := s.Sent()[1]; got.File != nil || got.FileID != msg.Document.FileID {
		t.Errorf("Sent by file_id = %+v", got)
	}

	photo, err := b.SendPhoto(ctx, &tgbot.SendPhotoParams{
		ChatID: alice.ID,
		Photo:  &tgmodels.InputFileUpload{Filename: "map.png", Data: bytes.NewReader([]byte("png"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(photo.Photo) == 0 || s.Sent()[2].FileName != "map.png" || string(s.Sent()[2].File) != "png" {
		t.Errorf("sendPhoto: message %+v, sent %+v", photo, s.Sent()[2])
	}

	_, err = b.SendDocument(ctx, &tgbot.SendDocumentParams{ChatID: alice.ID, Document: &tgmodels.InputFileString{}})
	if !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Errorf("sendDocument without document error = %v", err)
	}
}

func TestGetUpdatesLongPollReturnsInjectedUpdate(t *testing.T) {
	s := newServer(t)
	go func() {
		// Inject only once the poll is parked, so the test proves the
		// wake-up path rather than the "already queued" one.
		if s.WaitPolling(context.Background()) == nil {
			s.SendText(alice, "/start promo")
		}
	}()

	start := time.Now()
	ups := getUpdates(t, s, map[string]any{"timeout": 5})
	if elapsed := time.Since(start); elapsed > 4*time.Second {
		t.Errorf("long poll took %v; it should return as soon as an update arrives", elapsed)
	}
	if len(ups) != 1 || ups[0].ID != 1 || ups[0].Message == nil {
		t.Fatalf("updates = %+v", ups)
	}
	m := ups[0].Message
	if m.Text != "/start promo" || m.From.ID != alice.ID || m.Chat.ID != alice.ID || m.ID != 1 ||
		len(m.Entities) != 1 || m.Entities[0].Type != tgmodels.MessageEntityTypeBotCommand || m.Entities[0].Length != 6 {
		t.Errorf("message = %+v", m)
	}
}

func TestGetUpdatesTimeoutReturnsEmpty(t *testing.T) {
	s := newServer(t)
	if ups := getUpdates(t, s, map[string]any{"timeout": 1}); len(ups) != 0 {
		t.Errorf("updates = %+v", ups)
	}
}

func TestOffsetConfirmsUpdates(t *testing.T) {
	s := newServer(t)
	s.SendText(alice, "hello")
	s.SendLocation(alice, 55.75, 37.61, 600)
	s.SendVenue(bob, 59.93, 30.33, "Office", "Nevsky 1")

	ups := getUpdates(t, s, map[string]any{})
	if len(ups) != 3 || ups[0].ID != 1 || ups[2].ID != 3 {
		t.Fatalf("updates = %+v", ups)
	}
	if loc := ups[1].Message.Location; loc == nil || loc.Latitude != 55.75 || loc.LivePeriod != 600 {
		t.Errorf("location = %+v", loc)
	}
	if v := ups[2].Message.Venue; v == nil || v.Title != "Office" || ups[2].Message.Location == nil {
		t.Errorf("venue message = %+v", ups[2].Message)
	}
	if n := s.PendingUpdates(); n != 3 {
		t.Errorf("pending before confirming = %d, want 3", n)
	}
	if ups := getUpdates(t, s, map[string]any{"limit": 1}); len(ups) != 1 {
		t.Errorf("limit 1 returned %d updates", len(ups))
	}

	ups = getUpdates(t, s, map[string]any{"offset": 2})
	if len(ups) != 2 || ups[0].ID != 2 || s.PendingUpdates() != 2 {
		t.Errorf("after offset 2: updates %+v, pending %d", ups, s.PendingUpdates())
	}
	if ups := getUpdates(t, s, map[string]any{"offset": 4}); len(ups) != 0 || s.PendingUpdates() != 0 {
		t.Errorf("after offset 4: updates %+v, pending %d", ups, s.PendingUpdates())
	}
	if id := s.SendText(alice, "again"); id != 4 {
		t.Errorf("next update id = %d, want 4", id)
	}
}

func TestFailNextTooManyRequests(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	s.FailNext("sendMessage", tgfake.TooManyRequests(7))

	_, err := b.SendMessage(testCtx(t), &tgbot.SendMessageParams{ChatID: alice.ID, Text: "hi"})
	var tooMany *tgbot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
		t.Fatalf("error = %v, want TooManyRequestsError with RetryAfter 7", err)
	}
	if len(s.Sent()) != 0 {
		t.Errorf("failed send recorded in Sent: %+v", s.Sent())
	}
	if calls := s.Calls("sendMessage"); len(calls) != 1 || calls[0].Status != 429 || calls[0].ChatID != alice.ID {
		t.Errorf("calls = %+v", calls)
	}
	if m := send(t, b, alice.ID, "hi", nil); m.ID != 1 {
		t.Errorf("retry got message id %d, want 1", m.ID)
	}
}

func TestFailuresAreFIFOAndWildcard(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := testCtx(t)
	s.FailNextN("*", 2, tgfake.ServerError())
	s.FailNext("sendMessage", tgfake.Failure{Code: 400, Description: "Bad Request: specific"})

	// "*" never applies to getUpdates, so a poller keeps working.
	if env := mustPostJSON(t, s, "getUpdates", map[string]any{}); !env.OK {
		t.Errorf("getUpdates hit a wildcard failure: %+v", env)
	}
	var errs []string
	for range 4 {
		_, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "x"})
		errs = append(errs, fmt.Sprint(err))
	}
	if !strings.Contains(errs[0], "specific") || !strings.Contains(errs[1], "500") ||
		!strings.Contains(errs[2], "500") || errs[3] != "<nil>" {
		t.Errorf("errors = %q", errs)
	}
}

func TestBlockedUserIsForbidden(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := testCtx(t)
	s.Block(alice.ID)

	_, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "promo"})
	if !errors.Is(err, tgbot.ErrorForbidden) {
		t.Fatalf("error = %v, want ErrorForbidden", err)
	}
	_, err = b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "promo"})
	if !errors.Is(err, tgbot.ErrorForbidden) {
		t.Errorf("block is not permanent: %v", err)
	}
	send(t, b, bob.ID, "others still get messages", nil)
	if len(s.SentTo(alice.ID)) != 0 {
		t.Errorf("blocked sends recorded: %+v", s.SentTo(alice.ID))
	}

	s.Unblock(alice.ID)
	send(t, b, alice.ID, "welcome back", nil)
}

func TestTimeoutFailure(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	s.FailNext("sendMessage", tgfake.Timeout(time.Minute))

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: alice.ID, Text: "slow"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want context.DeadlineExceeded", err)
	}

	// A short delay only slows the response down.
	s.FailNext("sendMessage", tgfake.Timeout(50*time.Millisecond))
	start := time.Now()
	m := send(t, b, alice.ID, "delayed", nil)
	if time.Since(start) < 50*time.Millisecond {
		t.Errorf("delayed response came back after %v", time.Since(start))
	}
	if m.ID != 1 || len(s.Sent()) != 1 || s.Sent()[0].Text != "delayed" {
		t.Errorf("the timed-out send must not have gone out: id %d, sent %+v", m.ID, s.Sent())
	}
}

func TestAppliedFailureStillDelivers(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	f := tgfake.ServerError()
	f.Applied = true
	s.FailNext("sendMessage", f)

	if _, err := b.SendMessage(testCtx(t), &tgbot.SendMessageParams{ChatID: alice.ID, Text: "dup?"}); err == nil {
		t.Fatal("want an error")
	}
	if sent := s.Sent(); len(sent) != 1 || sent[0].Text != "dup?" {
		t.Errorf("Applied failure must deliver the message: %+v", sent)
	}
}

// TestPressButtonCarriesMessage runs the real client's polling loop.
func TestPressButtonCarriesMessage(t *testing.T) {
	s := newServer(t)
	updates := make(chan *tgmodels.Update, 10)
	b := newClient(t, s, tgbot.WithDefaultHandler(func(_ context.Context, _ *tgbot.Bot, u *tgmodels.Update) {
		updates <- u
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Start(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	next := func() *tgmodels.Update {
		t.Helper()
		select {
		case u := <-updates:
			return u
		case <-time.After(5 * time.Second):
			t.Fatal("no update delivered")
			return nil
		}
	}

	s.SendText(alice, "/start")
	if u := next(); u.Message == nil || u.Message.Text != "/start" {
		t.Fatalf("first update = %+v", u)
	}
	msg := send(t, b, alice.ID, "Interested?", keyboard([]tgmodels.InlineKeyboardButton{cb("Yes", "yes")}))
	if _, err := b.EditMessageText(testCtx(t), &tgbot.EditMessageTextParams{
		ChatID: alice.ID, MessageID: msg.ID, Text: "Still interested?",
		ReplyMarkup: keyboard([]tgmodels.InlineKeyboardButton{cb("Yes!", "yes")}),
	}); err != nil {
		t.Fatal(err)
	}

	s.PressButton(alice, msg.ID, "yes")
	u := next()
	q := u.CallbackQuery
	if q == nil || q.Data != "yes" || q.From.ID != alice.ID || q.ID == "" {
		t.Fatalf("callback update = %+v", u)
	}
	if q.Message.Type != tgmodels.MaybeInaccessibleMessageTypeMessage || q.Message.Message == nil {
		t.Fatalf("callback message = %+v", q.Message)
	}
	m := q.Message.Message
	if m.ID != msg.ID || m.Chat.ID != alice.ID || m.Text != "Still interested?" ||
		m.ReplyMarkup == nil || m.ReplyMarkup.InlineKeyboard[0][0].Text != "Yes!" {
		t.Errorf("callback carries %+v, want the edited message", m)
	}

	if ok, err := b.AnswerCallbackQuery(testCtx(t), &tgbot.AnswerCallbackQueryParams{CallbackQueryID: q.ID, Text: "Noted"}); !ok || err != nil {
		t.Fatalf("answer = %v, %v", ok, err)
	}
	last := s.Sent()[len(s.Sent())-1]
	if last.Method != "answerCallbackQuery" || last.CallbackQueryID != q.ID || last.Text != "Noted" ||
		last.ChatID != alice.ID || last.MessageID != msg.ID {
		t.Errorf("answer recorded as %+v", last)
	}
	if _, err := b.AnswerCallbackQuery(testCtx(t), &tgbot.AnswerCallbackQueryParams{CallbackQueryID: q.ID}); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Errorf("second answer error = %v", err)
	}

	s.PressButton(alice, 99, "stale")
	if q := next().CallbackQuery; q == nil || q.Message.Type != tgmodels.MaybeInaccessibleMessageTypeInaccessibleMessage ||
		q.Message.InaccessibleMessage.MessageID != 99 {
		t.Errorf("press on unknown message = %+v", q)
	}
}

func TestUserMediaUpdates(t *testing.T) {
	s := newServer(t)
	s.SendPhoto(alice, "photo-1", "my shop")
	s.SendDocument(alice, "doc-1", "price.xlsx", "")
	s.SendVoice(alice, "voice-1", 4)
	s.InjectUpdate(tgmodels.Update{EditedMessage: &tgmodels.Message{ID: 1, Text: "edited"}})

	ups := getUpdates(t, s, map[string]any{})
	if len(ups) != 4 {
		t.Fatalf("updates = %+v", ups)
	}
	if p := ups[0].Message.Photo; len(p) < 2 || p[len(p)-1].FileID != "photo-1" || ups[0].Message.Caption != "my shop" {
		t.Errorf("photo = %+v", ups[0].Message)
	}
	if d := ups[1].Message.Document; d == nil || d.FileID != "doc-1" || d.FileName != "price.xlsx" {
		t.Errorf("document = %+v", d)
	}
	if v := ups[2].Message.Voice; v == nil || v.FileID != "voice-1" || v.Duration != 4 {
		t.Errorf("voice = %+v", v)
	}
	if ups[3].ID != 4 || ups[3].EditedMessage == nil || ups[3].EditedMessage.Text != "edited" {
		t.Errorf("injected update = %+v", ups[3])
	}
	if ids := []int{ups[0].Message.ID, ups[1].Message.ID, ups[2].Message.ID}; !reflect.DeepEqual(ids, []int{1, 2, 3}) {
		t.Errorf("user message ids = %v", ids)
	}
}

func TestUnknownMethod(t *testing.T) {
	s := newServer(t)
	env, status, err := postJSON(testCtx(t), s, "sendTelepathy", map[string]any{"chat_id": 1})
	if err != nil {
		t.Fatal(err)
	}
	if status != 404 || env.OK || env.ErrorCode != 404 || env.Description != "Not Found: method not found" {
		t.Errorf("response = %d %+v", status, env)
	}
	if calls := s.Calls("sendTelepathy"); len(calls) != 1 || calls[0].Status != 404 {
		t.Errorf("calls = %+v", calls)
	}
}

func TestJSONAndURLEncodedBodies(t *testing.T) {
	s := newServer(t)
	env := mustPostJSON(t, s, "sendMessage", map[string]any{
		"chat_id": alice.ID, "text": "json",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "A", "callback_data": "a"}}}},
	})
	if !env.OK {
		t.Fatalf("JSON sendMessage: %+v", env)
	}
	form := url.Values{"chat_id": {"502"}, "text": {"form"}, "reply_markup": {`{"inline_keyboard":[[{"text":"B","callback_data":"b"}]]}`}}
	env, _, err := post(testCtx(t), s, "SENDMESSAGE", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err != nil || !env.OK {
		t.Fatalf("urlencoded sendMessage (method names are case-insensitive): %+v, %v", env, err)
	}
	sent := s.Sent()
	if len(sent) != 2 || sent[0].Buttons[0][0].Data != "a" || sent[1].ChatID != bob.ID || sent[1].Buttons[0][0].Data != "b" {
		t.Errorf("Sent = %+v", sent)
	}
}

func TestSetMyCommands(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := testCtx(t)
	cmds := []tgmodels.BotCommand{{Command: "start", Description: "Start"}, {Command: "catalog", Description: "Catalog"}}
	ru := []tgmodels.BotCommand{{Command: "start", Description: "Начать"}}

	for _, p := range []*tgbot.SetMyCommandsParams{
		{Commands: cmds},
		{Commands: ru, LanguageCode: "ru"},
		{Commands: cmds[:1], Scope: &tgmodels.BotCommandScopeChat{ChatID: alice.ID}},
	} {
		if _, err := b.SetMyCommands(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Commands(); !reflect.DeepEqual(got, cmds) {
		t.Errorf("Commands = %+v", got)
	}
	if got := s.CommandsFor("ru"); !reflect.DeepEqual(got, ru) {
		t.Errorf("CommandsFor(ru) = %+v", got)
	}
	if got := s.CommandsFor("de"); got != nil {
		t.Errorf("CommandsFor(de) = %+v", got)
	}
	if got := s.CommandsScoped(fmt.Sprintf("chat:%d", alice.ID), ""); !reflect.DeepEqual(got, cmds[:1]) {
		t.Errorf("chat-scoped commands = %+v", got)
	}
	_, err := b.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: []tgmodels.BotCommand{{Command: "Start!", Description: "x"}}})
	if !strings.Contains(fmt.Sprint(err), "BOT_COMMAND_INVALID") {
		t.Errorf("invalid command error = %v", err)
	}
}

func TestWebhookBlocksPolling(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := testCtx(t)
	if _, err := b.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: "https://example.com/hook"}); err != nil {
		t.Fatal(err)
	}
	if env := mustPostJSON(t, s, "getUpdates", map[string]any{}); env.ErrorCode != 409 {
		t.Errorf("getUpdates with webhook = %+v", env)
	}
	s.SendText(alice, "queued")
	if _, err := b.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{DropPendingUpdates: true}); err != nil {
		t.Fatal(err)
	}
	if ups := getUpdates(t, s, map[string]any{}); len(ups) != 0 {
		t.Errorf("drop_pending_updates kept %+v", ups)
	}
}

func TestSecondPollerConflicts(t *testing.T) {
	s := newServer(t)
	first := make(chan envelope, 1)
	go func() {
		env, _, _ := postJSON(context.Background(), s, "getUpdates", map[string]any{"timeout": 30})
		first <- env
	}()
	if err := s.WaitPolling(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	getUpdates(t, s, map[string]any{})
	select {
	case env := <-first:
		if env.ErrorCode != 409 {
			t.Errorf("superseded poll = %+v, want 409", env)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("superseded poll did not return")
	}
}

func TestAllowedUpdatesFilter(t *testing.T) {
	s := newServer(t)
	s.PressButton(alice, 1, "x")
	s.SendText(alice, "text")
	ups := getUpdates(t, s, map[string]any{"allowed_updates": []string{"message"}})
	if len(ups) != 1 || ups[0].Message == nil {
		t.Errorf("updates = %+v, want only the message", ups)
	}
}

func TestCloseUnblocksLongPoll(t *testing.T) {
	s := tgfake.New()
	done := make(chan error, 1)
	go func() {
		_, _, err := postJSON(context.Background(), s, "getUpdates", map[string]any{"timeout": 30})
		done <- err
	}()
	if err := s.WaitPolling(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close left the long poll hanging")
	}
	if _, err := s.WaitSent(context.Background(), 1); !errors.Is(err, tgfake.ErrClosed) {
		t.Errorf("WaitSent after Close = %v", err)
	}
}

func TestWaitSentAndNotify(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	go func() {
		for i := range 3 {
			_, _ = b.SendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: alice.ID, Text: fmt.Sprint(i)})
		}
	}()
	sent, err := s.WaitSent(testCtx(t), 3)
	if err != nil || len(sent) != 3 {
		t.Fatalf("WaitSent = %+v, %v", sent, err)
	}
	select {
	case <-s.Notify():
	default:
		t.Error("Notify did not fire")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := s.WaitSent(ctx, 10); !errors.Is(err, context.Canceled) || len(got) != 3 {
		t.Errorf("WaitSent with cancelled ctx = %d records, %v", len(got), err)
	}
}

func TestConcurrentSends(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	const goroutines, perGoroutine = 16, 5
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				chat := int64(100 + g%4)
				if _, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: chat, Text: fmt.Sprint(g, i)}); err != nil {
					t.Error(err)
				}
				s.SendText(tgfake.User{ID: chat}, "ping")
			}
		})
	}
	wg.Wait()
	if n := len(s.Sent()); n != goroutines*perGoroutine {
		t.Errorf("Sent = %d records", n)
	}
	for chat := int64(100); chat < 104; chat++ {
		seen := map[int]bool{}
		for _, r := range s.SentTo(chat) {
			if seen[r.MessageID] {
				t.Errorf("chat %d: duplicate message id %d", chat, r.MessageID)
			}
			seen[r.MessageID] = true
		}
	}
	if n := s.PendingUpdates(); n != goroutines*perGoroutine {
		t.Errorf("pending updates = %d", n)
	}
}

func TestTelegramValidation(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := testCtx(t)
	cases := []struct {
		name string
		p    *tgbot.SendMessageParams
		want string // substring of the error, "" for success
	}{
		{"html ok", &tgbot.SendMessageParams{Text: `<b>Deal</b> &amp; <a href="https://x.y">link</a>`, ParseMode: tgmodels.ParseModeHTML}, ""},
		{"html br", &tgbot.SendMessageParams{Text: "a<br>b", ParseMode: tgmodels.ParseModeHTML}, `Unsupported start tag "br"`},
		{"html unclosed", &tgbot.SendMessageParams{Text: "<b>bold", ParseMode: tgmodels.ParseModeHTML}, "can't parse entities"},
		{"mdv2 ok", &tgbot.SendMessageParams{Text: `*Total:* 10\.50 \- [pay](https://x.y/p?a=1)`, ParseMode: tgmodels.ParseModeMarkdown}, ""},
		{"mdv2 dot", &tgbot.SendMessageParams{Text: "Total: 10.50", ParseMode: tgmodels.ParseModeMarkdown}, "Character '.' is reserved"},
		{"mdv2 unclosed", &tgbot.SendMessageParams{Text: "*bold", ParseMode: tgmodels.ParseModeMarkdown}, "Can't find end of Bold entity"},
		{"plain with dots", &tgbot.SendMessageParams{Text: "1.5 < 2 & ok!"}, ""},
		{"empty", &tgbot.SendMessageParams{Text: " "}, "message text is empty"},
		{"too long", &tgbot.SendMessageParams{Text: strings.Repeat("я", 4097)}, "message is too long"},
		{"long callback data", &tgbot.SendMessageParams{Text: "x", ReplyMarkup: keyboard([]tgmodels.InlineKeyboardButton{cb("A", strings.Repeat("d", 65))})}, "BUTTON_DATA_INVALID"},
		{"text-only inline button", &tgbot.SendMessageParams{Text: "x", ReplyMarkup: keyboard([]tgmodels.InlineKeyboardButton{{Text: "A"}})}, "Text buttons are unallowed"},
		{"reply keyboard", &tgbot.SendMessageParams{Text: "Where are you?", ReplyMarkup: &tgmodels.ReplyKeyboardMarkup{
			Keyboard: [][]tgmodels.KeyboardButton{{{Text: "Send location", RequestLocation: true}}}}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.p.ChatID = alice.ID
			_, err := b.SendMessage(ctx, c.p)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case c.want != "" && (!errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error = %v, want bad request containing %q", err, c.want)
			}
		})
	}
	last := s.Sent()[len(s.Sent())-1]
	if last.Buttons != nil || !strings.Contains(last.ReplyMarkup, "request_location") {
		t.Errorf("reply keyboard recorded as %+v", last)
	}
}

func TestFloodControl(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := newServer(t, tgfake.WithClock(clock), tgfake.WithFloodControl(tgfake.FloodLimits{Global: 10, GlobalBurst: 2, PerChat: 1, ChatBurst: 2}))
	b := newClient(t, s)
	ctx := testCtx(t)
	send := func(chat int64) error {
		_, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chat, Text: "x"})
		return err
	}
	if err := send(1); err != nil {
		t.Fatal(err)
	}
	if err := send(1); err != nil {
		t.Fatal("the burst of 2 allows a second message")
	}
	err := send(1)
	var tooMany *tgbot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 {
		t.Fatalf("third message to one chat at once: %v", err)
	}
	if err := send(2); err == nil {
		t.Fatal("global burst 2 is used up: another chat at the same instant must wait")
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if err := send(1); err != nil {
		t.Fatalf("a second later: %v", err)
	}
	if len(s.SentTo(1)) != 3 {
		t.Fatal("a refused message must have no effect")
	}
	calls := s.Calls("sendMessage")
	if n, _ := tgfake.PeakRate(calls, time.Second); n != 4 {
		t.Fatalf("peak = %d calls in a second, want 4 (the refused ones count as calls)", n)
	}
}

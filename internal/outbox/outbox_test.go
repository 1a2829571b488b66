package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"salesbot/internal/outbox"
	"salesbot/internal/tgfake"
)

var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// newOutbox starts a fake Bot API on the wall clock and an Outbox on it.
func newOutbox(t *testing.T, cfg outbox.Config, clientTimeout time.Duration) (*outbox.Outbox, *tgfake.Server) {
	t.Helper()
	fake := tgfake.New()
	t.Cleanup(fake.Close)
	if clientTimeout == 0 {
		clientTimeout = 10 * time.Second
	}
	tg, err := tgbot.New("1:token", tgbot.WithServerURL(fake.URL()), tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(time.Second, &http.Client{Timeout: clientTimeout}))
	if err != nil {
		t.Fatal(err)
	}
	return outbox.New(tg, cfg), fake
}

func TestLongTextIsSplitAtLines(t *testing.T) {
	vt := outbox.NewVirtualTime(start)
	o, fake := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep}, 0)
	var lines []string
	for i := 0; i < 500; i++ {
		lines = append(lines, fmt.Sprintf("line %03d: %s", i, strings.Repeat("客", 10)))
	}
	text := strings.Join(lines, "\n") // 500 × 20 characters + newlines ≈ 10,500
	id, err := o.Send(context.Background(), outbox.Message{ChatID: 7, Text: text, Buttons: [][]outbox.Button{{{Text: "OK", Data: "ok"}}}})
	if err != nil {
		t.Fatal(err)
	}
	sent := fake.SentTo(7)
	if len(sent) != 3 {
		t.Fatalf("%d messages, want 3", len(sent))
	}
	var back []string
	for i, s := range sent {
		if n := len([]rune(s.Text)); n > 4096 {
			t.Errorf("part %d has %d characters", i, n)
		}
		if (s.Buttons != nil) != (i == 2) {
			t.Errorf("part %d buttons %v: only the last part carries them", i, s.Buttons)
		}
		if strings.HasPrefix(s.Text, "\n") || strings.HasSuffix(s.Text, "\n") {
			t.Errorf("part %d starts or ends with a newline", i)
		}
		back = append(back, strings.Split(s.Text, "\n")...)
	}
	if strings.Join(back, "\n") != text {
		t.Fatal("the parts do not add up to the text, line for line")
	}
	if id != sent[2].MessageID {
		t.Fatalf("returned id %d, want the last part's %d", id, sent[2].MessageID)
	}
}

func TestSplitText(t *testing.T) {
	long := strings.Repeat("word ", 2000) // one 10,000-character line
	parts := outbox.SplitText(long, 4096)
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	for _, p := range parts {
		if len(p) > 4096 || strings.HasPrefix(p, " ") {
			t.Fatalf("part of %d bytes starting %q", len(p), p[:5])
		}
		if strings.HasSuffix(p, "wor") {
			t.Fatal("a word was cut although there were spaces")
		}
	}
	// Emoji count two UTF-16 units each, as Telegram counts them.
	emoji := strings.Repeat("😀", 3000)
	for _, p := range outbox.SplitText(emoji, 4096) {
		if n := len([]rune(p)); n > 2048 {
			t.Fatalf("part with %d emoji (%d units)", n, 2*n)
		}
	}
	if got := outbox.SplitText("short", 4096); len(got) != 1 || got[0] != "short" {
		t.Fatalf("short text: %q", got)
	}
	if got := outbox.SplitText(strings.Repeat("a", 10)+"\n\n\n"+strings.Repeat("b", 10), 10); len(got) != 2 {
		t.Fatalf("blank lines make no parts of their own: %q", got)
	}
}

func FuzzSplitText(f *testing.F) {
	f.Add("hello\nworld", 5)
	f.Add(strings.Repeat("😀 a\n", 50), 7)
	f.Add("\xff\xfe bad utf8", 3)
	f.Fuzz(func(t *testing.T, text string, max int) {
		if max < 2 || max > 5000 || len(text) > 20000 {
			return
		}
		for _, p := range outbox.SplitText(text, max) {
			units := 0
			for _, r := range p {
				if r >= 0x10000 {
					units += 2
				} else {
					units++
				}
			}
			if units > max {
				t.Fatalf("part of %d units > %d", units, max)
			}
		}
	})
}

func TestCallbackDataOver64BytesIsRefused(t *testing.T) {
	vt := outbox.NewVirtualTime(start)
	o, fake := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep}, 0)
	_, err := o.Send(context.Background(), outbox.Message{ChatID: 7, Text: "x",
		Buttons: [][]outbox.Button{{{Text: "long", Data: strings.Repeat("d", 65)}}}})
	if !errors.Is(err, outbox.ErrCallbackData) {
		t.Fatalf("err = %v", err)
	}
	if len(fake.Calls("sendMessage")) != 0 {
		t.Fatal("something was sent")
	}
	if _, err := o.Send(context.Background(), outbox.Message{ChatID: 7, Text: "x",
		Buttons: [][]outbox.Button{{{Text: "ok", Data: strings.Repeat("d", 64)}}}}); err != nil {
		t.Fatalf("64 bytes: %v", err)
	}
}

// A 429 pauses everything for retry_after, then the message goes once.
func TestTooManyRequestsPausesAllAndRetries(t *testing.T) {
	vt := outbox.NewVirtualTime(start)
	o, fake := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep}, 0)
	fake.FailNext("sendMessage", tgfake.TooManyRequests(7))
	if _, err := o.Send(context.Background(), outbox.Message{ChatID: 1, Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if calls := fake.Calls("sendMessage"); len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Fatalf("calls %+v", calls)
	}
	if sent := fake.SentTo(1); len(sent) != 1 {
		t.Fatalf("delivered %d times", len(sent))
	}
	if slept := vt.Slept(); len(slept) != 1 || slept[0] != 7*time.Second {
		t.Fatalf("waits %v, want one of 7s", slept)
	}
	// The pause covered every chat: a send to another chat right after the
	// 429 would have waited too (checked on the pacer's clock).
	if got := vt.Now().Sub(start); got != 7*time.Second {
		t.Fatalf("virtual time advanced %v", got)
	}
	if st := o.Stats(); st.TooMany != 1 || st.Sent != 1 || st.Failed != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPauseHoldsOtherChats(t *testing.T) {
	vt := outbox.NewVirtualTime(start)
	o, fake := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep, Limits: outbox.Limits{Global: 1000}}, 0)
	fake.FailNext("sendMessage", tgfake.TooManyRequests(5))
	if _, err := o.Send(context.Background(), outbox.Message{ChatID: 1, Text: "a"}); err != nil {
		t.Fatal(err)
	}
	// Fake a fresh 429 pause and send to another chat: it must wait it out.
	fake.FailNext("sendMessage", tgfake.TooManyRequests(4))
	before := vt.Now()
	if _, err := o.Send(context.Background(), outbox.Message{ChatID: 2, Text: "b"}); err != nil {
		t.Fatal(err)
	}
	if got := vt.Now().Sub(before); got < 4*time.Second {
		t.Fatalf("second chat waited %v, want the 4s pause", got)
	}
}

func TestTransientFailuresBackOffAndRetry(t *testing.T) {
	vt := outbox.NewVirtualTime(start)
	o, fake := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep}, 0)
	fake.FailNextN("sendMessage", 2, tgfake.ServerError())
	if _, err := o.Send(context.Background(), outbox.Message{ChatID: 1, Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if slept := vt.Slept(); len(slept) != 2 || slept[0] != time.Second || slept[1] != 2*time.Second {
		t.Fatalf("back-off %v, want [1s 2s]", slept)
	}
	if len(fake.SentTo(1)) != 1 {
		t.Fatal("not delivered once")
	}

	// Past MaxAttempts it gives up with a transient error.
	fake.FailNextN("sendMessage", 5, tgfake.ServerError())
	_, err := o.Send(context.Background(), outbox.Message{ChatID: 1, Text: "again"})
	if outbox.KindOf(err) != outbox.Transient || outbox.MaybeDelivered(err) {
		t.Fatalf("err = %v (kind %v)", err, outbox.KindOf(err))
	}
}

func TestBlockedUserIsNotRetried(t *testing.T) {
	vt := outbox.NewVirtualTime(start)
	o, fake := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep}, 0)
	fake.Block(9)
	_, err := o.Send(context.Background(), outbox.Message{ChatID: 9, Text: "hello"})
	if outbox.KindOf(err) != outbox.Unreachable {
		t.Fatalf("err = %v", err)
	}
	if n := len(fake.Calls("sendMessage")); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
	fake.FailNext("sendMessage", tgfake.Failure{Code: 400, Description: "Bad Request: chat not found"})
	if _, err := o.Send(context.Background(), outbox.Message{ChatID: 10, Text: "x"}); outbox.KindOf(err) != outbox.Unreachable {
		t.Fatalf("chat not found: %v", err)
	}
	fake.FailNext("sendMessage", tgfake.Failure{Code: 400, Description: "Bad Request: can't parse entities"})
	if _, err := o.Send(context.Background(), outbox.Message{ChatID: 10, Text: "x"}); outbox.KindOf(err) != outbox.Rejected {
		t.Fatalf("bad request: %v", err)
	}
}

// A response that never comes: the client times out and retries. When
// Telegram had acted (the response was lost) the user gets it twice — the
// gap every sender without idempotency keys has — and the error of such an
// attempt says MaybeDelivered.
func TestTimeoutIsRetriedAndFlaggedMaybeDelivered(t *testing.T) {
	vt := outbox.NewVirtualTime(start)
	o, fake := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep, MaxAttempts: 1}, 100*time.Millisecond)
	fake.FailNext("sendMessage", tgfake.Failure{Delay: time.Second, Applied: true})
	_, err := o.Send(context.Background(), outbox.Message{ChatID: 3, Text: "hi"})
	if outbox.KindOf(err) != outbox.Transient || !outbox.MaybeDelivered(err) {
		t.Fatalf("err = %v kind %v maybe %v", err, outbox.KindOf(err), outbox.MaybeDelivered(err))
	}
	o2, fake2 := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep}, 100*time.Millisecond)
	fake2.FailNext("sendMessage", tgfake.Timeout(time.Second))
	if _, err := o2.Send(context.Background(), outbox.Message{ChatID: 3, Text: "hi"}); err != nil {
		t.Fatalf("retry after timeout: %v", err)
	}
	if len(fake2.SentTo(3)) != 1 {
		t.Fatal("not delivered once")
	}
}

func TestEditNotModifiedIsSuccess(t *testing.T) {
	vt := outbox.NewVirtualTime(start)
	o, _ := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep}, 0)
	ctx := context.Background()
	id, err := o.Send(ctx, outbox.Message{ChatID: 4, Text: "same"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := o.Send(ctx, outbox.Message{ChatID: 4, Text: "same", EditMessageID: id}); err != nil || got != id {
		t.Fatalf("no-op edit: %d %v", got, err)
	}
}

// The pacer's arithmetic on virtual time: a chat gets its burst at once,
// then one message per 1/rate; a group one per 3 s at 20/min.
func TestPerChatAndGroupSpacing(t *testing.T) {
	vt := outbox.NewVirtualTime(start)
	o, fake := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep,
		Limits: outbox.Limits{Global: 1000, GlobalBurst: 10, PerChat: 1, ChatBurst: 3, PerGroup: 20.0 / 60, GroupBurst: 1}}, 0)
	ctx := context.Background()
	var at []time.Duration
	for i := 0; i < 5; i++ {
		if _, err := o.Send(ctx, outbox.Message{ChatID: 5, Text: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
		at = append(at, vt.Now().Sub(start).Round(time.Millisecond))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second}
	if fmt.Sprint(at) != fmt.Sprint(want) {
		t.Fatalf("private chat sends at %v, want %v", at, want)
	}
	g0 := vt.Now()
	at = nil
	for i := 0; i < 3; i++ {
		if _, err := o.Send(ctx, outbox.Message{ChatID: -100, Text: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
		at = append(at, vt.Now().Sub(g0).Round(time.Millisecond))
	}
	want = []time.Duration{0, 3 * time.Second, 6 * time.Second}
	if fmt.Sprint(at) != fmt.Sprint(want) {
		t.Fatalf("group sends at %v, want %v", at, want)
	}
	if len(fake.SentTo(-100)) != 3 {
		t.Fatal("group messages missing")
	}
}

// Replies go ahead of a queue of bulk sends: with the global limit
// saturated by bulk, an interactive reply goes out within the next two
// sends instead of after the queue.
func TestInteractiveGoesFirst(t *testing.T) {
	o, fake := newOutbox(t, outbox.Config{Limits: outbox.Limits{Global: 40, PerChat: 100, ChatBurst: 1}}, 0)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := o.Send(ctx, outbox.Message{ChatID: int64(1000 + i), Text: "bulk", Priority: outbox.Bulk}); err != nil {
				t.Error(err)
			}
		}()
	}
	// Wait until the queue is flowing, then reply to someone.
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := fake.WaitSent(waitCtx, 3); err != nil {
		t.Fatal(err)
	}
	before := len(fake.Sent())
	if _, err := o.Send(ctx, outbox.Message{ChatID: 1, Text: "reply"}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	pos := -1
	for i, s := range fake.Sent() {
		if s.ChatID == 1 {
			pos = i
		}
	}
	if pos < 0 || pos > before+2 {
		t.Fatalf("the reply went out as send #%d; bulk queue had %d sent when it asked (want ≤ %d)", pos, before, before+2)
	}
	if pos > 30 {
		t.Fatalf("reply waited behind the bulk queue (position %d of 41)", pos)
	}
}

// Real time, scaled-up limits: the fake Bot API sees no more than the
// configured rates, in total and per chat.
func TestRatesObservedByTheServer(t *testing.T) {
	const (
		global  = 400.0
		perChat = 10.0
		chats   = 40
		each    = 10
	)
	o, fake := newOutbox(t, outbox.Config{Limits: outbox.Limits{Global: global, GlobalBurst: 1, PerChat: perChat, ChatBurst: 1}}, 0)
	ctx := context.Background()
	var wg sync.WaitGroup
	for c := 0; c < chats; c++ {
		for i := 0; i < each; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := o.Send(ctx, outbox.Message{ChatID: int64(c + 1), Text: "x", Priority: outbox.Bulk}); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	calls := fake.Calls("sendMessage")
	if len(calls) != chats*each {
		t.Fatalf("%d calls", len(calls))
	}
	CheckRates(t, calls, global, 1, perChat, 1)
	if n := o.Stats().TrackedChat; n > chats {
		t.Fatalf("pacer tracks %d chats", n)
	}
}

// CheckRates asserts that in every window of one second the calls stay
// within rate·(1 s + jitter) + burst, in total and per chat. The jitter
// allowance (100 ms) is the time between the limiter letting a request go
// and the request arriving at the fake server (goroutine scheduling on a
// loaded machine), which can bunch arrivals that left evenly spaced.
func CheckRates(t *testing.T, calls []tgfake.Call, global float64, globalBurst int, perChat float64, chatBurst int) {
	t.Helper()
	const jitter = 100 * time.Millisecond
	check := func(name string, cs []tgfake.Call, rate float64, burst int) {
		at := make([]time.Time, len(cs))
		for i, c := range cs {
			at[i] = c.At
		}
		sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
		limit := int(rate*(time.Second+jitter).Seconds()) + burst
		j := 0
		for i := range at {
			for j < len(at) && at[j].Sub(at[i]) < time.Second {
				j++
			}
			if n := j - i; n > limit {
				t.Fatalf("%s: %d calls in one second from %v, limit %d (rate %.0f/s)", name, n, at[i], limit, rate)
			}
		}
	}
	check("all chats", calls, global, globalBurst)
	byChat := map[int64][]tgfake.Call{}
	for _, c := range calls {
		byChat[c.ChatID] = append(byChat[c.ChatID], c)
	}
	for id, cs := range byChat {
		check(fmt.Sprint("chat ", id), cs, perChat, chatBurst)
	}
}

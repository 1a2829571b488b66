// Package redact keeps secrets — the bot token — out of everything salesbot
// writes down: log lines, errors it returns and error texts it stores. It
// matches the secret itself wherever it appears (a URL, a proxy's "Cannot
// POST /bot<token>/…" page, a JSON description that quotes it), not one
// shape of message.
package redact

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// Mask is what a secret is replaced with.
const Mask = "[redacted]"

// Secrets replaces known secrets in text. The zero value and nil redact
// nothing.
type Secrets struct {
	r *strings.Replacer
}

// New returns a Secrets for the given values. Each is also matched in the
// forms an HTTP stack writes it (path- and query-escaped), and for a bot
// token "ID:SECRET" the secret half alone, when it is long enough to be
// unmistakable.
func New(secrets ...string) *Secrets {
	seen := map[string]bool{}
	var pairs []string
	add := func(s string) {
		if s == "" || seen[s] {
			return
		}
		seen[s] = true
		pairs = append(pairs, s, Mask)
	}
	for _, s := range secrets {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		add(s)
		add(url.PathEscape(s))
		add(url.QueryEscape(s))
		if _, half, ok := strings.Cut(s, ":"); ok && len(half) >= 16 {
			add(half)
		}
	}
	if len(pairs) == 0 {
		return &Secrets{}
	}
	// strings.Replacer tries the old strings in argument order at each
	// position, so longer forms go first (the whole token before its half).
	sortLongestFirst(pairs)
	return &Secrets{r: strings.NewReplacer(pairs...)}
}

func sortLongestFirst(pairs []string) {
	for i := 2; i < len(pairs); i += 2 {
		for j := i; j >= 2 && len(pairs[j]) > len(pairs[j-2]); j -= 2 {
			pairs[j], pairs[j-2] = pairs[j-2], pairs[j]
			pairs[j+1], pairs[j-1] = pairs[j-1], pairs[j+1]
		}
	}
}

// String returns s with every secret masked.
func (s *Secrets) String(text string) string {
	if s == nil || s.r == nil {
		return text
	}
	return s.r.Replace(text)
}

// Error returns err with its message redacted. The chain stays intact for
// errors.Is and errors.As, so callers still tell a 429 from a 403; only
// the text changes. An error without a secret is returned as it is.
func (s *Secrets) Error(err error) error {
	if err == nil || s == nil || s.r == nil {
		return err
	}
	msg := err.Error()
	if red := s.r.Replace(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Handler wraps h so that no record it writes carries a secret: the
// message and every attribute value (strings, errors, anything printed)
// are redacted.
func (s *Secrets) Handler(h slog.Handler) slog.Handler {
	if s == nil || s.r == nil {
		return h
	}
	if rh, ok := h.(*handler); ok && rh.s == s {
		return h
	}
	return &handler{s: s, next: h}
}

type handler struct {
	s    *Secrets
	next slog.Handler
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.s.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = h.attr(a)
	}
	return &handler{s: h.s, next: h.next.WithAttrs(red)}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{s: h.s, next: h.next.WithGroup(name)}
}

func (h *handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.s.String(v.String()))
	case slog.KindGroup:
		as := v.Group()
		red := make([]any, len(as))
		for i, g := range as {
			red[i] = h.attr(g)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.Any(a.Key, h.s.Error(x))
		default:
			text := fmt.Sprint(x)
			if red := h.s.String(text); red != text {
				return slog.String(a.Key, red)
			}
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

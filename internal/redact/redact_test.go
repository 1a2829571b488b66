package redact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const token = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

func TestStringMasksEveryForm(t *testing.T) {
	s := New(token)
	for _, in := range []string{
		"Post \"https://api.telegram.org/bot" + token + "/sendMessage\": dial tcp: timeout",
		"<html><body>Cannot POST /bot" + token + "/sendMessage</body></html>",
		`{"ok":false,"description":"Bad Request: token ` + token + ` rejected"}`,
		"escaped: /bot123456%3AAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe",
		"only the secret half: AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
	} {
		got := s.String(in)
		if strings.Contains(got, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") || !strings.Contains(got, Mask) {
			t.Errorf("String(%q) = %q", in, got)
		}
	}
	if got := s.String("nothing secret"); got != "nothing secret" {
		t.Fatalf("changed clean text: %q", got)
	}
	var none *Secrets
	if none.String(token) != token || New("").String(token) != token {
		t.Fatal("no secrets must change nothing")
	}
}

var errSentinel = errors.New("forbidden")

func TestErrorKeepsTheChain(t *testing.T) {
	s := New(token)
	err := fmt.Errorf("send to 5: %w, Cannot POST /bot%s/x", errSentinel, token)
	red := s.Error(err)
	if strings.Contains(red.Error(), token) || !errors.Is(red, errSentinel) {
		t.Fatalf("redacted %q, Is=%v", red, errors.Is(red, errSentinel))
	}
	clean := errors.New("clean")
	if s.Error(clean) != clean || s.Error(nil) != nil {
		t.Fatal("clean errors must come back as they are")
	}
}

type stringer struct{}

func (stringer) String() string { return "url=/bot" + token + "/getUpdates" }

func TestHandlerRedactsMessageAndAttrs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(New(token).Handler(slog.NewTextHandler(&buf, nil)))
	log = log.With("api", "https://x/bot"+token)
	log.WithGroup("g").Error("failed "+token, "err", fmt.Errorf("wrapped: %s", token), "s", token,
		"any", stringer{}, slog.Group("inner", "v", token), "n", 3)
	out := buf.String()
	if strings.Contains(out, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") {
		t.Fatalf("token in log:\n%s", out)
	}
	if !strings.Contains(out, "n=3") || strings.Count(out, Mask) < 6 {
		t.Fatalf("log lost content:\n%s", out)
	}
}

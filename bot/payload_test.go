package bot

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Every callback kind the bot answers has payload shapes, and no shape
// names a kind the bot does not answer.
func TestPayloadShapesCoverEveryCallback(t *testing.T) {
	b := &Bot{}
	kinds := slices.Sorted(maps.Keys(b.callbackTable()))
	shaped := slices.Sorted(maps.Keys(payloadShapes))
	if !slices.Equal(kinds, shaped) {
		t.Fatalf("callback kinds %v, shaped kinds %v", kinds, shaped)
	}
}

func TestPayloadFits(t *testing.T) {
	fits := []string{
		"lang:zh", "f:client:c:0", "f:client_pick:c:12", "f:day:b", "f:day:s", "f:day:x",
		"v:e:7", "v:u:7", "v:f:7:next_date", "c:v:7", "c:G:7:A", "c:G:7:-", "c:S:7:lost", "c:f:7:industry",
		"cl:-:0", "cl:B:3", "h:7:0", "hn:7", "o:r:7", "o:t:7", "fu:d:7", "fl:v:7", "pl:u:3-9", "pl:a:2026-11-30",
		"jn:y:ABCDEFGHJK", "jn:n", "ra:x", "ra:1:2:3", "ra:1:2:3:*", "ra:1:2:3:A:ok", "dl:7:price", "as:7", "sh:7:8",
	}
	for _, p := range fits {
		kind, payload, _ := strings.Cut(p, ":")
		if !payloadFits(kind, payload) {
			t.Errorf("%q refused", p)
		}
	}
	forged := []string{
		"lang:", "lang:EN", "lang:zh:x", "f:client:c:-1", "f:client:c:01", "f:client:c:+1", "f:client:c:10000", "f:client:q",
		"f::c:0", "f:Client:c:0", "v:e:0", "v:e:-7", "v:e:07", "v:e:7:x", "v:e: 7", "v:z:7", "v:f:7", "v:f:7:Next",
		"c:v:7:extra", "c:G:7:E", "c:G:7:a", "c:S:7:won", "c:v:99999999999999999999", "c:x:7",
		"cl:E:0", "cl:-:-1", "cl:-", "h:7", "h:7:x", "h:0:0", "hn:7:0", "o:q:7", "o:r:7:1",
		"fu:dd:7", "fu:d:7:x", "fl:", "pl:u:9", "pl:u:3-", "pl:u:-3-9", "pl:a:0001-01-01x", "pl:a:2026-02-30",
		"pl:a:2026-1-5", "pl:z:1", "jn:y:abc", "jn:y:ABCDEFGHJ1", "jn:y:ABCDEFGHJKL", "jn:x", "ra:1:2", "ra:1:2:3:E",
		"ra:1:2:3:A:no", "ra:1:2:3:A:ok:1", "dl:7:bogus", "dl:7", "as:0", "as:7:8", "sh:7", "sh:7:08", "zz:1",
	}
	for _, p := range forged {
		kind, payload, _ := strings.Cut(p, ":")
		if payloadFits(kind, payload) {
			t.Errorf("%q accepted", p)
		}
	}
}

// Payload shapes: no panic; whatever fits has canonical numbers only (one
// spelling per id).
func FuzzPayloadFits(f *testing.F) {
	for _, s := range []string{"c:v:7", "c:G:7:A", "ra:1:2:3:*:ok", "pl:u:3-9", "pl:a:2026-11-30", "f:client:c:0", "jn:y:ABCDEFGHJK",
		"c:v:007", "fu:d:-1", "h:7:99999", "dl:7:price", "::::", "lang:zh"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ids, ok := parseIDs(s, 2); ok && (ids[0] <= 0 || ids[1] <= 0 || fmt.Sprintf("%d:%d", ids[0], ids[1]) != s) {
			t.Fatalf("parseIDs(%q) = %v", s, ids)
		}
		kind, payload, _ := strings.Cut(s, ":")
		if !payloadFits(kind, payload) {
			return
		}
		for _, part := range strings.FieldsFunc(payload, func(r rune) bool { return r == ':' || r == '-' }) {
			if n, err := strconv.ParseInt(part, 10, 64); err == nil && strconv.FormatInt(n, 10) != part {
				t.Fatalf("%q fits with a non-canonical number %q", s, part)
			}
		}
	})
}

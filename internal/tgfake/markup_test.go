package tgfake

import (
	"strings"
	"testing"
)

func TestParseMarkdownV2(t *testing.T) {
	cases := []struct {
		text, plain, err string
	}{
		{text: `*bold* _italic_ __underline__ ~strike~ ||spoiler||`, plain: "bold italic underline strike spoiler"},
		{text: `*bold _nested italic_ bold*`, plain: "bold nested italic bold"},
		{text: "`a.b-c!` and ```go\nx := 1.5\n```", plain: "a.b-c! and go\nx := 1.5\n"},
		{text: `[Order \#42](https://shop.example/o?id=42&x=\))`, plain: "Order #42"},
		{text: `![👍](tg://emoji?id=5368324170671202286)`, plain: "👍"},
		{text: ">quoted line\n>second", plain: "quoted line\nsecond"},
		{text: "**>expandable\n>more||", plain: "expandable\nmore"},
		{text: `Price: 10\.50 \(incl\. VAT\) \- \+1 \= \{x\} \| \!`, plain: "Price: 10.50 (incl. VAT) - +1 = {x} | !"},
		{text: `Total: 10.50`, err: `Character '.' is reserved`},
		{text: `a - b`, err: `Character '-' is reserved`},
		{text: `Hi!`, err: `Character '!' is reserved`},
		{text: `x > y`, err: `Character '>' is reserved`},
		{text: `a | b`, err: `Character '|' is reserved`},
		{text: `(x)`, err: `Character '(' is reserved`},
		{text: `x]`, err: `Character ']' is reserved`},
		{text: `*open`, err: `Can't find end of Bold entity at byte offset 0`},
		{text: `ok _open`, err: `Can't find end of Italic entity at byte offset 3`},
		{text: "`code", err: `Can't find end of Code entity`},
		{text: "```pre", err: `Can't find end of Pre entity`},
		{text: `[link](https://x`, err: `Can't find end of a URL`},
	}
	for _, c := range cases {
		plain, err := parseMarkdownV2(c.text)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("parseMarkdownV2(%q) error = %v, want %q", c.text, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("parseMarkdownV2(%q) unexpected error %v", c.text, err)
		case c.err == "" && plain != c.plain:
			t.Errorf("parseMarkdownV2(%q) = %q, want %q", c.text, plain, c.plain)
		}
	}
}

func TestParseHTML(t *testing.T) {
	cases := []struct {
		text, plain, err string
	}{
		{text: `<b>a</b><i>b</i><u>c</u><s>d</s><span class="tg-spoiler">e</span><tg-spoiler>f</tg-spoiler>`, plain: "abcdef"},
		{text: `<a href="https://x.y/?a=1&amp;b=2">link</a> &lt;3 &amp; R&D > 2`, plain: "link <3 & R&D > 2"},
		{text: `<pre><code class="language-go">x := 1</code></pre><blockquote expandable>q</blockquote>`, plain: "x := 1q"},
		{text: `<B>caps</B>`, plain: "caps"},
		{text: `line<br>break`, err: `Unsupported start tag "br" at byte offset 4`},
		{text: `<p>para</p>`, err: `Unsupported start tag "p"`},
		{text: `1 < 2`, err: `Unclosed start tag`},
		{text: `a < b > c`, err: `Unsupported start tag ""`},
		{text: `<b>bold`, err: `Can't find end tag corresponding to start tag "b"`},
		{text: `<b><i>x</b></i>`, err: `Unmatched end tag`},
		{text: `x</b>`, err: `Unexpected end tag`},
	}
	for _, c := range cases {
		plain, err := parseHTML(c.text)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("parseHTML(%q) error = %v, want %q", c.text, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("parseHTML(%q) unexpected error %v", c.text, err)
		case c.err == "" && plain != c.plain:
			t.Errorf("parseHTML(%q) = %q, want %q", c.text, plain, c.plain)
		}
	}
}

func TestMethodFromPath(t *testing.T) {
	for path, want := range map[string]string{
		"/bot123:abc/getMe":      "getMe",
		"/bot123:abc/":           "",
		"/bot/getMe":             "",
		"/file/bot123:abc/x":     "",
		"/bot123:abc/test/getMe": "",
	} {
		got, ok := methodFromPath(path)
		if got != want || ok != (want != "") {
			t.Errorf("methodFromPath(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}

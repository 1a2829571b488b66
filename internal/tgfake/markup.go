package tgfake

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"unicode/utf8"

	tgmodels "github.com/go-telegram/bot/models"
)

// Telegram's limits, counted after entity parsing.
const (
	maxTextLen         = 4096
	maxCaptionLen      = 1024
	maxCallbackDataLen = 64 // bytes
)

// checkText validates a message text or caption the way Telegram does
// before accepting it and returns the canonical parse mode. what is
// "text" or "caption" and selects the error wording.
func checkText(text, parseMode, what string) (string, *apiError) {
	mode, plain, err := parseEntities(text, parseMode)
	if err != nil {
		return "", err
	}
	switch what {
	case "text":
		if strings.TrimSpace(plain) == "" {
			return "", badRequest("message text is empty")
		}
		if utf8.RuneCountInString(plain) > maxTextLen {
			return "", badRequest("message is too long")
		}
	case "caption":
		if utf8.RuneCountInString(plain) > maxCaptionLen {
			return "", badRequest("message caption is too long")
		}
	}
	return mode, nil
}

// parseEntities canonicalises parse_mode (Telegram accepts any case) and
// returns the text a user would see once markup is stripped.
func parseEntities(text, parseMode string) (mode, plain string, apiErr *apiError) {
	var err error
	switch strings.ToLower(parseMode) {
	case "":
		return "", text, nil
	case "markdown":
		// Legacy Markdown is lenient; not worth validating.
		return "Markdown", text, nil
	case "html":
		mode = "HTML"
		plain, err = parseHTML(text)
	case "markdownv2":
		mode = "MarkdownV2"
		plain, err = parseMarkdownV2(text)
	default:
		return "", "", badRequest("unsupported parse_mode")
	}
	if err != nil {
		return "", "", badRequest("can't parse entities: " + err.Error())
	}
	return mode, plain, nil
}

// htmlTags are the tags Telegram's HTML parse mode supports. Anything else
// (notably <br>, <p>, <div>) is rejected, a classic source of 400s.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
	"tg-time": true,
}

// parseHTML checks the subset of Telegram's HTML rules that bots break in
// practice — unsupported tags, bare '<', unbalanced tags — and returns the
// visible text. It deliberately does not reject what Telegram tolerates
// (e.g. a bare '&' or '>'). Error texts copy Telegram's wording, capitals
// included, so bots matching on them behave as in production.
func parseHTML(text string) (string, error) {
	var (
		stack []string
		plain strings.Builder
	)
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("Unclosed start tag at byte offset %d", i)
			}
			tag := text[i+1 : i+end]
			if name, closing := strings.CutPrefix(tag, "/"); closing {
				name = strings.ToLower(strings.TrimSpace(name))
				if len(stack) == 0 {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				if top := stack[len(stack)-1]; top != name {
					return "", fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top, name)
				}
				stack = stack[:len(stack)-1]
			} else {
				name := strings.ToLower(tag[:strings.IndexFunc(tag+" ", func(r rune) bool {
					return !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
				})])
				if !htmlTags[name] {
					return "", fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, i)
				}
				stack = append(stack, name)
			}
			i += end + 1
		case '&':
			// Decode entities only to measure the visible length.
			if semi := strings.IndexByte(text[i:], ';'); semi > 1 && semi <= 12 {
				if ent := text[i : i+semi+1]; html.UnescapeString(ent) != ent {
					plain.WriteString(html.UnescapeString(ent))
					i += semi + 1
					continue
				}
			}
			plain.WriteByte('&')
			i++
		default:
			plain.WriteByte(text[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	return plain.String(), nil
}

// mdEntityNames names MarkdownV2 markers in Telegram's error messages.
var mdEntityNames = map[string]string{
	"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough",
	"||": "Spoiler", "[": "TextUrl", "![": "CustomEmoji",
}

// parseMarkdownV2 implements the MarkdownV2 escaping rules: outside code
// and link URLs every one of _*[]()~`>#+-=|{}.! must be escaped unless it
// is markup, and every entity must be closed. Forgetting to escape '.', '-'
// or '!' in dynamic text is the most common MarkdownV2 bug, so this check
// is what makes the fake catch it before production does.
func parseMarkdownV2(text string) (string, error) {
	type marker struct {
		m  string
		at int
	}
	var (
		stack      []marker
		plain      strings.Builder
		expandable bool // inside a **> expandable blockquote, closed by a trailing ||
	)
	find := func(m string) int {
		for j := len(stack) - 1; j >= 0; j-- {
			if stack[j].m == m {
				return j
			}
		}
		return -1
	}
	toggle := func(m string, at int) {
		if j := find(m); j >= 0 {
			stack = append(stack[:j], stack[j+1:]...)
		} else {
			stack = append(stack, marker{m, at})
		}
	}
	reserved := func(c byte) error {
		return fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
	}

	for i := 0; i < len(text); {
		c := text[i]
		lineStart := i == 0 || text[i-1] == '\n'
		switch {
		case c == '\\':
			if i+1 < len(text) && text[i+1] >= 1 && text[i+1] <= 126 {
				plain.WriteByte(text[i+1])
				i += 2
			} else {
				plain.WriteByte(c)
				i++
			}
		case c == '`':
			delim, name := "`", "Code"
			if strings.HasPrefix(text[i:], "```") {
				delim, name = "```", "Pre"
			}
			end := indexUnescaped(text, i+len(delim), delim)
			if end < 0 {
				return "", fmt.Errorf("Can't find end of %s entity at byte offset %d", name, i)
			}
			plain.WriteString(text[i+len(delim) : end])
			i = end + len(delim)
		case c == '*' && lineStart && strings.HasPrefix(text[i:], "**>"):
			expandable = true
			i += 3
		case c == '*' || c == '~':
			toggle(string(c), i)
			i++
		case c == '_':
			m := "_"
			if strings.HasPrefix(text[i:], "__") {
				m = "__"
			}
			toggle(m, i)
			i += len(m)
		case c == '|':
			if !strings.HasPrefix(text[i:], "||") {
				return "", reserved(c)
			}
			if expandable && find("||") < 0 && (i+2 == len(text) || text[i+2] == '\n') {
				expandable = false
			} else {
				toggle("||", i)
			}
			i += 2
		case c == '[':
			stack = append(stack, marker{"[", i})
			i++
		case c == '!' && strings.HasPrefix(text[i:], "!["):
			stack = append(stack, marker{"![", i})
			i += 2
		case c == ']':
			j := max(find("["), find("!["))
			if j < 0 {
				return "", reserved(c)
			}
			stack = append(stack[:j], stack[j+1:]...)
			i++
			if i < len(text) && text[i] == '(' {
				end := indexUnescaped(text, i+1, ")")
				if end < 0 {
					return "", fmt.Errorf("Can't find end of a URL at byte offset %d", i)
				}
				i = end + 1
			}
		case c == '>' && lineStart:
			i++ // blockquote
		case strings.IndexByte("()#+-={}.!>", c) >= 0:
			return "", reserved(c)
		default:
			plain.WriteByte(c)
			i++
		}
	}
	if len(stack) > 0 {
		last := stack[len(stack)-1]
		return "", fmt.Errorf("Can't find end of %s entity at byte offset %d", mdEntityNames[last.m], last.at)
	}
	return plain.String(), nil
}

// indexUnescaped finds delim in text at or after from, skipping
// backslash-escaped characters.
func indexUnescaped(text string, from int, delim string) int {
	for j := from; j < len(text); j++ {
		if text[j] == '\\' {
			j++
			continue
		}
		if strings.HasPrefix(text[j:], delim) {
			return j
		}
	}
	return -1
}

// parseReplyMarkup decodes a reply_markup parameter. Only inline keyboards
// become part of the stored message (that is all Telegram echoes back);
// other kinds are accepted and exposed raw via Sent.ReplyMarkup.
func parseReplyMarkup(raw string) (*tgmodels.InlineKeyboardMarkup, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var m struct {
		InlineKeyboard [][]tgmodels.InlineKeyboardButton `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if len(m.InlineKeyboard) == 0 {
		return nil, nil
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return nil, badRequest("can't parse inline keyboard button: Text must be non-empty")
			}
			if len(b.CallbackData) > maxCallbackDataLen {
				return nil, badRequest("BUTTON_DATA_INVALID")
			}
			if !hasAction(b) {
				return nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
		}
	}
	return &tgmodels.InlineKeyboardMarkup{InlineKeyboard: m.InlineKeyboard}, nil
}

// hasAction reports whether an inline button does something; Telegram
// rejects plain text buttons in inline keyboards.
func hasAction(b tgmodels.InlineKeyboardButton) bool {
	return b.URL != "" || b.CallbackData != "" || b.WebApp != nil || b.LoginURL != nil ||
		b.SwitchInlineQuery != "" || b.SwitchInlineQueryCurrentChat != "" ||
		b.SwitchInlineQueryChosenChat != nil || b.CopyText.Text != "" ||
		b.CallbackGame != nil || b.Pay
}

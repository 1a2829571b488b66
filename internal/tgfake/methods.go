package tgfake

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgmodels "github.com/go-telegram/bot/models"
)

// deleteWindow is how old a message may be and still be deleted by a bot.
const deleteWindow = 48 * time.Hour

func init() {
	register("getMe", getMe)
	register("getUpdates", getUpdates)
	registerLocked("sendMessage", sendMessage)
	registerLocked("editMessageText", editMessageText)
	registerLocked("editMessageReplyMarkup", editMessageReplyMarkup)
	registerLocked("answerCallbackQuery", answerCallbackQuery)
	registerLocked("deleteMessage", deleteMessage)
	registerLocked("sendDocument", sendDocument)
	registerLocked("sendPhoto", sendPhoto)
	registerLocked("sendChatAction", sendChatAction)
	registerLocked("setMyCommands", setMyCommands)
	registerLocked("getMyCommands", getMyCommands)
	registerLocked("deleteMyCommands", deleteMyCommands)
	register("setWebhook", setWebhook)
	register("deleteWebhook", deleteWebhook)
	register("getWebhookInfo", getWebhookInfo)
}

func getMe(s *Server, _ context.Context, _ *params) (any, *apiError) {
	u := s.bot
	return &u, nil
}

// --- getUpdates ---------------------------------------------------------

// defaultExcludedUpdates are the update types Telegram withholds unless
// allowed_updates asks for them explicitly.
var defaultExcludedUpdates = []string{"chat_member", "message_reaction", "message_reaction_count"}

func getUpdates(s *Server, ctx context.Context, p *params) (any, *apiError) {
	offset, hasOffset := p.int64("offset")
	limit, ok := p.int("limit")
	if !ok || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := p.int("timeout")
	var allowed []string
	if raw := p.str("allowed_updates"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &allowed); err != nil {
			return nil, badRequest("can't parse allowed_updates JSON array")
		}
	}

	s.mu.Lock()
	if s.hook.url != "" {
		s.mu.Unlock()
		return nil, &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if allowed != nil {
		s.allowedUpdates = allowed
	}
	if hasOffset {
		s.confirm(offset)
	}
	// Real Telegram terminates an older pending getUpdates when a new one
	// arrives; two pollers on one token is a deployment bug worth seeing.
	s.pollSeq++
	me := s.pollSeq
	s.broadcast()
	s.mu.Unlock()

	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		expired = t.C
	}
	waiting := false
	defer func() {
		if waiting {
			s.mu.Lock()
			s.polling--
			s.broadcast()
			s.mu.Unlock()
		}
	}()

	for {
		s.mu.Lock()
		if s.pollSeq != me {
			s.mu.Unlock()
			return nil, &apiError{code: http.StatusConflict, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		s.dropDisallowed()
		if len(s.queue) > 0 || expired == nil {
			out := slices.Clone(s.queue[:min(limit, len(s.queue))])
			s.mu.Unlock()
			if out == nil {
				out = []tgmodels.Update{}
			}
			return out, nil
		}
		if !waiting {
			waiting = true
			s.polling++
			s.broadcast()
		}
		changed := s.changed
		s.mu.Unlock()

		select {
		case <-changed:
		case <-expired:
			expired = nil // one last look at the queue, then return
		case <-ctx.Done():
			return []tgmodels.Update{}, nil // nobody is listening anyway
		case <-s.closed:
			return []tgmodels.Update{}, nil
		}
	}
}

// confirm applies a getUpdates offset: positive drops every update with a
// smaller id; negative keeps only the last -offset updates. Holds s.mu.
func (s *Server) confirm(offset int64) {
	n := len(s.queue)
	switch {
	case offset > 0:
		i := 0
		for i < len(s.queue) && s.queue[i].ID < offset {
			i++
		}
		s.queue = s.queue[i:]
	case offset < 0 && int64(len(s.queue)) > -offset:
		s.queue = s.queue[int64(len(s.queue))+offset:]
	}
	if len(s.queue) != n {
		s.broadcast()
	}
}

// dropDisallowed discards queued updates whose type the poller did not ask
// for, as Telegram never delivers them. Holds s.mu.
func (s *Server) dropDisallowed() {
	kept := s.queue[:0:0]
	for _, u := range s.queue {
		kind := updateKind(&u)
		ok := kind == ""
		if !ok && len(s.allowedUpdates) > 0 {
			ok = slices.Contains(s.allowedUpdates, kind)
		} else if !ok {
			ok = !slices.Contains(defaultExcludedUpdates, kind)
		}
		if ok {
			kept = append(kept, u)
		}
	}
	if len(kept) != len(s.queue) {
		s.queue = kept
		s.broadcast()
	}
}

// updateKind returns the allowed_updates name of an update's payload, ""
// if it has none.
func updateKind(u *tgmodels.Update) string {
	v := reflect.ValueOf(u).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := v.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			return name
		}
	}
	return ""
}

// --- sending and editing ------------------------------------------------

// chatID parses the chat_id parameter. Usernames ("@channel") are not
// modelled, so they are reported as unknown chats.
func chatID(p *params) (int64, *apiError) {
	v := strings.TrimSpace(p.str("chat_id"))
	if v == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

// blockedErr is returned for requests addressed to a blocked chat.
// Callers hold s.mu.
func (s *Server) blockedErr(chatID int64) *apiError {
	if !s.blocked[chatID] {
		return nil
	}
	f := Blocked()
	return &apiError{code: f.Code, desc: f.Description}
}

// content is what a send or an edit carries besides its target: the text
// (or caption), its parse mode and the inline keyboard, checked as Telegram
// checks them.
type content struct {
	text, mode, markup string
	kb                 *tgmodels.InlineKeyboardMarkup
}

// parseContent reads the text parameter field ("text" / "caption"), the
// parse mode and reply_markup.
func parseContent(p *params, field string) (content, *apiError) {
	c := content{text: p.str(field), markup: p.str("reply_markup")}
	var apiErr *apiError
	if c.mode, apiErr = checkText(c.text, p.str("parse_mode"), field); apiErr != nil {
		return c, apiErr
	}
	c.kb, apiErr = parseReplyMarkup(c.markup)
	return c, apiErr
}

// sent is the record of a method that delivered c to a message.
func (c content) sent(method string, chat int64, msgID int) Sent {
	return Sent{
		Method:      method,
		ChatID:      chat,
		MessageID:   msgID,
		Text:        c.text,
		Buttons:     buttonsOf(c.kb),
		ParseMode:   c.mode,
		ReplyMarkup: c.markup,
	}
}

// postMessage adds the bot's message msg to chat and records rec for it.
// Callers hold s.mu and have checked the chat is not blocked.
func (s *Server) postMessage(chat int64, c content, msg tgmodels.Message, rec Sent) (any, *apiError) {
	m := s.addMessage(chat, true, msg)
	m.parseMode = c.mode
	rec.MessageID = m.msg.ID
	s.recordSent(rec)
	snap := m.msg
	return &snap, nil
}

func sendMessage(s *Server, p *params) (any, *apiError) {
	chat, apiErr := chatID(p)
	if apiErr != nil {
		return nil, apiErr
	}
	c, apiErr := parseContent(p, "text")
	if apiErr != nil {
		return nil, apiErr
	}

	if apiErr := s.blockedErr(chat); apiErr != nil {
		return nil, apiErr
	}
	return s.postMessage(chat, c, tgmodels.Message{Text: c.text, ReplyMarkup: c.kb}, c.sent("sendMessage", chat, 0))
}

// sendFile implements sendDocument and sendPhoto; field is the InputFile
// parameter name ("document" / "photo").
func sendFile(s *Server, p *params, method, field string) (any, *apiError) {
	chat, apiErr := chatID(p)
	if apiErr != nil {
		return nil, apiErr
	}
	up, fileID, ok := p.inputFile(field)
	if !ok {
		return nil, badRequest("there is no " + field + " in the request")
	}
	c, apiErr := parseContent(p, "caption")
	if apiErr != nil {
		return nil, apiErr
	}

	if apiErr := s.blockedErr(chat); apiErr != nil {
		return nil, apiErr
	}
	rec := c.sent(method, chat, 0)
	rec.FileID = fileID
	// Uploads and URLs get a fresh file_id, like Telegram storing the file;
	// a file_id is echoed back so bots that cache ids see them reused.
	storedID := fileID
	var size int64
	if up != nil {
		rec.FileName, rec.File = up.name, up.data
		size = int64(len(up.data))
	}
	if up != nil || strings.HasPrefix(fileID, "http://") || strings.HasPrefix(fileID, "https://") {
		s.nextFileID++
		storedID = fmt.Sprintf("fake-%s-%d", field, s.nextFileID)
	}

	msg := tgmodels.Message{Caption: c.text, ReplyMarkup: c.kb}
	if field == "photo" {
		msg.Photo = photoSizes(storedID)
	} else {
		msg.Document = &tgmodels.Document{
			FileID:       storedID,
			FileUniqueID: uniqueID(storedID),
			FileName:     rec.FileName,
			MimeType:     mime.TypeByExtension(path.Ext(rec.FileName)),
			FileSize:     size,
		}
	}
	return s.postMessage(chat, c, msg, rec)
}

func sendDocument(s *Server, p *params) (any, *apiError) {
	return sendFile(s, p, "sendDocument", "document")
}

func sendPhoto(s *Server, p *params) (any, *apiError) {
	return sendFile(s, p, "sendPhoto", "photo")
}

// reachableChat is the chat_id of a request to a chat that has not
// blocked the bot. Callers hold s.mu.
func (s *Server) reachableChat(p *params) (int64, *apiError) {
	chat, apiErr := chatID(p)
	if apiErr == nil {
		apiErr = s.blockedErr(chat)
	}
	return chat, apiErr
}

// editTarget finds the bot message an edit refers to. Callers hold s.mu.
func (s *Server) editTarget(p *params) (*storedMessage, int64, *apiError) {
	if p.str("inline_message_id") != "" {
		return nil, 0, badRequest("message to edit not found") // inline mode is not modelled
	}
	chat, apiErr := s.reachableChat(p)
	if apiErr != nil {
		return nil, 0, apiErr
	}
	id, _ := p.int("message_id")
	m := s.message(chat, id)
	if m == nil || m.deleted {
		return nil, 0, badRequest("message to edit not found")
	}
	if !m.fromBot {
		return nil, 0, badRequest("message can't be edited")
	}
	return m, chat, nil
}

// errNotModified is Telegram's complaint about a no-op edit; bots must
// treat it as success, which is why the fake insists on it.
var errNotModified = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

func editMessageText(s *Server, p *params) (any, *apiError) {
	c, apiErr := parseContent(p, "text")
	if apiErr != nil {
		return nil, apiErr
	}

	m, chat, apiErr := s.editTarget(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if m.msg.Document != nil || m.msg.Photo != nil {
		return nil, badRequest("there is no text in the message to edit")
	}
	// Like Telegram, an edit without reply_markup removes the keyboard.
	if m.msg.Text == c.text && m.parseMode == c.mode && sameKeyboard(m.msg.ReplyMarkup, c.kb) {
		return nil, errNotModified
	}
	m.msg.Text, m.msg.ReplyMarkup, m.parseMode = c.text, c.kb, c.mode
	return s.edited(m, c.sent("editMessageText", chat, m.msg.ID))
}

// edited stamps an edit on m and records it. Callers hold s.mu.
func (s *Server) edited(m *storedMessage, rec Sent) (any, *apiError) {
	m.msg.EditDate = int(s.now().Unix())
	s.recordSent(rec)
	snap := m.msg
	return &snap, nil
}

func editMessageReplyMarkup(s *Server, p *params) (any, *apiError) {
	markup := p.str("reply_markup")
	kb, apiErr := parseReplyMarkup(markup)
	if apiErr != nil {
		return nil, apiErr
	}

	m, chat, apiErr := s.editTarget(p)
	if apiErr != nil {
		return nil, apiErr
	}
	if sameKeyboard(m.msg.ReplyMarkup, kb) {
		return nil, errNotModified
	}
	m.msg.ReplyMarkup = kb
	return s.edited(m, Sent{
		Method:      "editMessageReplyMarkup",
		ChatID:      chat,
		MessageID:   m.msg.ID,
		Buttons:     buttonsOf(kb),
		ReplyMarkup: markup,
	})
}

func sameKeyboard(a, b *tgmodels.InlineKeyboardMarkup) bool {
	if a == nil || b == nil {
		return a == b
	}
	return reflect.DeepEqual(a.InlineKeyboard, b.InlineKeyboard)
}

func deleteMessage(s *Server, p *params) (any, *apiError) {
	chat, apiErr := s.reachableChat(p)
	if apiErr != nil {
		return nil, apiErr
	}
	id, _ := p.int("message_id")
	m := s.message(chat, id)
	if m == nil || m.deleted {
		return nil, badRequest("message to delete not found")
	}
	if s.now().Sub(time.Unix(int64(m.msg.Date), 0)) > deleteWindow {
		return nil, badRequest("message can't be deleted for everyone")
	}
	m.deleted = true
	s.recordSent(Sent{Method: "deleteMessage", ChatID: chat, MessageID: id})
	return true, nil
}

func answerCallbackQuery(s *Server, p *params) (any, *apiError) {
	id := p.str("callback_query_id")
	cb := s.callbacks[id]
	// Telegram accepts one answer per query; a second one, or an id it
	// never issued, gets the same error.
	if cb == nil || cb.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	cb.answered = true
	s.recordSent(Sent{
		Method:          "answerCallbackQuery",
		ChatID:          cb.chatID,
		MessageID:       cb.messageID,
		Text:            p.str("text"),
		CallbackQueryID: id,
	})
	return true, nil
}

func sendChatAction(s *Server, p *params) (any, *apiError) {
	if _, apiErr := s.reachableChat(p); apiErr != nil {
		return nil, apiErr
	}
	return true, nil
}

// --- commands -----------------------------------------------------------

// commandKeyOf builds the storage key for a scope/language_code pair.
func commandKeyOf(p *params) (commandKey, *apiError) {
	key := commandKey{scope: "default", lang: p.str("language_code")}
	raw := p.str("scope")
	if raw == "" {
		return key, nil
	}
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(raw), &sc); err != nil || sc.Type == "" {
		return key, badRequest("can't parse BotCommandScope JSON object")
	}
	chat := strings.Trim(string(sc.ChatID), `"`)
	switch sc.Type {
	case "chat", "chat_administrators":
		key.scope = sc.Type + ":" + chat
	case "chat_member":
		key.scope = fmt.Sprintf("chat_member:%s:%d", chat, sc.UserID)
	default:
		key.scope = sc.Type
	}
	return key, nil
}

func setMyCommands(s *Server, p *params) (any, *apiError) {
	key, apiErr := commandKeyOf(p)
	if apiErr != nil {
		return nil, apiErr
	}
	var cmds []tgmodels.BotCommand
	if err := json.Unmarshal([]byte(p.str("commands")), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON array")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands")
	}
	for _, c := range cmds {
		if !validCommand(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if d := utf8.RuneCountInString(c.Description); d < 1 || d > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	return true, nil
}

func getMyCommands(s *Server, p *params) (any, *apiError) {
	key, apiErr := commandKeyOf(p)
	if apiErr != nil {
		return nil, apiErr
	}
	out := slices.Clone(s.commands[key])
	if out == nil {
		out = []tgmodels.BotCommand{}
	}
	return out, nil
}

func deleteMyCommands(s *Server, p *params) (any, *apiError) {
	key, apiErr := commandKeyOf(p)
	if apiErr != nil {
		return nil, apiErr
	}
	delete(s.commands, key)
	return true, nil
}

// validCommand applies Telegram's rule: 1-32 of a-z, 0-9 and '_'.
func validCommand(c string) bool {
	if len(c) < 1 || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// dropAll discards every pending update. Callers hold s.mu.
func (s *Server) dropAll() {
	s.queue = nil
	s.broadcast()
}

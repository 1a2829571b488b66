package tgfake

import (
	"mime"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"

	tgmodels "github.com/go-telegram/bot/models"
)

// SendText queues a text message from the user in their private chat and
// returns its update_id. A leading "/command" gets a bot_command entity, as
// Telegram adds one, so command routing in the bot works unchanged.
func (s *Server) SendText(from User, text string) int64 {
	msg := tgmodels.Message{Text: text}
	if strings.HasPrefix(text, "/") {
		cmd := text
		if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
			cmd = text[:i]
		}
		msg.Entities = []tgmodels.MessageEntity{{
			Type:   tgmodels.MessageEntityTypeBotCommand,
			Offset: 0,
			Length: utf16Len(cmd), // Telegram measures entities in UTF-16 units
		}}
	}
	return s.userMessage(from, msg)
}

// SendLocation queues a location from the user; livePeriod > 0 makes it a
// live location.
func (s *Server) SendLocation(from User, lat, lon float64, livePeriod int) int64 {
	return s.userMessage(from, tgmodels.Message{
		Location: &tgmodels.Location{Latitude: lat, Longitude: lon, LivePeriod: livePeriod},
	})
}

// SendVenue queues a venue; like Telegram it also carries the location.
func (s *Server) SendVenue(from User, lat, lon float64, title, address string) int64 {
	loc := tgmodels.Location{Latitude: lat, Longitude: lon}
	return s.userMessage(from, tgmodels.Message{
		Location: &loc,
		Venue:    &tgmodels.Venue{Location: loc, Title: title, Address: address},
	})
}

// SendPhoto queues a photo. Like Telegram it arrives in several sizes,
// smallest first; fileID is the largest (last) one, and the thumbnail's id
// is fileID+"-thumb" — bots should pick the last size.
func (s *Server) SendPhoto(from User, fileID, caption string) int64 {
	return s.userMessage(from, tgmodels.Message{Photo: photoSizes(fileID), Caption: caption})
}

// SendDocument queues a document with a MIME type derived from fileName.
func (s *Server) SendDocument(from User, fileID, fileName, caption string) int64 {
	return s.userMessage(from, tgmodels.Message{
		Document: &tgmodels.Document{
			FileID:       fileID,
			FileUniqueID: uniqueID(fileID),
			FileName:     fileName,
			MimeType:     mime.TypeByExtension(path.Ext(fileName)),
		},
		Caption: caption,
	})
}

// SendVoice queues a voice note of duration seconds.
func (s *Server) SendVoice(from User, fileID string, duration int) int64 {
	return s.userMessage(from, tgmodels.Message{
		Voice: &tgmodels.Voice{
			FileID:       fileID,
			FileUniqueID: uniqueID(fileID),
			Duration:     duration,
			MimeType:     "audio/ogg",
		},
	})
}

// PressButton queues a callback_query as if the user tapped an inline
// button with callback data on the bot's message messageID in their chat.
// The query carries that message as currently stored (after edits). If no
// such live bot message exists, the query carries an InaccessibleMessage
// (date 0), as Telegram does for messages it can no longer show, which is
// also how to test that path. data is not checked against the keyboard.
func (s *Server) PressButton(from User, messageID int, data string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[from.ID] = from

	s.nextCallbackID++
	// Real ids are long decimal strings; mimic that in case code parses them.
	id := strconv.FormatInt(4_000_000_000_000_000_000+s.nextCallbackID, 10)
	s.callbacks[id] = &callback{chatID: from.ID, messageID: messageID}

	var msg tgmodels.MaybeInaccessibleMessage
	if m := s.message(from.ID, messageID); m != nil && m.fromBot && !m.deleted {
		snap := m.msg
		msg = tgmodels.MaybeInaccessibleMessage{Type: tgmodels.MaybeInaccessibleMessageTypeMessage, Message: &snap}
	} else {
		msg = tgmodels.MaybeInaccessibleMessage{
			Type: tgmodels.MaybeInaccessibleMessageTypeInaccessibleMessage,
			InaccessibleMessage: &tgmodels.InaccessibleMessage{
				Chat:      s.chatModel(from.ID),
				MessageID: messageID,
			},
		}
	}
	return s.enqueue(tgmodels.Update{CallbackQuery: &tgmodels.CallbackQuery{
		ID:           id,
		From:         from.model(),
		Message:      msg,
		ChatInstance: strconv.FormatInt(-from.ID, 10),
		Data:         data,
	}})
}

// InjectUpdate queues an arbitrary update, overwriting its ID, and returns
// the assigned update_id. u is delivered as given (no message ids or chat
// state are touched); do not modify what it points to afterwards.
func (s *Server) InjectUpdate(u tgmodels.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueue(u)
}

// userMessage completes msg as sent by from in their private chat, stores
// it (so the bot can delete it) and queues it.
func (s *Server) userMessage(from User, msg tgmodels.Message) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[from.ID] = from
	u := from.model()
	msg.From = &u
	m := s.addMessage(from.ID, false, msg)
	snap := m.msg
	return s.enqueue(tgmodels.Update{Message: &snap})
}

// enqueue assigns the next update_id and queues u. Callers hold s.mu.
func (s *Server) enqueue(u tgmodels.Update) int64 {
	s.nextUpdateID++
	u.ID = s.nextUpdateID
	s.queue = append(s.queue, u)
	s.broadcast()
	return u.ID
}

// addMessage stores msg in chatID under the chat's next message id,
// filling in id, date, chat and, for the bot, the sender. Callers hold s.mu.
func (s *Server) addMessage(chatID int64, fromBot bool, msg tgmodels.Message) *storedMessage {
	c := s.chats[chatID]
	if c == nil {
		c = &chat{msgs: map[int]*storedMessage{}}
		s.chats[chatID] = c
	}
	c.lastID++
	msg.ID = c.lastID
	msg.Date = int(s.now().Unix())
	msg.Chat = s.chatModel(chatID)
	if fromBot {
		bot := s.bot
		msg.From = &bot
	}
	m := &storedMessage{msg: msg, fromBot: fromBot}
	c.msgs[msg.ID] = m
	return m
}

// message looks up a stored message. Callers hold s.mu.
func (s *Server) message(chatID int64, id int) *storedMessage {
	if c := s.chats[chatID]; c != nil {
		return c.msgs[id]
	}
	return nil
}

// chatModel describes a chat the way Telegram does: private chats of known
// users carry their names; negative ids are groups (-100… supergroups).
// Callers hold s.mu.
func (s *Server) chatModel(chatID int64) tgmodels.Chat {
	if u, ok := s.users[chatID]; ok {
		return tgmodels.Chat{ID: chatID, Type: tgmodels.ChatTypePrivate,
			FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
	}
	switch {
	case chatID <= -1_000_000_000_000:
		return tgmodels.Chat{ID: chatID, Type: tgmodels.ChatTypeSupergroup}
	case chatID < 0:
		return tgmodels.Chat{ID: chatID, Type: tgmodels.ChatTypeGroup}
	default:
		return tgmodels.Chat{ID: chatID, Type: tgmodels.ChatTypePrivate}
	}
}

func photoSizes(fileID string) []tgmodels.PhotoSize {
	thumb := fileID + "-thumb"
	return []tgmodels.PhotoSize{
		{FileID: thumb, FileUniqueID: uniqueID(thumb), Width: 90, Height: 68},
		{FileID: fileID, FileUniqueID: uniqueID(fileID), Width: 1280, Height: 960},
	}
}

// uniqueID derives a stable file_unique_id from a file_id.
func uniqueID(fileID string) string { return "u-" + fileID }

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// Package outbox is the one path by which salesbot talks to users: every
// message, edit, file and callback answer goes through an Outbox.
package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"
)

// Button is an inline keyboard button: it carries callback Data, or opens URL.
type Button struct {
	Text string
	Data string
	URL  string
}

// File is an upload.
type File struct {
	Name string
	Data []byte
}

// Message is something to show in a chat: a new message, or an edit of one
// the bot sent before (EditMessageID).
type Message struct {
	ChatID        int64
	Text          string
	Buttons       [][]Button
	EditMessageID int
	// Document or Photo send a file with Text as its caption.
	Document *File
	Photo    *File
}

// ErrNotModified is returned by an edit that would change nothing; Telegram
// refuses those, and for us they are a success.
var ErrNotModified = errors.New("message not modified")

// Outbox sends Messages through the Telegram Bot API.
type Outbox struct {
	tg *tgbot.Bot
}

// New returns an Outbox sending through tg.
func New(tg *tgbot.Bot) *Outbox { return &Outbox{tg: tg} }

// Send shows m and returns the id of the message sent or edited.
func (o *Outbox) Send(ctx context.Context, m Message) (int, error) {
	markup := keyboard(m.Buttons)
	switch {
	case m.Document != nil:
		msg, err := o.tg.SendDocument(ctx, &tgbot.SendDocumentParams{
			ChatID:      m.ChatID,
			Document:    &tgmodels.InputFileUpload{Filename: m.Document.Name, Data: bytes.NewReader(m.Document.Data)},
			Caption:     m.Text,
			ReplyMarkup: markupOrNil(markup),
		})
		if err != nil {
			return 0, fmt.Errorf("send document to %d: %w", m.ChatID, err)
		}
		return msg.ID, nil
	case m.Photo != nil:
		msg, err := o.tg.SendPhoto(ctx, &tgbot.SendPhotoParams{
			ChatID:      m.ChatID,
			Photo:       &tgmodels.InputFileUpload{Filename: m.Photo.Name, Data: bytes.NewReader(m.Photo.Data)},
			Caption:     m.Text,
			ReplyMarkup: markupOrNil(markup),
		})
		if err != nil {
			return 0, fmt.Errorf("send photo to %d: %w", m.ChatID, err)
		}
		return msg.ID, nil
	case m.EditMessageID != 0:
		msg, err := o.tg.EditMessageText(ctx, &tgbot.EditMessageTextParams{
			ChatID:      m.ChatID,
			MessageID:   m.EditMessageID,
			Text:        m.Text,
			ReplyMarkup: markup, // nil markup removes the buttons
		})
		if err != nil {
			if strings.Contains(err.Error(), "message is not modified") {
				return m.EditMessageID, nil
			}
			return 0, fmt.Errorf("edit message %d in %d: %w", m.EditMessageID, m.ChatID, err)
		}
		if msg != nil {
			return msg.ID, nil
		}
		return m.EditMessageID, nil
	default:
		msg, err := o.tg.SendMessage(ctx, &tgbot.SendMessageParams{
			ChatID:      m.ChatID,
			Text:        m.Text,
			ReplyMarkup: markupOrNil(markup),
		})
		if err != nil {
			return 0, fmt.Errorf("send message to %d: %w", m.ChatID, err)
		}
		return msg.ID, nil
	}
}

// AnswerCallback stops the button's spinner, showing text as a toast if set.
func (o *Outbox) AnswerCallback(ctx context.Context, callbackID, text string) error {
	_, err := o.tg.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: callbackID, Text: text})
	if err != nil {
		return fmt.Errorf("answer callback: %w", err)
	}
	return nil
}

func keyboard(rows [][]Button) *tgmodels.InlineKeyboardMarkup {
	if len(rows) == 0 {
		return &tgmodels.InlineKeyboardMarkup{InlineKeyboard: [][]tgmodels.InlineKeyboardButton{}}
	}
	kb := make([][]tgmodels.InlineKeyboardButton, 0, len(rows))
	for _, row := range rows {
		r := make([]tgmodels.InlineKeyboardButton, 0, len(row))
		for _, b := range row {
			r = append(r, tgmodels.InlineKeyboardButton{Text: b.Text, CallbackData: b.Data, URL: b.URL})
		}
		kb = append(kb, r)
	}
	return &tgmodels.InlineKeyboardMarkup{InlineKeyboard: kb}
}

// markupOrNil leaves the markup out of new messages without buttons.
func markupOrNil(m *tgmodels.InlineKeyboardMarkup) tgmodels.ReplyMarkup {
	if m == nil || len(m.InlineKeyboard) == 0 {
		return nil
	}
	return m
}

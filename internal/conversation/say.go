package conversation

import (
	"context"

	"github.com/go-telegram/bot/models"

	"github.com/oldenburg/ankommen/internal/reply"
	"github.com/oldenburg/ankommen/internal/telegram"
)

// t localizes a message id in lang as a sentence of Telegram HTML.
func (a Answering) t(lang, id string) string {
	return a.Renderer.Sentence(lang, id, nil, reply.FormatHTML)
}

// tData is t with template data.
func (a Answering) tData(lang, id string, data any) string {
	return a.Renderer.Sentence(lang, id, data, reply.FormatHTML)
}

// raw localizes a message id in lang as plain text (buttons, notices): Telegram
// shows it as it is, so it is neither escaped nor isolated.
func (a Answering) raw(lang, id string) string { return a.Renderer.Locale.T(lang, id, nil) }

// days renders n days with the plural forms of lang (Arabic has six), for the
// messages that name a retention period.
func (a Answering) days(lang string, n int) string { return a.Renderer.Locale.N(lang, "Days", n, nil) }

// reply sends Telegram HTML to the turn's chat, unless the chat blocked the bot.
// In groups it replies to the message it answers. urgent puts an emergency ahead of
// the global limit.
func (c *Conversation) reply(ctx context.Context, t *turn, text string, kb *models.InlineKeyboardMarkup, urgent ...bool) {
	if !t.chat.Active && t.chatID != 0 {
		c.metrics.Call("sendMessage", "dropped")
		return
	}
	m := telegram.Message{ChatID: t.chatID, Group: t.group, Text: text, Keyboard: kb, Urgent: len(urgent) > 0 && urgent[0]}
	if t.msg != nil {
		m.ThreadID = t.msg.MessageThreadID
		if t.group {
			m.ReplyTo = t.msg.ID
		}
	}
	c.send.Send(ctx, m)
}

// edit replaces the text and keyboard of a message the bot sent (topic pages).
func (c *Conversation) edit(ctx context.Context, t *turn, msgID int, text string, kb *models.InlineKeyboardMarkup) {
	c.send.Send(ctx, telegram.Message{ChatID: t.chatID, Group: t.group, Edit: msgID, Text: text, Keyboard: kb})
}

// answerCallback stops the spinner of the turn's button, with a short notice (plain
// text) when text is set.
func (c *Conversation) answerCallback(ctx context.Context, t *turn, text string) {
	c.send.Send(ctx, telegram.Message{ChatID: t.chatID, Group: t.group, Callback: t.cb.ID, Text: text})
}

// button is an inline button with callback data; label is plain text.
func button(label string, data callbackData) models.InlineKeyboardButton {
	return models.InlineKeyboardButton{Text: label, CallbackData: data.String()}
}

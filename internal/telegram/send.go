package telegram

import (
	"context"
	"errors"
	"github.com/oldenburg/ankommen/internal/reply"
	"html"
	"strings"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// t localizes a message id in lang and escapes it for Telegram HTML.
func (k Core) t(lang, id string) string {
	return html.EscapeString(bidi(lang, k.Locale.T(lang, id, nil)))
}

// bidi isolates Latin-script runs (office names, numbers, commands) in right-to-left
// languages, as the answers do.
func bidi(lang, s string) string {
	if reply.RTL(lang) {
		return reply.Isolate(s)
	}
	return s
}

// days renders n days with the plural forms of lang (Arabic has six), for the
// messages that name a retention period.
func (k Core) days(lang string, n int) string { return k.Locale.N(lang, "Days", n, nil) }

// raw localizes a message id in lang as plain text (buttons, notices).
func (k Core) raw(lang, id string) string { return k.Locale.T(lang, id, nil) }

// tData is t with template data.
func (k Core) tData(lang, id string, data any) string {
	return html.EscapeString(bidi(lang, k.Locale.T(lang, id, data)))
}

type sendOpts struct {
	urgent bool // an emergency: ahead of the global limit
}

// sendText sends HTML to the turn's chat, split below Telegram's limit at paragraph
// boundaries; the keyboard goes with the last piece. In groups it replies to the
// message it answers.
func (c *Channel) sendText(ctx context.Context, t *turn, text string, kb *models.InlineKeyboardMarkup, opts ...sendOpts) {
	var o sendOpts
	if len(opts) > 0 {
		o = opts[0]
	}
	if !t.chat.Active && t.chatID != 0 {
		c.metrics.Call("sendMessage", "dropped")
		return
	}
	pieces := Split(text, MaxMessage)
	for i, piece := range pieces {
		p := &bot.SendMessageParams{
			ChatID:             t.chatID,
			Text:               piece,
			ParseMode:          models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()},
		}
		if t.msg != nil {
			p.MessageThreadID = t.msg.MessageThreadID
			if t.group && i == 0 {
				p.ReplyParameters = &models.ReplyParameters{MessageID: t.msg.ID, AllowSendingWithoutReply: true}
			}
		}
		if i == len(pieces)-1 && kb != nil {
			p.ReplyMarkup = kb
		}
		c.enqueue(ctx, t, "sendMessage", o.urgent, true, func(ctx context.Context) error {
			_, err := c.bot.SendMessage(ctx, p)
			if isParseError(err) {
				// Rendering keeps to the tags Telegram knows, so this should not happen;
				// if it does, plain text is better than no answer.
				c.log.Error("telegram rejected the HTML; sending plain text", "err", err)
				p.Text, p.ParseMode = plainText(p.Text), ""
				_, err = c.bot.SendMessage(ctx, p)
			}
			return err
		})
	}
}

// editText replaces the text and keyboard of a message the bot sent (topic pages).
func (c *Channel) editText(ctx context.Context, t *turn, msgID int, text string, kb *models.InlineKeyboardMarkup) {
	p := &bot.EditMessageTextParams{
		ChatID:             t.chatID,
		MessageID:          msgID,
		Text:               text,
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()},
		ReplyMarkup:        kb,
	}
	c.enqueue(ctx, t, "editMessageText", false, true, func(ctx context.Context) error {
		_, err := c.bot.EditMessageText(ctx, p)
		if err != nil && errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified") {
			return nil // the same page twice
		}
		return err
	})
}

// answerCallback stops the button's spinner, with a short notice (plain text) when
// text is set.
func (c *Channel) answerCallback(ctx context.Context, id, text string) {
	t := turnFrom(ctx)
	p := &bot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text}
	c.enqueue(ctx, t, "answerCallbackQuery", false, false, func(ctx context.Context) error {
		_, err := c.bot.AnswerCallbackQuery(ctx, p)
		return err
	})
}

// enqueue puts one call in the outgoing queue, tied to the update being handled.
func (c *Channel) enqueue(ctx context.Context, t *turn, method string, urgent, limited bool, do func(context.Context) error) {
	tr := trackerFrom(ctx)
	var since time.Time
	if tr != nil {
		seq, sent := tr.next()
		if sent {
			c.metrics.Call(method, "sent_before")
			c.log.Debug("call accepted before the restart; not sent again", "update_id", tr.updateID, "seq", seq, "method", method)
			return
		}
		tr.add()
		since = tr.received
		send := do
		// The acceptance is stored before the chat's next call goes out: after a
		// crash, only the calls not accepted yet are made again.
		do = func(ctx context.Context) error {
			err := send(ctx)
			if err == nil {
				if err := c.store.Sent(context.WithoutCancel(ctx), tr.updateID, seq); err != nil {
					c.log.Error("cannot record a sent call; it may be sent again after a crash", "update_id", tr.updateID, "err", err)
				}
			}
			return err
		}
	}
	c.queue.add(&call{
		chatID:  t.chatID,
		group:   t.group,
		limited: limited,
		urgent:  urgent,
		method:  method,
		since:   since,
		do:      do,
		done: func(err error) {
			if err != nil {
				if k, _ := classify(err); k != errAborted && k != errForbidden {
					c.log.Warn("telegram call failed", "method", method, "chat_id", t.chatID, "err", err)
				}
			}
			if tr != nil {
				tr.done(err)
			}
		},
	})
}

func isParseError(err error) bool {
	return err != nil && errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "can't parse entities")
}

// plainText turns Telegram HTML into plain text.
func plainText(s string) string { return html.UnescapeString(stripTags(s)) }

// button is an inline button with callback data; label is plain text.
func button(label string, data callbackData) models.InlineKeyboardButton {
	return models.InlineKeyboardButton{Text: label, CallbackData: data.String()}
}

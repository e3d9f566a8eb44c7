package telegram

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Message is one thing the bot says in a chat: a new message, an edit of one it
// sent, or the answer to a tap on a button.
type Message struct {
	ChatID int64
	// Group is true for a group chat: the group limit applies.
	Group bool
	// Text is Telegram HTML; a new message is split below Telegram's limit at
	// paragraph boundaries. For a callback answer it is the plain-text notice ("":
	// none).
	Text string
	// Keyboard goes with the last piece.
	Keyboard *models.InlineKeyboardMarkup
	// ReplyTo is a message the first piece replies to (0: none); ThreadID the
	// forum topic.
	ReplyTo  int
	ThreadID int
	// Edit, when set, replaces the text and keyboard of that message of the bot.
	Edit int
	// Callback, when set, answers that callback query instead: it stops the
	// button's spinner. It goes beside the chat's queue, at once.
	Callback string
	// Urgent is an emergency: it goes ahead of the global limit.
	Urgent bool
	// Done, when set, is called once: nil when Telegram accepted every piece, else
	// the first error (IsForbidden tells a chat that blocked the bot).
	Done func(error)
}

// Send queues m in the outgoing queue. With the ctx of Handler.Handle, m belongs to
// the update being handled (see Handler); with any other (staff replies, notices)
// it is sent only while Run runs, else Done gets an error at once.
func (c *Channel) Send(ctx context.Context, m Message) {
	done := m.Done
	if done == nil {
		done = func(error) {}
	}
	tr := trackerFrom(ctx)
	if tr == nil && !c.running.Load() {
		done(fmt.Errorf("telegram: not connected: %w", errStopped))
		return
	}
	switch {
	case m.Callback != "":
		p := &bot.AnswerCallbackQueryParams{CallbackQueryID: m.Callback, Text: m.Text}
		c.enqueue(ctx, m, "answerCallbackQuery", false, done, func(ctx context.Context) error {
			_, err := c.bot.AnswerCallbackQuery(ctx, p)
			return err
		})
	case m.Edit != 0:
		p := &bot.EditMessageTextParams{
			ChatID:             m.ChatID,
			MessageID:          m.Edit,
			Text:               m.Text,
			ParseMode:          models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()},
			ReplyMarkup:        m.Keyboard,
		}
		c.enqueue(ctx, m, "editMessageText", true, done, func(ctx context.Context) error {
			_, err := c.bot.EditMessageText(ctx, p)
			if err != nil && errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified") {
				return nil // the same page twice
			}
			return err
		})
	default:
		c.sendPieces(ctx, m, done)
	}
}

// sendPieces sends m's text in pieces below Telegram's limit; done hears of the
// last piece, or of the first that failed.
func (c *Channel) sendPieces(ctx context.Context, m Message, done func(error)) {
	pieces := Split(m.Text, MaxMessage)
	if len(pieces) == 0 {
		done(nil)
		return
	}
	var mu sync.Mutex
	left := len(pieces)
	var first error
	each := func(err error) {
		mu.Lock()
		if err != nil && first == nil {
			first = err
		}
		left--
		last, e := left == 0, first
		mu.Unlock()
		if last {
			done(e)
		}
	}
	for i, piece := range pieces {
		p := &bot.SendMessageParams{
			ChatID:             m.ChatID,
			Text:               piece,
			ParseMode:          models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()},
			MessageThreadID:    m.ThreadID,
		}
		if i == 0 && m.ReplyTo != 0 {
			p.ReplyParameters = &models.ReplyParameters{MessageID: m.ReplyTo, AllowSendingWithoutReply: true}
		}
		if i == len(pieces)-1 && m.Keyboard != nil {
			p.ReplyMarkup = m.Keyboard
		}
		c.enqueue(ctx, m, "sendMessage", true, each, func(ctx context.Context) error {
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

// enqueue puts one call in the outgoing queue, tied to the update being handled
// when ctx carries one.
func (c *Channel) enqueue(ctx context.Context, m Message, method string, limited bool, done func(error), do func(context.Context) error) {
	tr := trackerFrom(ctx)
	var since time.Time
	if tr != nil {
		seq, sent := tr.next()
		if sent {
			c.metrics.Call(method, "sent_before")
			c.log.Debug("call accepted before the restart; not sent again", "update_id", tr.updateID, "seq", seq, "method", method)
			done(nil)
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
		chatID:  m.ChatID,
		group:   m.Group,
		limited: limited,
		urgent:  m.Urgent,
		method:  method,
		since:   since,
		do:      do,
		done: func(err error) {
			if err != nil {
				if k, _ := classify(err); k != errAborted && k != errForbidden {
					c.log.Warn("telegram call failed", "method", method, "chat_id", m.ChatID, "err", err)
				}
			}
			done(err)
			if tr != nil {
				tr.done(err)
			}
		},
	})
}

// IsForbidden reports whether err says that the chat blocked the bot (403).
func IsForbidden(err error) bool {
	k, _ := classify(err)
	return err != nil && k == errForbidden
}

func isParseError(err error) bool {
	return err != nil && errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "can't parse entities")
}

// plainText turns Telegram HTML into plain text.
func plainText(s string) string { return html.UnescapeString(stripTags(s)) }

package conversation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/notify"
	"github.com/oldenburg/ankommen/internal/reply"
)

// Telling the asker. Under a reply that recorded the question (not sure, asking
// back), a private chat gets a second consent button, apart from handing the
// question over: "Tell me when there is an answer". A tap links the recorded
// question to the chat (package notify); when staff or new content answer it, Tell
// sends the answer once.

// Subscriptions stores the consent to be told of an answer (notify.Store).
type Subscriptions interface {
	// Subscribe links the question with reference ref to the chat; created is
	// false when it was linked already; notify.ErrNotFound when it is gone.
	Subscribe(ctx context.Context, ref string, chatID int64, lang string, at time.Time) (created bool, err error)
}

// notifyOffered reports whether the turn may offer to be told of an answer: the
// button is on and the chat is a private one.
func (c *Conversation) notifyOffered(t *turn) bool {
	return c.opt.Subscriptions != nil && !t.group && t.chatID != 0
}

// notifyButton asks to be told when the recorded question ref has an answer.
func notifyButton(label, lang, ref string) models.InlineKeyboardButton {
	return button(label, callbackData{kind: cbNotify, lang: lang, ref: ref})
}

// onNotify records the consent: the user tapped "Tell me when there is an answer".
func (c *Conversation) onNotify(ctx context.Context, t *turn, d callbackData) {
	if !c.notifyOffered(t) {
		c.answerCallback(ctx, t, t.ans.raw(t.lang, "StaleButton"))
		return
	}
	created, err := c.opt.Subscriptions.Subscribe(ctx, d.ref, t.chatID, d.lang, c.now())
	switch {
	case errors.Is(err, notify.ErrNotFound):
		c.answerCallback(ctx, t, t.ans.raw(d.lang, "NotifyGone"))
		return
	case err != nil:
		c.log.Error("cannot store the consent to be told of an answer", "chat_id", t.chatID, "err", err)
		c.answerCallback(ctx, t, t.ans.raw(d.lang, "Error"))
		return
	}
	c.answerCallback(ctx, t, "")
	t.lang = d.lang
	if !created {
		c.reply(ctx, t, t.ans.t(d.lang, "NotifyAlready"), nil)
		return
	}
	c.log.Info("asker asked to be told of an answer", "chat_id", t.chatID, "lang", d.lang)
	c.reply(ctx, t, t.ans.tData(d.lang, "NotifySubscribed", map[string]any{"Days": t.ans.days(d.lang, c.opt.Retention.QuestionDays)}), nil)
}

// Tell sends the asker of s the answer of topic, once (notify.Teller): the date and
// text of their question, then the topic's short answer and source as the bot
// answers it, with the buttons of an answer. A chat that blocked the bot gets
// nothing.
func (c *Conversation) Tell(ctx context.Context, s notify.Subscription, topicID string) error {
	ch, err := c.chats.get(ctx, s.ChatID)
	if err == nil && !ch.Active {
		return notify.ErrBlocked
	}
	k := c.opt.Answering()
	topic := k.Corpus.Topic(topicID)
	if topic == nil {
		return fmt.Errorf("conversation: tell an asker: no topic %q", topicID)
	}
	r := c.topicResult(k, s.Lang, topic)
	rp := k.Renderer.Chat(r, reply.FormatHTML, 0)
	head := k.tData(s.Lang, "NotifyAnswer", map[string]any{"Date": s.Asked.In(handoff.Zone).Format("02.01.2006"), "Question": cut(s.Text, maxNotice)})
	c.post(s.ChatID, "<b>"+head+"</b>\n\n"+rp.Text, resultKeyboard(k, r, rp.Labels, false, false), func(err error) {
		if err != nil {
			c.log.Warn("cannot tell the asker of an answer", "chat_id", s.ChatID, "question", s.QuestionID, "err", deliveryError(err))
		}
	})
	return nil
}

// cut shortens s to n characters with an ellipsis.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

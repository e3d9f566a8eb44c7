package conversation

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-telegram/bot/models"

	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/reply"
	"github.com/oldenburg/ankommen/internal/telegram"
)

// Handing a question to the city team. The not-sure reply, "Ask a person" and
// /contact show the officer's contact card with a button "Send my question to the
// city team" and one line on what that stores and for how long. Only a tap on it
// stores the chat id with the question (a handoff); until staff close the handoff,
// the user's messages go to it and the bot does not answer them, except emergencies.

// consentOffered reports whether the turn may offer handing the question over:
// handoffs are on and the chat is a private one (a group's id is no person's).
func (c *Conversation) consentOffered(t *turn) bool {
	return c.opt.Handoffs != nil && !t.group && t.chatID != 0
}

// consentButton hands the recorded question ref (or none) to the city team; label
// is the reply's (reply.Labels.Handoff).
func consentButton(label, lang, ref string) models.InlineKeyboardButton {
	return button(label, callbackData{kind: cbConsent, lang: lang, ref: ref})
}

// contactReply is the contact card with, where it may be offered, the consent line
// and button: the answer to "Ask a person" and /contact.
func (c *Conversation) contactReply(t *turn, card, lang string) (string, *models.InlineKeyboardMarkup) {
	if !c.consentOffered(t) {
		return card, nil
	}
	return card + "\n\n" + t.ans.Renderer.HandoffConsent(lang, c.opt.Retention.HandoffDays, reply.FormatHTML),
		&models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{consentButton(t.ans.raw(lang, "ButtonHandoff"), lang, "")}}}
}

// onConsent opens a handoff: the user tapped "Send my question to the city team".
func (c *Conversation) onConsent(ctx context.Context, t *turn, d callbackData) {
	if !c.consentOffered(t) {
		c.answerCallback(ctx, t, t.ans.raw(t.lang, "StaleButton"))
		return
	}
	h, created, err := c.opt.Handoffs.OpenHandoff(ctx, handoff.Opening{ChatID: t.chatID, Lang: d.lang, Ref: d.ref, At: c.now()})
	if err != nil {
		c.log.Error("cannot open a handoff", "chat_id", t.chatID, "err", err)
		c.answerCallback(ctx, t, t.ans.raw(d.lang, "Error"))
		return
	}
	c.answerCallback(ctx, t, "")
	t.lang = d.lang
	switch {
	case !created:
		c.reply(ctx, t, t.ans.t(d.lang, "HandoffAlreadyOpen"), nil)
		return
	case h.Text != "":
		c.reply(ctx, t, t.ans.t(d.lang, "HandoffOpened"), nil)
	default:
		c.reply(ctx, t, t.ans.t(d.lang, "HandoffOpenedAsk"), nil)
	}
	c.metrics.Escalation("handoff")
	c.log.Info("handoff opened", "chat_id", t.chatID, "handoff", h.ID, "lang", h.Lang, "with_question", h.Text != "")
	c.notifyStaff(t.ans, h)
}

// toHandoff passes a text message to the chat's open handoff. It reports whether
// the message was dealt with; an emergency is passed on and still answered by the
// core (false), like a message of a chat without an open handoff.
func (c *Conversation) toHandoff(ctx context.Context, t *turn) bool {
	if c.opt.Handoffs == nil || t.group || t.chatID == 0 {
		return false
	}
	h, err := c.opt.Handoffs.ActiveHandoff(ctx, t.chatID)
	if errors.Is(err, handoff.ErrNotFound) {
		return false
	}
	if err != nil {
		// Better an answer from the bot than none.
		c.log.Error("cannot look up the chat's handoff; answering", "chat_id", t.chatID, "err", err)
		return false
	}
	_, err = c.opt.Handoffs.AddUserMessage(ctx, h.ID, int64(t.msg.ID), t.text, c.now())
	switch {
	case errors.Is(err, handoff.ErrClosed), errors.Is(err, handoff.ErrNotFound):
		return false // closed meanwhile: the bot answers again
	case err != nil:
		c.log.Error("cannot store a message of a handoff", "chat_id", t.chatID, "handoff", h.ID, "err", err)
		c.reply(ctx, t, t.ans.t(t.lang, "Error"), nil)
		return true
	}
	c.log.Debug("message passed to the city team", "chat_id", t.chatID, "handoff", h.ID, "text", t.text)
	if t.ans.Answerer.IsEmergency(t.text) {
		return false
	}
	c.reply(ctx, t, t.ans.t(h.Lang, "HandoffForwarded"), nil)
	return true
}

// Deliver sends a staff reply to the handoff's user, marked as coming from the city
// team (handoff.Notifier).
func (c *Conversation) Deliver(h handoff.Handoff, text string, done func(error)) {
	ch, err := c.chats.get(context.Background(), h.ChatID)
	if err == nil && !ch.Active {
		done(handoff.ErrBlocked)
		return
	}
	k := c.opt.Answering()
	body := "<b>" + k.t(h.Lang, "StaffReplyHeader") + "</b>\n" + reply.Escape(text, reply.FormatHTML)
	c.post(h.ChatID, body, nil, func(err error) { done(deliveryError(err)) })
}

// Closed tells the user that the city team closed the conversation (handoff.Notifier).
func (c *Conversation) Closed(h handoff.Handoff) {
	if ch, err := c.chats.get(context.Background(), h.ChatID); err == nil && !ch.Active {
		return
	}
	k := c.opt.Answering()
	c.post(h.ChatID, k.t(h.Lang, "HandoffClosed"), nil, func(err error) {
		if err != nil {
			c.log.Warn("cannot tell the user that the handoff is closed", "chat_id", h.ChatID, "handoff", h.ID, "err", err)
		}
	})
}

// deliveryError maps a send error to the handoff package's.
func deliveryError(err error) error {
	if err == nil {
		return nil
	}
	if telegram.IsForbidden(err) {
		return handoff.ErrBlocked
	}
	return fmt.Errorf("%w: %v", handoff.ErrUndelivered, err)
}

// maxNotice is how much of a question the staff chat shows.
const maxNotice = 600

// notifyStaff posts a new handoff to the staff chat, if one is configured. The
// notice is in German, the staff's language.
func (c *Conversation) notifyStaff(k Answering, h handoff.Handoff) {
	if c.opt.StaffChatID == 0 {
		return
	}
	text := h.Text
	if text == "" {
		text = k.raw("de", "StaffTelegramNoQuestion")
	}
	if r := []rune(text); len(r) > maxNotice {
		text = string(r[:maxNotice]) + "…"
	}
	msg := k.tData("de", "StaffTelegramNewHandoff", map[string]any{"ID": h.ID, "Lang": h.Lang, "Text": text})
	if c.opt.StaffURL != "" {
		msg += "\n" + reply.Escape(fmt.Sprintf("%s/handoffs/%d", c.opt.StaffURL, h.ID), reply.FormatHTML)
	}
	c.post(c.opt.StaffChatID, msg, nil, func(err error) {
		if err != nil {
			c.log.Warn("cannot post the new handoff to the staff chat", "staff_chat_id", c.opt.StaffChatID, "handoff", h.ID, "err", err)
		}
	})
}

// post sends Telegram HTML, with keyboard kb (nil: none), to a chat outside the
// handling of an update (staff replies, notices, answers for askers); done is
// called once with the result.
func (c *Conversation) post(chatID int64, text string, kb *models.InlineKeyboardMarkup, done func(error)) {
	c.send.Send(context.Background(), telegram.Message{ChatID: chatID, Group: chatID < 0, Text: text, Keyboard: kb, Done: done})
}

// ErrNoStaffChat: no staff chat is configured.
var ErrNoStaffChat = errors.New("conversation: no staff chat configured")

// SendStaff posts text (Telegram HTML) to the staff chat and waits until Telegram
// accepted it or failed, or ctx ends: for the weekly summary, whose week is
// recorded as sent only after that.
func (c *Conversation) SendStaff(ctx context.Context, text string) error {
	if c.opt.StaffChatID == 0 {
		return ErrNoStaffChat
	}
	result := make(chan error, 1)
	c.post(c.opt.StaffChatID, text, nil, func(err error) { result <- err })
	select {
	case err := <-result:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

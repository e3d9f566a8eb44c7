package conversation

import (
	"context"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/telegram"
)

// turn is what Handle works out about an update before its handler runs.
type turn struct {
	ans    Answering // what this update is answered with
	me     string    // the bot's username
	kind   string    // update type, for metrics: text, command, callback, media, edited, channel_post, member, service, other
	msg    *models.Message
	cb     *models.CallbackQuery
	chatID int64
	userID int64
	group  bool // a group or supergroup
	chat   chat.Chat
	lang   string // the language to talk in
	cmd    command
	text   string // the text for the core, the bot's @name removed
}

// command is a bot command at the start of a message.
type command struct {
	name string // lower case, without "/" and "@bot"
	args string
	// other is true when the command names another bot (/start@OtherBot).
	other bool
}

// parseCommand reads "/name@bot args"; ok is false when text is no command.
func parseCommand(text, me string) (command, bool) {
	if !strings.HasPrefix(text, "/") {
		return command{}, false
	}
	head, args, _ := strings.Cut(text, " ")
	if i := strings.IndexByte(head, '\n'); i >= 0 {
		head, args = head[:i], head[i+1:]+" "+args
	}
	name, at, hasAt := strings.Cut(head[1:], "@")
	if name == "" || len(name) > 32 {
		return command{}, false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return command{}, false
		}
	}
	return command{
		name:  strings.ToLower(name),
		args:  strings.TrimSpace(args),
		other: hasAt && !strings.EqualFold(at, me),
	}, true
}

// Handle handles one update (telegram.Handler): it works out the turn, counts the
// update, drops what is not for the bot (group chatter, commands for other bots),
// applies flood control and runs the update's handler.
func (c *Conversation) Handle(ctx context.Context, u telegram.Update) {
	if u.Update == nil {
		return
	}
	t := c.newTurn(u)
	t.ans = c.opt.Answering()
	c.metrics.Update(t.kind)
	if !c.addressed(t, u.Bot) {
		c.metrics.Ignored("not_addressed")
		return
	}
	if t.chatID != 0 {
		ch, err := c.chats.get(ctx, t.chatID)
		if err != nil {
			c.log.Error("cannot read chat settings", "chat_id", t.chatID, "err", err)
		}
		t.chat = ch
		if !ch.Active && (t.msg != nil || t.cb != nil) && t.kind != "channel_post" {
			// The user writes again: they unblocked the bot.
			if err := c.chats.setActive(ctx, t.chatID, true); err != nil {
				c.log.Error("cannot mark chat active", "chat_id", t.chatID, "err", err)
			}
			t.chat.Active = true
		}
	}
	code := ""
	switch {
	case t.cb != nil:
		code = t.cb.From.LanguageCode
	case t.msg != nil && t.msg.From != nil:
		code = t.msg.From.LanguageCode
	}
	t.lang = uiLang(t.chat.Lang, code)
	// Debug is the only level that shows user text.
	c.log.Debug("update", "update_id", u.ID, "kind", t.kind, "chat_id", t.chatID, "lang", t.lang, "text", t.text)
	if !c.floodControl(ctx, t) {
		return
	}
	c.dispatch(ctx, t, u.Update)
}

func (c *Conversation) newTurn(u telegram.Update) *turn {
	t := &turn{kind: "other", me: u.Bot.Username}
	switch {
	case u.Message != nil:
		t.msg = u.Message
		t.kind = messageKind(u.Message)
	case u.EditedMessage != nil:
		t.msg, t.kind = u.EditedMessage, "edited"
	case u.ChannelPost != nil:
		t.msg, t.kind = u.ChannelPost, "channel_post"
	case u.EditedChannelPost != nil:
		t.msg, t.kind = u.EditedChannelPost, "edited_channel_post"
	case u.CallbackQuery != nil:
		t.cb, t.kind = u.CallbackQuery, "callback"
		t.userID = u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		t.kind = "member"
	}
	t.chatID = u.ChatID
	if t.msg != nil {
		t.group = t.msg.Chat.Type == models.ChatTypeGroup || t.msg.Chat.Type == models.ChatTypeSupergroup
		if t.msg.From != nil {
			t.userID = t.msg.From.ID
		}
		if cmd, ok := parseCommand(t.msg.Text, t.me); ok && t.kind == "command" {
			t.cmd = cmd
		}
		t.text = stripMention(t.msg.Text, t.me)
	}
	if t.cb != nil && t.cb.Message.Message != nil {
		t.group = t.cb.Message.Message.Chat.Type == models.ChatTypeGroup || t.cb.Message.Message.Chat.Type == models.ChatTypeSupergroup
	}
	return t
}

func messageKind(m *models.Message) string {
	switch {
	case m.Text != "":
		if strings.HasPrefix(m.Text, "/") {
			if _, ok := parseCommand(m.Text, ""); ok {
				return "command"
			}
		}
		return "text"
	case m.Photo != nil, m.Sticker != nil, m.Voice != nil, m.Audio != nil, m.Video != nil, m.VideoNote != nil,
		m.Document != nil, m.Animation != nil, m.Location != nil, m.Venue != nil, m.Contact != nil,
		m.Poll != nil, m.Dice != nil, m.Story != nil, m.Game != nil, m.PaidMedia != nil, m.Checklist != nil:
		return "media"
	case m.NewChatMembers != nil, m.LeftChatMember != nil, m.NewChatTitle != "", m.NewChatPhoto != nil,
		m.DeleteChatPhoto, m.GroupChatCreated, m.SupergroupChatCreated, m.ChannelChatCreated, m.PinnedMessage != nil,
		m.MigrateToChatID != 0, m.MigrateFromChatID != 0:
		return "service"
	}
	// Empty text, or a kind of message newer than the library.
	return "media"
}

// addressed reports whether the bot should react: always in private chats; in groups
// only to commands for it, to messages that name it and to replies to it.
func (c *Conversation) addressed(t *turn, me models.User) bool {
	if t.cmd.other {
		return false
	}
	if t.msg == nil || !t.group {
		return true
	}
	if t.kind == "service" || t.kind == "edited" {
		return false
	}
	if t.kind == "command" {
		return true
	}
	if r := t.msg.ReplyToMessage; r != nil && r.From != nil && r.From.ID == me.ID {
		return true
	}
	return me.Username != "" && strings.Contains(strings.ToLower(t.msg.Text+" "+t.msg.Caption), "@"+strings.ToLower(me.Username))
}

// stripMention removes "@me" from text, in any case.
func stripMention(text, me string) string {
	if me == "" {
		return text
	}
	at := "@" + strings.ToLower(me)
	lower := strings.ToLower(text)
	// Lower-casing can change byte lengths outside ASCII; cut only when it did not.
	if len(lower) != len(text) {
		return text
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, at)
		if i < 0 {
			b.WriteString(text)
			break
		}
		b.WriteString(text[:i])
		text, lower = text[i+len(at):], lower[i+len(at):]
	}
	return strings.TrimSpace(b.String())
}

// floodControl reports whether the turn may go on: a user over the limit gets one
// notice and is then ignored until the window has passed.
func (c *Conversation) floodControl(ctx context.Context, t *turn) bool {
	if t.userID == 0 || t.kind == "member" || t.kind == "service" {
		return true
	}
	// An emergency always gets through, however many messages came before it.
	if t.text != "" && t.ans.Answerer.IsEmergency(t.text) {
		return true
	}
	switch c.flood.check(t.userID) {
	case allow:
		return true
	case notice:
		c.metrics.Ignored("flood")
		c.log.Info("flood control: user paused", "chat_id", t.chatID)
		if t.cb != nil {
			c.answerCallback(ctx, t, t.ans.raw(t.lang, "FloodNotice"))
			return false
		}
		c.reply(ctx, t, t.ans.t(t.lang, "FloodNotice"), nil)
	default:
		c.metrics.Ignored("flood")
	}
	return false
}

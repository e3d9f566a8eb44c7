package conversation

import (
	"context"

	"github.com/go-telegram/bot/models"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/reply"
)

// commands are the handlers of the commands: one line per command.
var commands = map[string]func(*Conversation, context.Context, *turn){
	"start":    (*Conversation).cmdStart,
	"help":     (*Conversation).cmdHelp,
	"topics":   (*Conversation).cmdTopics,
	"language": (*Conversation).cmdLanguage,
	"contact":  (*Conversation).cmdContact,
	"privacy":  (*Conversation).cmdPrivacy,
	"forget":   (*Conversation).cmdForget,
}

// dispatch runs the turn's handler: a command of this bot, a question (text that
// is no command), a button, or onOther for everything else.
func (c *Conversation) dispatch(ctx context.Context, t *turn, u *models.Update) {
	switch {
	case u.Message != nil && u.Message.Text != "":
		cmd, isCmd := parseCommand(u.Message.Text, t.me)
		if !isCmd {
			c.onQuestion(ctx, t)
			return
		}
		if h := commands[cmd.name]; h != nil && !cmd.other {
			h(c, ctx, t)
			return
		}
	case u.CallbackQuery != nil:
		c.onCallback(ctx, t)
		return
	}
	c.onOther(ctx, t, u)
}

func (c *Conversation) cmdStart(ctx context.Context, t *turn) {
	c.reply(ctx, t, t.ans.t(t.lang, "Welcome"), languageKeyboard(t.ans))
}

func (c *Conversation) cmdHelp(ctx context.Context, t *turn) {
	c.reply(ctx, t, t.ans.t(t.lang, "Help"), topicsKeyboard(t.ans.raw(t.lang, "ButtonTopics"), t.lang))
}

func (c *Conversation) cmdLanguage(ctx context.Context, t *turn) {
	c.reply(ctx, t, t.ans.t(t.lang, "LanguagePrompt"), languageKeyboard(t.ans))
}

func (c *Conversation) cmdTopics(ctx context.Context, t *turn) {
	text, kb := c.topicsPage(t.ans, t.lang, 0)
	c.reply(ctx, t, text, kb)
}

func (c *Conversation) cmdContact(ctx context.Context, t *turn) {
	ct := t.ans.Corpus.Contact()
	if ct == nil {
		c.reply(ctx, t, t.ans.t(t.lang, "Help"), nil)
		return
	}
	r := c.topicResult(t.ans, t.lang, ct)
	r.Alternatives = nil
	text, kb := c.contactReply(t, t.ans.Renderer.Render(r, reply.FormatHTML), t.lang)
	c.reply(ctx, t, text, kb)
}

// cmdPrivacy says what is stored, why, for how long, and whom to contact.
func (c *Conversation) cmdPrivacy(ctx context.Context, t *turn) {
	ret := c.opt.Retention
	text := t.ans.tData(t.lang, "PrivacyInfo", map[string]any{"HandoffDays": t.ans.days(t.lang, ret.HandoffDays), "QuestionDays": t.ans.days(t.lang, ret.QuestionDays)})
	if c.opt.Subscriptions != nil {
		text += "\n\n" + t.ans.tData(t.lang, "PrivacyNotify", map[string]any{"QuestionDays": t.ans.days(t.lang, ret.QuestionDays)})
	}
	if ct := t.ans.Corpus.Contact(); ct != nil {
		tr, _ := ct.Best(t.lang)
		text += "\n\n" + t.ans.t(t.lang, "PrivacyContact") + "\n" + t.ans.Renderer.ContactCard(t.lang, tr, reply.FormatHTML)
	}
	c.reply(ctx, t, text, nil)
}

func (c *Conversation) cmdForget(ctx context.Context, t *turn) {
	if err := c.chats.forget(ctx, t.chatID); err != nil {
		c.log.Error("cannot forget chat", "chat_id", t.chatID, "err", err)
		c.reply(ctx, t, t.ans.t(t.lang, "Error"), nil)
		return
	}
	c.flood.forget(t.userID)
	// The choice is gone: from now on the app's language counts.
	code := ""
	if t.msg != nil && t.msg.From != nil {
		code = t.msg.From.LanguageCode
	}
	t.lang = uiLang("", code)
	t.chat = chat.Chat{ID: t.chatID, Active: true}
	c.reply(ctx, t, t.ans.t(t.lang, "ForgetDone"), nil)
}

// escalations are the reasons, as metrics count them, why a reply of the core shows
// the way to a person.
var escalations = map[assistant.Kind]string{
	assistant.KindNotSure: "not_sure",
	assistant.KindAskBack: "ask_back",
	assistant.KindHuman:   "asked",
}

// onQuestion hands a text message to the core and sends its reply.
func (c *Conversation) onQuestion(ctx context.Context, t *turn) {
	if c.toHandoff(ctx, t) {
		return
	}
	r, err := t.ans.Answerer.Answer(ctx, assistant.Question{Text: t.text, Preferred: t.lang})
	switch {
	case err != nil && r.Kind == "":
		c.metrics.Answer("error", t.lang, "")
		c.log.Error("the core could not answer", "chat_id", t.chatID, "err", err)
		c.reply(ctx, t, t.ans.t(t.lang, "Error"), nil)
		return
	case err != nil:
		// The answer is there, something around it failed (recording the
		// unanswered question): the user still gets the answer.
		c.log.Error("the core answered with an error", "chat_id", t.chatID, "kind", r.Kind, "err", err)
	}
	c.metrics.Answer(string(r.Kind), r.Lang, escalations[r.Kind])
	if r.Kind == assistant.KindEmergency {
		c.metrics.Emergency(r.Lang)
		c.log.Info("emergency answered", "chat_id", t.chatID, "lang", r.Lang)
	}
	consent := c.consentOffered(t)
	handoffDays := 0 // the reply offers no handoff
	if consent && (r.Kind == assistant.KindNotSure || r.Kind == assistant.KindAskBack || r.Kind == assistant.KindHuman) && r.Contact != nil {
		handoffDays = c.opt.Retention.HandoffDays
	}
	// One call renders the text and the labels of its buttons.
	rp := t.ans.Renderer.Chat(r, reply.FormatHTML, handoffDays)
	kb := resultKeyboard(t.ans, r, rp.Labels, consent, c.notifyOffered(t))
	// Written in another language than the chat's choice: answered in that language,
	// with one tap to keep it.
	if t.chat.Lang != "" && r.Lang != t.chat.Lang && r.Kind != assistant.KindUnsupported && content.IsLanguage(r.Lang) {
		b := button("🌐 "+rp.Labels.Language, callbackData{kind: cbLang, lang: r.Lang})
		if kb == nil {
			kb = &models.InlineKeyboardMarkup{}
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{b})
	}
	c.reply(ctx, t, rp.Text, kb, r.Kind == assistant.KindEmergency)
}

// onCallback handles a button.
func (c *Conversation) onCallback(ctx context.Context, t *turn) {
	cb := t.cb
	d, ok := parseCallback(cb.Data)
	var topic *content.Topic
	if ok && (d.kind == cbTopic || d.kind == cbVote || d.kind == cbMore || d.kind == cbGerman) {
		// The topic may be gone since the button was sent.
		topic = t.ans.Corpus.Topic(d.topic)
		ok = topic != nil
	}
	if !ok {
		c.log.Info("stale or unknown button", "chat_id", t.chatID)
		c.answerCallback(ctx, t, t.ans.raw(t.lang, "StaleButton"))
		return
	}
	switch d.kind {
	case cbLang:
		if err := c.chats.setLang(ctx, t.chatID, d.lang); err != nil {
			c.log.Error("cannot store the language choice", "chat_id", t.chatID, "err", err)
			c.answerCallback(ctx, t, t.ans.raw(t.lang, "Error"))
			return
		}
		t.lang, t.chat.Lang = d.lang, d.lang
		c.answerCallback(ctx, t, "")
		c.reply(ctx, t, t.ans.t(d.lang, "LanguageChosen"), topicsKeyboard(t.ans.raw(d.lang, "ButtonTopics"), d.lang))
	case cbTopic:
		c.answerCallback(ctx, t, "")
		c.metrics.Answer("topic", d.lang, "")
		r := c.topicResult(t.ans, d.lang, topic)
		rp := t.ans.Renderer.Chat(r, reply.FormatHTML, 0)
		c.reply(ctx, t, rp.Text, resultKeyboard(t.ans, r, rp.Labels, false, false))
	case cbMore:
		c.answerCallback(ctx, t, "")
		r := c.topicResult(t.ans, d.lang, topic)
		c.reply(ctx, t, t.ans.Renderer.RenderFull(r, reply.FormatHTML), germanKeyboard(t.ans, d.lang, topic.ID))
	case cbGerman:
		c.answerCallback(ctx, t, "")
		c.metrics.Answer("german_card", d.lang, "")
		c.reply(ctx, t, t.ans.Renderer.GermanCard(d.lang, topic, reply.FormatHTML), nil)
	case cbVote:
		err := c.opt.Store.Vote(ctx, chat.Vote{ChatID: t.chatID, TopicID: topic.ID, Lang: d.lang, Helpful: d.helpful, At: c.now()})
		if err != nil {
			c.log.Error("cannot store a vote", "chat_id", t.chatID, "err", err)
		}
		id := "FeedbackThanks"
		if !d.helpful {
			id = "FeedbackSorry"
		}
		c.answerCallback(ctx, t, t.ans.raw(d.lang, id))
	case cbHuman:
		c.answerCallback(ctx, t, "")
		c.metrics.Escalation("button")
		r := assistant.Result{Kind: assistant.KindHuman, Lang: d.lang, Escalated: true}
		if ct := t.ans.Corpus.Contact(); ct != nil {
			r.Contact, _ = ct.Best(d.lang)
		}
		text, kb := c.contactReply(t, t.ans.Renderer.Render(r, reply.FormatHTML), d.lang)
		c.reply(ctx, t, text, kb)
	case cbConsent:
		c.onConsent(ctx, t, d)
	case cbNotify:
		c.onNotify(ctx, t, d)
	case cbPage:
		c.answerCallback(ctx, t, "")
		text, kb := c.topicsPage(t.ans, d.lang, d.page)
		if m := cb.Message.Message; m != nil {
			c.edit(ctx, t, m.ID, text, kb)
		} else {
			c.reply(ctx, t, text, kb)
		}
	}
}

// onOther handles what no other handler matched: unknown commands, media, edited
// messages, channel posts and membership changes.
func (c *Conversation) onOther(ctx context.Context, t *turn, u *models.Update) {
	switch t.kind {
	case "command":
		c.reply(ctx, t, t.ans.t(t.lang, "UnknownCommand")+"\n\n"+t.ans.t(t.lang, "Help"), nil)
	case "media":
		c.reply(ctx, t, t.ans.t(t.lang, "OnlyText"), nil)
	case "edited":
		c.reply(ctx, t, t.ans.t(t.lang, "EditedMessage"), nil)
	case "channel_post":
		c.reply(ctx, t, t.ans.t(t.lang, "ChannelPost"), nil)
	case "member":
		c.memberChanged(ctx, u.MyChatMember)
	}
}

// memberChanged follows the bot's membership: a user who blocks the bot (or a group
// that removes it) gets nothing more until they write again.
func (c *Conversation) memberChanged(ctx context.Context, m *models.ChatMemberUpdated) {
	var active bool
	switch m.NewChatMember.Type {
	case models.ChatMemberTypeBanned, models.ChatMemberTypeLeft:
		active = false
	case models.ChatMemberTypeMember, models.ChatMemberTypeAdministrator, models.ChatMemberTypeOwner:
		active = true
	default:
		return
	}
	if err := c.chats.setActive(ctx, m.Chat.ID, active); err != nil {
		c.log.Error("cannot store chat status", "chat_id", m.Chat.ID, "err", err)
	}
	c.log.Info("bot membership changed", "chat_id", m.Chat.ID, "active", active)
}

// topicResult presents a topic as the core would answer with it.
func (c *Conversation) topicResult(k Answering, lang string, topic *content.Topic) assistant.Result {
	return assistant.TopicResult(k.Corpus, lang, topic)
}

// resultKeyboard is the keyboard under a reply of the core: feedback, the way to a
// person and related topics under an answer; suggestions under "not sure". With
// consent, "not sure" and a request for a person offer to send the question to the
// city team (the reply shows the contact card already); with tell, "not sure" and
// asking back about a recorded question offer to be told once when it has an
// answer. The labels are the reply's (reply.Renderer.Chat).
func resultKeyboard(k Answering, r assistant.Result, l reply.Labels, consent, tell bool) *models.InlineKeyboardMarkup {
	lang := r.Lang
	var rows [][]models.InlineKeyboardButton
	topicRows := func() {
		for _, a := range r.Alternatives {
			d := callbackData{kind: cbTopic, lang: lang, topic: a.TopicID}
			if d.fits() && len(rows) < 6 {
				rows = append(rows, []models.InlineKeyboardButton{button(a.Title, d)})
			}
		}
	}
	switch r.Kind {
	case assistant.KindAnswer:
		id := r.Topic.ID
		// The short answer first: the whole text one tap away, and a card in German
		// to show at the office.
		var more []models.InlineKeyboardButton
		if m := (callbackData{kind: cbMore, lang: lang, topic: id}); r.Text != nil && r.Text.Short != "" && m.fits() {
			more = append(more, button(l.More, m))
		}
		if g := (callbackData{kind: cbGerman, lang: lang, topic: id}); lang != content.SourceLang && g.fits() && r.Topic.In(content.SourceLang) != nil {
			more = append(more, button(l.ShowGerman, g))
		}
		if len(more) > 0 {
			rows = append(rows, more)
		}
		up, down := callbackData{kind: cbVote, lang: lang, helpful: true, topic: id}, callbackData{kind: cbVote, lang: lang, topic: id}
		if up.fits() && down.fits() {
			rows = append(rows, []models.InlineKeyboardButton{button(l.Helpful, up), button(l.NotHelpful, down)})
		}
		person := callbackData{kind: cbHuman, lang: lang, topic: id}
		if !person.fits() {
			person.topic = ""
		}
		if r.Topic.Contact {
			// The answer is the contact already.
		} else {
			rows = append(rows, []models.InlineKeyboardButton{button(l.Person, person)})
		}
		// A translation older than the German text: one tap shows the German one.
		if src := (callbackData{kind: cbTopic, lang: content.SourceLang, topic: id}); r.Stale && src.fits() {
			rows = append(rows, []models.InlineKeyboardButton{button("📄 "+l.SourceLanguage, src)})
		}
		topicRows()
	case assistant.KindNotSure, assistant.KindAskBack:
		topicRows()
		// Before the handoff's button: a separate consent, and the handoff's stays
		// the last button, next to the consent line.
		if n := (callbackData{kind: cbNotify, lang: lang, ref: r.Ref}); tell && r.Ref != "" && l.Notify != "" && n.fits() {
			rows = append(rows, []models.InlineKeyboardButton{notifyButton(l.Notify, lang, r.Ref)})
		}
		if consent && r.Contact != nil {
			rows = append(rows, []models.InlineKeyboardButton{consentButton(l.Handoff, lang, r.Ref)})
		} else {
			rows = append(rows, []models.InlineKeyboardButton{button(l.Person, callbackData{kind: cbHuman, lang: lang})})
		}
	case assistant.KindHuman:
		if consent && r.Contact != nil {
			rows = append(rows, []models.InlineKeyboardButton{consentButton(l.Handoff, lang, "")})
		}
	case assistant.KindGreeting, assistant.KindThanks, assistant.KindEmpty:
		return topicsKeyboard(l.Topics, lang)
	case assistant.KindUnsupported:
		return languageKeyboard(k)
	}
	if len(rows) == 0 {
		return nil
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// germanKeyboard is the "Show in German" button under a topic's whole text.
func germanKeyboard(k Answering, lang, id string) *models.InlineKeyboardMarkup {
	g := callbackData{kind: cbGerman, lang: lang, topic: id}
	if lang == content.SourceLang || !g.fits() {
		return nil
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{button(k.raw(lang, "ButtonShowGerman"), g)}}}
}

// topicsKeyboard is one button, labelled label, that opens the topic list in lang.
func topicsKeyboard(label, lang string) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
		{button(label, callbackData{kind: cbPage, lang: lang})},
	}}
}

// languageKeyboard is the language picker: each language under its own name.
func languageKeyboard(k Answering) *models.InlineKeyboardMarkup {
	var rows [][]models.InlineKeyboardButton
	var row []models.InlineKeyboardButton
	for _, l := range content.Languages {
		row = append(row, button(k.raw(l, "NativeName_"+l), callbackData{kind: cbLang, lang: l}))
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// topicsPerPage is how many topics one page of /topics shows.
const topicsPerPage = 8

// topicsPage is page (from 0) of the topic list in lang; a page past the end shows
// the last one.
func (c *Conversation) topicsPage(k Answering, lang string, page int) (string, *models.InlineKeyboardMarkup) {
	ids := c.topicOrder(k, lang)
	pages := max(1, (len(ids)+topicsPerPage-1)/topicsPerPage)
	page = min(max(page, 0), pages-1)
	var rows [][]models.InlineKeyboardButton
	for _, id := range ids[page*topicsPerPage : min(len(ids), (page+1)*topicsPerPage)] {
		tr, _ := k.Corpus.Topic(id).Best(lang)
		d := callbackData{kind: cbTopic, lang: lang, topic: id}
		if d.fits() {
			rows = append(rows, []models.InlineKeyboardButton{button(tr.Title, d)})
		}
	}
	var nav []models.InlineKeyboardButton
	if page > 0 {
		nav = append(nav, button(k.raw(lang, "ButtonPrevious"), callbackData{kind: cbPage, lang: lang, page: page - 1}))
	}
	if page < pages-1 {
		nav = append(nav, button(k.raw(lang, "ButtonNext"), callbackData{kind: cbPage, lang: lang, page: page + 1}))
	}
	if nav != nil {
		rows = append(rows, nav)
	}
	text := k.tData(lang, "TopicsPage", map[string]any{"Page": page + 1, "Pages": pages})
	return text, &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// topicOrder returns the topic ids sorted by their titles in lang, the emergency
// topic first.
func (c *Conversation) topicOrder(k Answering, lang string) []string {
	key := topicKey{k.Corpus, lang}
	if v, ok := c.topics.Load(key); ok {
		return v.([]string)
	}
	ids := sortedTopics(k.Corpus, lang)
	c.topics.Store(key, ids)
	return ids
}

// topicKey keys the topic order by corpus: after a reload the new content gets its own.
type topicKey struct {
	corpus *content.Corpus
	lang   string
}

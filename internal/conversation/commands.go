package telegram

import (
	"context"
	"slices"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/oldenburg/ankommen/internal/content"
)

// commandList is the command menu in lang.
func commandList(k Core, lang string) []models.BotCommand {
	out := make([]models.BotCommand, 0, len(Commands))
	for _, name := range Commands {
		out = append(out, models.BotCommand{Command: name, Description: k.raw(lang, "Cmd_"+name)})
	}
	return out
}

// setCommands registers the command menu for every supported language, and in
// English for the others (as FromCode answers them).
func (c *Channel) setCommands(ctx context.Context) {
	k := c.opt.Core()
	set := func(lang, code string) {
		_, err := retry(ctx, c, "setMyCommands", func() (bool, error) {
			return c.bot.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: commandList(k, lang), LanguageCode: code})
		})
		if err != nil && ctx.Err() == nil {
			c.log.Warn("cannot register the command menu", "lang", lang, "err", err)
		}
	}
	set("en", "")
	for _, l := range content.Languages {
		set(l, l)
	}
}

// sortedTopics returns the topic ids of c sorted by title in lang, by that language's
// collation; the emergency topic comes first.
func sortedTopics(c *content.Corpus, lang string) []string {
	ids := slices.Clone(c.IDs)
	title := map[string]string{}
	for _, id := range ids {
		tr, _ := c.Topic(id).Best(lang)
		title[id] = tr.Title
	}
	col := collate.New(language.Make(lang), collate.IgnoreCase)
	slices.SortStableFunc(ids, func(a, b string) int {
		ea, eb := c.Topic(a).Emergency, c.Topic(b).Emergency
		switch {
		case ea && !eb:
			return -1
		case eb && !ea:
			return 1
		}
		return col.CompareString(title[a], title[b])
	})
	return ids
}

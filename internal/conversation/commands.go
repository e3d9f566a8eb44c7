package conversation

import (
	"slices"

	"github.com/go-telegram/bot/models"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/telegram"
)

// commandOrder are the bot's commands, in menu order. Each has a description message
// Cmd_<name> in the locale files.
var commandOrder = []string{"start", "help", "topics", "language", "contact", "privacy", "forget"}

// commandList is the command menu in lang.
func commandList(k Answering, lang string) []models.BotCommand {
	out := make([]models.BotCommand, 0, len(commandOrder))
	for _, name := range commandOrder {
		out = append(out, models.BotCommand{Command: name, Description: k.raw(lang, "Cmd_"+name)})
	}
	return out
}

// Menus are the command menus (telegram.Handler): in every supported language, and
// in English for the others (as fromCode answers them).
func (c *Conversation) Menus() []telegram.Menu {
	a := c.opt.Answering()
	menus := []telegram.Menu{{LanguageCode: "", Commands: commandList(a, "en")}}
	for _, l := range content.Languages {
		menus = append(menus, telegram.Menu{LanguageCode: l, Commands: commandList(a, l)})
	}
	return menus
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

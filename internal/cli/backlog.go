package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/nlu"
	"github.com/oldenburg/ankommen/internal/staffweb"
)

const backlogUsage = "backlog [--json|--csv] [--demand] [--days N] [--data DIR] [--content DIR]"

// runBacklog prints the open unanswered and handed-over questions grouped across
// languages, largest group first; with --demand, the work ranked by demand: topics
// by how often they were shown, missing and stale translations weighted by that,
// the groups by size and the needs staff put in the backlog.
func runBacklog(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "backlog", backlogUsage)
	data := dataFlag(fs, env)
	var dirs dirFlags
	dirs.register(fs, env)
	asJSON := fs.Bool("json", false, "print JSON")
	asCSV := fs.Bool("csv", false, "print CSV")
	demand := fs.Bool("demand", false, "print the work ranked by demand instead of the groups")
	days := fs.Int("days", handoff.DemandDays, "with --demand: count the topics shown in this many days up to today")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if !noArgs(env, "backlog", pos) {
		return ExitUsage
	}
	if *asJSON && *asCSV {
		fmt.Fprintln(env.Stderr, "backlog: choose one of --json and --csv")
		return ExitUsage
	}
	if *days < 1 {
		fmt.Fprintf(env.Stderr, "backlog: --days must be at least 1, not %d\n", *days)
		return ExitUsage
	}
	src, ok := dirs.sources(env, "backlog")
	if !ok {
		return ExitUsage
	}
	db, err := openDB(ctx, data, false)
	if err != nil {
		fmt.Fprintf(env.Stderr, "backlog: %v\n", err)
		return ExitFail
	}
	defer db.Close()
	corpus, _, err := content.Load(app.ContentFS(src.Content.Dir))
	if err != nil {
		fmt.Fprintf(env.Stderr, "backlog: %v\n", err)
		return ExitFail
	}
	// The topics are suggested as the bot would rank them now: with what staff taught.
	if ls, err := db.LearnedPhrasings(ctx); err == nil {
		handoff.MergeLearned(corpus, ls)
	}
	needs, issues := backlog.LoadNeeds(app.ContentFS(src.Content.Dir))
	if len(issues) > 0 {
		for _, i := range issues {
			i.File = inDir(src.Content, i.File)
			fmt.Fprintln(env.Stderr, i.String())
		}
		fmt.Fprintln(env.Stderr, "backlog: the needs lexicon has errors; fix them first")
		return ExitFail
	}
	svc := backlog.NewService(db, nil, env.now)
	groups, err := svc.Groups(ctx, backlog.NewGrouper(nlu.Build(corpus), needs, backlog.Options{}))
	if err != nil {
		fmt.Fprintf(env.Stderr, "backlog: %v\n", err)
		return ExitFail
	}
	if !*demand {
		switch {
		case *asJSON:
			err = groupsJSON(env.Stdout, groups)
		case *asCSV:
			err = groupsCSV(env.Stdout, groups)
		default:
			err = groupsText(env.Stdout, groups)
		}
	} else {
		local := env.now().In(handoff.Zone)
		today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, handoff.Zone)
		counts, err2 := db.TopicDemand(ctx, today.AddDate(0, 0, 1-*days))
		needs, err3 := db.Needs(ctx)
		if err := firstErr(err2, err3); err != nil {
			fmt.Fprintf(env.Stderr, "backlog: %v\n", err)
			return ExitFail
		}
		d := backlog.RankDemand(corpus, counts, groups, needs)
		switch {
		case *asJSON:
			err = demandJSON(env.Stdout, d)
		case *asCSV:
			err = demandCSV(env.Stdout, d)
		default:
			err = demandText(env.Stdout, d, *days)
		}
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "backlog: %v\n", err)
		return ExitFail
	}
	return ExitOK
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

type langJSON struct {
	Lang  string `json:"lang"`
	Count int    `json:"count"`
}

type questionJSON struct {
	Key  string    `json:"key"` // q<id> a question, h<id> a handoff
	Lang string    `json:"lang"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

type groupJSON struct {
	ID             string         `json:"id"`
	Size           int            `json:"size"`
	Languages      []langJSON     `json:"languages"`
	SuggestedTopic string         `json:"suggested_topic"`
	TopicScore     float64        `json:"topic_score"`
	Needs          []string       `json:"needs"`
	Questions      []questionJSON `json:"questions,omitempty"`
}

func langsJSON(ls []backlog.LangCount) []langJSON {
	out := make([]langJSON, 0, len(ls))
	for _, l := range ls {
		out = append(out, langJSON{l.Lang, l.N})
	}
	return out
}

func toGroupJSON(g backlog.Group, withQuestions bool) groupJSON {
	j := groupJSON{ID: g.ID, Size: g.Size(), Languages: langsJSON(g.Langs), SuggestedTopic: g.Topic,
		TopicScore: round3(g.TopicScore), Needs: g.Needs}
	if j.Needs == nil {
		j.Needs = []string{}
	}
	if withQuestions {
		for _, it := range g.Items {
			j.Questions = append(j.Questions, questionJSON{Key: it.Key(), Lang: it.Lang, At: it.At.UTC(), Text: it.Text})
		}
	}
	return j
}

func round3(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 3, 64), 64)
	return v
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// groupsJSON prints the groups as one JSON array, largest first.
func groupsJSON(w io.Writer, groups []backlog.Group) error {
	out := make([]groupJSON, 0, len(groups))
	for _, g := range groups {
		out = append(out, toGroupJSON(g, true))
	}
	return writeJSON(w, out)
}

func langsText(ls []backlog.LangCount) string {
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		parts = append(parts, l.Lang+":"+strconv.Itoa(l.N))
	}
	return strings.Join(parts, " ")
}

// csvWriter writes rows as the staff page's CSV downloads do: comma-separated, a
// cell quoted when it holds a comma, semicolon, quote, tab or line break (German
// spreadsheets split on semicolons), and formula characters defused, since the
// questions are what anyone typed.
type csvWriter struct {
	w   io.Writer
	err error
}

func newCSV(w io.Writer) *csvWriter { return &csvWriter{w: w} }

func (c *csvWriter) Write(row []string) {
	if c.err != nil {
		return
	}
	var b strings.Builder
	for i, cell := range row {
		if i > 0 {
			b.WriteByte(',')
		}
		cell = staffweb.CSVCell(cell)
		if cell != strings.TrimSpace(cell) || strings.ContainsAny(cell, ",;\"\t\r\n") {
			b.WriteString(`"` + strings.ReplaceAll(cell, `"`, `""`) + `"`)
		} else {
			b.WriteString(cell)
		}
	}
	b.WriteByte('\n')
	_, c.err = io.WriteString(c.w, b.String())
}

func (c *csvWriter) Error() error { return c.err }

// groupsCSV prints one row per question, with its group's columns.
func groupsCSV(w io.Writer, groups []backlog.Group) error {
	cw := newCSV(w)
	cw.Write([]string{"group", "size", "languages", "suggested_topic", "topic_score", "needs", "key", "lang", "at", "text"})
	for _, g := range groups {
		for _, it := range g.Items {
			cw.Write([]string{g.ID, strconv.Itoa(g.Size()), langsText(g.Langs), g.Topic, strconv.FormatFloat(g.TopicScore, 'f', 3, 64),
				strings.Join(g.Needs, " "), it.Key(), it.Lang, it.At.UTC().Format(time.RFC3339), it.Text})
		}
	}
	return cw.Error()
}

func groupsText(w io.Writer, groups []backlog.Group) error {
	if len(groups) == 0 {
		_, err := fmt.Fprintln(w, "no open questions")
		return err
	}
	for _, g := range groups {
		fmt.Fprintf(w, "%s  %d question(s)  %s  suggested topic: %s (%.2f)", g.ID, g.Size(), langsText(g.Langs), or(g.Topic, "–"), g.TopicScore)
		if len(g.Needs) > 0 {
			fmt.Fprintf(w, "  needs: %s", strings.Join(g.Needs, ", "))
		}
		fmt.Fprintln(w)
		for _, it := range g.Items {
			fmt.Fprintf(w, "  %s\t%s\t%s\n", it.Key(), it.Lang, it.Text)
		}
	}
	return nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

type demandJSONOut struct {
	Topics       []topicJSON       `json:"topics"`
	Translations []translationJSON `json:"translations"`
	Groups       []groupJSON       `json:"groups"`
	Needs        []needJSON        `json:"needs"`
}

type topicJSON struct {
	Topic     string     `json:"topic"`
	Shown     int        `json:"shown"`
	Languages []langJSON `json:"languages"`
}

type translationJSON struct {
	Topic  string  `json:"topic"`
	Lang   string  `json:"lang"`
	State  string  `json:"state"`
	Shown  int     `json:"shown"`
	Total  int     `json:"shown_all_languages"`
	Weight float64 `json:"weight"`
}

type needJSON struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	Asked     int        `json:"asked"`
	Languages []langJSON `json:"languages"`
	Created   time.Time  `json:"created"`
	By        string     `json:"by"`
}

func demandJSON(w io.Writer, d backlog.Demand) error {
	var out demandJSONOut
	for _, t := range d.Topics {
		out.Topics = append(out.Topics, topicJSON{t.TopicID, t.Total, langsJSON(t.Langs)})
	}
	for _, t := range d.Translations {
		out.Translations = append(out.Translations, translationJSON{t.TopicID, t.Lang, t.State, t.Shown, t.Total, round3(t.Weight)})
	}
	for _, g := range d.Groups {
		out.Groups = append(out.Groups, toGroupJSON(g, false))
	}
	for _, n := range d.Needs {
		out.Needs = append(out.Needs, needJSON{n.ID, n.Title, n.Asked, langsJSON(n.Langs), n.CreatedAt.UTC(), n.CreatedBy})
	}
	// Empty lists as [], not null: a script iterates without a check.
	if out.Topics == nil {
		out.Topics = []topicJSON{}
	}
	if out.Translations == nil {
		out.Translations = []translationJSON{}
	}
	if out.Groups == nil {
		out.Groups = []groupJSON{}
	}
	if out.Needs == nil {
		out.Needs = []needJSON{}
	}
	return writeJSON(w, out)
}

// demandCSV prints every ranked row in one table: kind is topic, translation,
// group or need; the columns a kind has no value for are empty.
func demandCSV(w io.Writer, d backlog.Demand) error {
	cw := newCSV(w)
	cw.Write([]string{"kind", "id", "lang", "state", "count", "weight", "languages", "title"})
	for _, t := range d.Topics {
		cw.Write([]string{"topic", t.TopicID, "", "", strconv.Itoa(t.Total), "", langsText(t.Langs), ""})
	}
	for _, t := range d.Translations {
		cw.Write([]string{"translation", t.TopicID, t.Lang, t.State, strconv.Itoa(t.Shown), strconv.FormatFloat(t.Weight, 'f', 1, 64), "", ""})
	}
	for _, g := range d.Groups {
		cw.Write([]string{"group", g.ID, "", "", strconv.Itoa(g.Size()), "", langsText(g.Langs), g.Topic})
	}
	for _, n := range d.Needs {
		cw.Write([]string{"need", strconv.FormatInt(n.ID, 10), "", "", strconv.Itoa(n.Asked), "", langsText(n.Langs), n.Title})
	}
	return cw.Error()
}

func demandText(w io.Writer, d backlog.Demand, days int) error {
	fmt.Fprintf(w, "Topics shown in the last %d days, most first:\n", days)
	for _, t := range d.Topics {
		fmt.Fprintf(w, "  %-28s %6d  %s\n", t.TopicID, t.Total, langsText(t.Langs))
	}
	fmt.Fprintln(w, "Translations to write or update, by demand:")
	for _, t := range d.Translations {
		fmt.Fprintf(w, "  %-28s %s  %-7s shown %d in %s, %d in all\n", t.TopicID, t.Lang, t.State, t.Shown, t.Lang, t.Total)
	}
	fmt.Fprintln(w, "Groups of open questions, largest first:")
	for _, g := range d.Groups {
		fmt.Fprintf(w, "  %s  %d  %s  %s\n", g.ID, g.Size(), langsText(g.Langs), or(g.Topic, "–"))
	}
	fmt.Fprintln(w, "Needs waiting for a topic:")
	for _, n := range d.Needs {
		fmt.Fprintf(w, "  %d  %s  asked %d (%s)\n", n.ID, n.Title, n.Asked, langsText(n.Langs))
	}
	return nil
}

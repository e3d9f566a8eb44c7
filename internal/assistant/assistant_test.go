package assistant_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/content/contenttest"
	"github.com/oldenburg/ankommen/internal/nlu"
	"github.com/oldenburg/ankommen/internal/search"
)

type recorder struct {
	mu  sync.Mutex
	got []assistant.Unanswered
}

func (r *recorder) RecordUnanswered(_ context.Context, u assistant.Unanswered) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, u)
	return nil
}

// shipped is the shipped content with its index and models, built once for all
// tests: building takes about a second, ten times that under the race detector.
var shipped struct {
	once   sync.Once
	c      *content.Corpus
	ix     *search.Index
	models *nlu.Models
	err    error
}

// newShipped returns an assistant on the shipped content with its own recorder.
func newShipped(t testing.TB) (*assistant.Assistant, *recorder) {
	t.Helper()
	shipped.once.Do(func() {
		shipped.c = contenttest.Shipped(t)
		shipped.ix, shipped.err = search.Build(shipped.c)
		shipped.models = nlu.Build(shipped.c)
		// The benchmarks time answers, not the training that finishes in the
		// background (the first answer would wait for it).
		<-shipped.models.Ready()
	})
	if shipped.err != nil {
		t.Fatal(shipped.err)
	}
	rec := &recorder{}
	return assistant.New(shipped.c, shipped.ix, shipped.models, rec), rec
}

func TestAnswer(t *testing.T) {
	a, rec := newShipped(t)
	tests := []struct {
		name      string
		q         assistant.Question
		kind      assistant.Kind
		topic     string
		lang      string
		confident bool
	}{
		{"german question", assistant.Question{Text: "Wo ist das Ausländerbüro?"}, assistant.KindAnswer, "", "de", true},
		{"english question", assistant.Question{Text: "Where can I learn German?"}, assistant.KindAnswer, "learning-german", "en", true},
		{"forced language", assistant.Question{Text: "Oldenburg-Pass", Lang: "en"}, assistant.KindAnswer, "oldenburg-pass", "en", true},
		{"compound", assistant.Question{Text: "Einbürgerungstest"}, assistant.KindAnswer, "naturalisation", "de", true},
		{"emergency de", assistant.Question{Text: "Hilfe, meine Mutter atmet nicht!"}, assistant.KindEmergency, "", "de", true},
		{"emergency en", assistant.Question{Text: "my friend is unconscious"}, assistant.KindEmergency, "", "en", true},
		{"emergency short", assistant.Question{Text: "Fire!", Preferred: "en"}, assistant.KindEmergency, "", "en", true},
		// Latin letters that read as English ("help") but matched Arabizi: the
		// reply is Arabic.
		{"emergency arabizi", assistant.Question{Text: "help, jari 3am yenzof ktir w el dam ma 3am ywa2ef"}, assistant.KindEmergency, "", "ar", true},
		// Arabizi with English office words: understood and answered in Arabic.
		{"arabizi with english words", assistant.Question{Text: "wen el Welcome Center bi Oldenburg w shu bya3mlo lal new arrivals?"}, "", "", "ar", false},
		{"greeting", assistant.Question{Text: "Hallo!"}, assistant.KindGreeting, "", "de", true},
		{"thanks", assistant.Question{Text: "thank you", Preferred: "en"}, assistant.KindThanks, "", "en", true},
		{"greeting with question", assistant.Question{Text: "Hallo, wo kann ich Deutsch lernen?"}, assistant.KindAnswer, "learning-german", "de", true},
		{"human", assistant.Question{Text: "I want to talk to a person"}, assistant.KindHuman, "", "en", false},
		{"out of scope", assistant.Question{Text: "Wie wird das Wetter morgen in Oldenburg?"}, assistant.KindNotSure, "", "de", false},
		{"nonsense", assistant.Question{Text: "asdf"}, assistant.KindNotSure, "", "de", false},
		{"punctuation", assistant.Question{Text: "???"}, assistant.KindNotSure, "", "de", false},
		{"digits", assistant.Question{Text: "1234567"}, assistant.KindNotSure, "", "de", false},
		{"emoji", assistant.Question{Text: "😀🙏👍"}, assistant.KindNotSure, "", "de", false},
		{"empty", assistant.Question{Text: "  \t\n "}, assistant.KindEmpty, "", "de", false},
		{"control characters", assistant.Question{Text: "\x00\x01\x02"}, assistant.KindEmpty, "", "de", false},
		{"unsupported language", assistant.Question{Text: "Bonjour, où se trouve le bureau des étrangers à Oldenburg?"}, assistant.KindUnsupported, "", "en", false},
		{"preferred language for no signal", assistant.Question{Text: "👍", Preferred: "tr"}, assistant.KindNotSure, "", "tr", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := a.Answer(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if tt.kind == "" { // only the language is of interest
				if r.Lang != tt.lang {
					t.Fatalf("lang=%s (kind %s), want %s", r.Lang, r.Kind, tt.lang)
				}
				return
			}
			if r.Kind != tt.kind || r.Confident != tt.confident || r.Lang != tt.lang {
				t.Fatalf("got kind=%s confident=%v lang=%s topic=%v score=%.3f coverage=%.2f; want kind=%s confident=%v lang=%s",
					r.Kind, r.Confident, r.Lang, r.Topic, r.Score, r.Coverage, tt.kind, tt.confident, tt.lang)
			}
			if tt.topic != "" && (r.Topic == nil || r.Topic.ID != tt.topic) {
				t.Errorf("topic = %v, want %s", r.Topic, tt.topic)
			}
			switch r.Kind {
			case assistant.KindAnswer:
				if r.Text == nil || r.Text.Body == "" || len(r.Text.Sources) == 0 {
					t.Errorf("answer without text or sources: %+v", r.Text)
				}
			case assistant.KindNotSure, assistant.KindHuman:
				if !r.Escalated || r.Contact == nil || !strings.Contains(r.Contact.Body, "235-3233") {
					t.Errorf("escalation without the officer's contact: %+v", r.Contact)
				}
			case assistant.KindEmergency:
				if r.Emergency == nil || !strings.Contains(r.Emergency.Body, "112") {
					t.Errorf("emergency without 112: %+v", r.Emergency)
				}
			}
			if len(r.Alternatives) > 3 {
				t.Errorf("%d alternatives, want at most 3", len(r.Alternatives))
			}
		})
	}
	// Every not-sure answer reached the unanswered queue, anonymous, with a reference
	// of its own for the user's consent button.
	rec.mu.Lock()
	defer rec.mu.Unlock()
	texts := map[string]bool{}
	refs := map[string]bool{}
	for _, u := range rec.got {
		texts[u.Text] = true
		if len(u.Ref) != 16 || refs[u.Ref] {
			t.Errorf("unanswered %q: reference %q missing or not unique", u.Text, u.Ref)
		}
		refs[u.Ref] = true
	}
	for _, q := range []string{"asdf", "Wie wird das Wetter morgen in Oldenburg?"} {
		if !texts[q] {
			t.Errorf("%q not recorded as unanswered (recorded: %v)", q, texts)
		}
	}
}

// TestShortEmergencyWords: "fire" is an emergency alone, not inside a question.
func TestShortEmergencyWords(t *testing.T) {
	a, _ := newShipped(t)
	for text, want := range map[string]bool{"Fire!": true, "fire fire": true, "Can my employer fire me?": false, "fire someone from a job": false} {
		r, err := a.Answer(context.Background(), assistant.Question{Text: text, Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Kind == assistant.KindEmergency; got != want {
			t.Errorf("%q: emergency=%v, want %v", text, got, want)
		}
	}
}

func TestAnswerLongInput(t *testing.T) {
	a, _ := newShipped(t)
	long := strings.Repeat("Wo ist das Ausländerbüro? ", 50000) // ~1.3 MB
	r, err := a.Answer(context.Background(), assistant.Question{Text: long})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Truncated || len(r.Question) > assistant.MaxQuestionBytes {
		t.Errorf("truncated=%v len=%d", r.Truncated, len(r.Question))
	}
	if r.Kind != assistant.KindAnswer {
		t.Errorf("kind = %s, want an answer from the first part", r.Kind)
	}
	r, err = a.Answer(context.Background(), assistant.Question{Text: "Wo ist \xff\xfe das Ausländerbüro?"})
	if err != nil || r.Kind != assistant.KindAnswer {
		t.Errorf("invalid UTF-8: kind=%s err=%v", r.Kind, err)
	}
}

// TestFallbackLanguage answers from another language when the topic lacks the
// user's one.
func TestFallbackLanguage(t *testing.T) {
	c := contenttest.Synthetic(5, 7)
	ix, err := search.Build(c)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	a := assistant.New(c, ix, nlu.Build(c), nil)
	title := c.Topic("t3").In("en").Title
	r, err := a.Answer(context.Background(), assistant.Question{Text: title, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Topic == nil || r.Topic.ID != "t3" || r.AnswerLang != "en" {
		t.Fatalf("got %v in %s", r.Topic, r.AnswerLang)
	}
	tr, own := r.Topic.Best("tr")
	if own || tr.Lang != "en" {
		t.Errorf("Best(tr) = %s, own=%v; want the English text", tr.Lang, own)
	}
	if !content.IsLanguage("fa") || content.IsLanguage("ku") {
		t.Error("language list")
	}
}

func BenchmarkAnswerShipped(b *testing.B) {
	a, _ := newShipped(b)
	qs := []string{"Wo ist das Ausländerbüro?", "How can I become a German citizen?", "Ich brauche einen Dolmetscher", "asdf", "Wie wird das Wetter?",
		"hallo, wir sind seit drei wochen mit den kindern hier und wohnen bei meinem bruder in kreyenbrück, wo muss ich mich anmelden und was brauch ich dafür",
		"privet, gde mozhno besplatno vyuchit nemeckij, ya tut nedavno", "mein nachbar atmet nicht mehr", "بدي اعرف وين مكتب الاجانب بأولدنبورغ وشو لازم جيب معي"}
	benchAnswer(b, a, qs, "")
}

// benchAnswer answers qs in turn and reports the median and 99th percentile besides
// the mean that ns/op gives.
func benchAnswer(b *testing.B, a *assistant.Assistant, qs []string, lang string) {
	ctx := context.Background()
	var durs []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := a.Answer(ctx, assistant.Question{Text: qs[i%len(qs)], Lang: lang}); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(start))
		i++
	}
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
}

func BenchmarkAnswer10k(b *testing.B) {
	c := contenttest.Synthetic(10000, 1)
	ix, err := search.Build(c)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	m := nlu.Build(c)
	<-m.Ready() // the answers, not the training in the background
	a := assistant.New(c, ix, m, nil)
	var qs []string
	for i := 0; i < 50; i++ {
		t := c.Topic(c.IDs[i*197%len(c.IDs)])
		qs = append(qs, t.In("de").Questions[0])
	}
	benchAnswer(b, a, qs, "de")
}

type failingRecorder struct{}

func (failingRecorder) RecordUnanswered(context.Context, assistant.Unanswered) error {
	return context.DeadlineExceeded
}

// TestRecorderFailure: the user still gets the reply when recording fails.
func TestRecorderFailure(t *testing.T) {
	newShipped(t)
	a := assistant.New(shipped.c, shipped.ix, shipped.models, failingRecorder{})
	r, err := a.Answer(context.Background(), assistant.Question{Text: "asdf qwertz"})
	if err != nil || r.Kind != assistant.KindNotSure || r.Contact == nil {
		t.Errorf("kind=%s contact=%v err=%v", r.Kind, r.Contact != nil, err)
	}
	if !a.IsEmergency("Mein Haus brennt") || a.IsEmergency("Wo ist das Ausländerbüro?") {
		t.Error("IsEmergency")
	}
}

// TestRecordedAnonymousAndMasked: an unanswered question is recorded with phone
// numbers and e-mail addresses masked, and the Result carries its reference; a
// failed recording leaves no reference to offer.
func TestRecordedAnonymousAndMasked(t *testing.T) {
	a, rec := newShipped(t)
	r, err := a.Answer(context.Background(), assistant.Question{Text: "xylophone quantum zebra, call me on 0176 1234567 or write to anna.k@example.org", Lang: "en"})
	if err != nil || r.Kind != assistant.KindNotSure {
		t.Fatalf("kind=%s err=%v", r.Kind, err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.got) != 1 {
		t.Fatalf("recorded %d questions", len(rec.got))
	}
	u := rec.got[0]
	if u.Text != "xylophone quantum zebra, call me on [phone] or write to [e-mail]" {
		t.Errorf("recorded text %q", u.Text)
	}
	if r.Question == u.Text {
		t.Error("the user's own question was masked too; only the stored copy should be")
	}
	if r.Ref == "" || r.Ref != u.Ref {
		t.Errorf("Result.Ref %q, recorded %q", r.Ref, u.Ref)
	}

	failed, err := assistant.New(shipped.c, shipped.ix, shipped.models, failingRecorder{}).Answer(context.Background(), assistant.Question{Text: "asdf qwertz"})
	if err != nil || failed.Ref != "" {
		t.Errorf("ref after a failed recording: %q, %v", failed.Ref, err)
	}
}

type tally struct {
	mu     sync.Mutex
	kinds  []assistant.Kind
	topics []string // lang:topic
}

func (t *tally) CountTopic(_ context.Context, _ time.Time, lang, topicID string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.topics = append(t.topics, lang+":"+topicID)
	return nil
}

func (t *tally) CountAnswer(_ context.Context, _ time.Time, lang string, k assistant.Kind) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.kinds = append(t.kinds, k)
	return nil
}

// TestTallyAndTryOut: answers are counted by kind, and confident answers by topic
// in the user's language; WithoutRecording neither records nor counts.
func TestTallyAndTryOut(t *testing.T) {
	a, rec := newShipped(t)
	tl := &tally{}
	a = a.WithTally(tl)
	var answered []string
	for _, q := range []string{"Wo ist das Ausländerbüro?", "asdf", "Feuer!"} {
		r, err := a.Answer(context.Background(), assistant.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind == assistant.KindAnswer {
			answered = append(answered, r.Lang+":"+r.Topic.ID)
		}
	}
	if want := []assistant.Kind{assistant.KindAnswer, assistant.KindNotSure, assistant.KindEmergency}; !slices.Equal(tl.kinds, want) {
		t.Errorf("counted %v, want %v", tl.kinds, want)
	}
	if len(answered) != 1 || !slices.Equal(tl.topics, answered) {
		t.Errorf("topics counted %v, want %v", tl.topics, answered)
	}
	try := a.WithoutRecording()
	if r, _ := try.Answer(context.Background(), assistant.Question{Text: "qwertz uiop"}); r.Kind != assistant.KindNotSure || r.Ref != "" {
		t.Errorf("try: kind %s ref %q", r.Kind, r.Ref)
	}
	if len(rec.got) != 1 || len(tl.kinds) != 3 || len(tl.topics) != 1 {
		t.Errorf("try-out recorded (%d) or counted (%d, %d topics)", len(rec.got), len(tl.kinds), len(tl.topics))
	}
}

// TestPriceQuestions: a question about a price is answered only by a topic that
// names one. The Kita topic names no fee: a Kita fee question is never answered, the
// Kita topic is offered, and the question goes to staff; where the model alone would
// answer, the rule turns the answer into an ask-back. The Oldenburg-Pass topic names
// its price: answered.
func TestPriceQuestions(t *testing.T) {
	a, rec := newShipped(t)
	for _, tt := range []struct {
		q        string
		topic    string
		answered bool
		// modelSure: the model alone is sure enough to answer; the rule asks back.
		modelSure bool
	}{
		{"Was kostet ein Kita-Platz im Monat?", "kita", false, true},
		{"how much are the kita fees for a two year old", "kita", false, false},
		{"Сколько стоит детский сад в Ольденбурге?", "kita", false, false},
		{"Wie viel kostet der Oldenburg-Pass?", "oldenburg-pass", true, false},
		{"how much does the Oldenburg-Pass cost for a child", "oldenburg-pass", true, false},
		// No price asked: the Kita topic answers.
		{"Wo bekomme ich einen Kita-Platz für mein Kind?", "kita", true, false},
		// The Jobcenter and Kindergeld topics name national rates of one year
		// (general_amounts): an amount asked is asked back, the rest answered.
		{"Wie viel Bürgergeld bekommt ein Ehepaar ohne Kinder?", "jobcenter", false, true},
		{"how much child benefit will we receive for three kids", "kindergeld", false, true},
		{"Где подать заявление на Bürgergeld?", "jobcenter", true, false},
	} {
		r, err := a.Answer(context.Background(), assistant.Question{Text: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		if r.Best != tt.topic || (r.Kind == assistant.KindAnswer) != tt.answered {
			t.Errorf("%q: kind=%s best=%s unpriced=%v p=%.2f, want best=%s answered=%v", tt.q, r.Kind, r.Best, r.Unpriced, r.Probability, tt.topic, tt.answered)
			continue
		}
		if tt.answered {
			continue
		}
		if !r.Unpriced || !r.Escalated || len(r.Alternatives) == 0 || r.Alternatives[0].TopicID != tt.topic {
			t.Errorf("%q: unpriced=%v escalated=%v, want both and %s as the first button: %+v", tt.q, r.Unpriced, r.Escalated, tt.topic, r.Alternatives)
		}
		if tt.modelSure && (r.Kind != assistant.KindAskBack || r.Probability < assistant.DefaultCalibration.Answer) {
			t.Errorf("%q: kind=%s p=%.2f, want an ask-back at p >= %.2f", tt.q, r.Kind, r.Probability, assistant.DefaultCalibration.Answer)
		}
	}
	// Questions of time and of how many people ask no price (not_price).
	for _, q := range []string{
		"how much time do we get to register the kids at school?",
		"сколько дней дают на запись в школу?",
		"wie hoch ist die Wartezeit beim Ausländerbüro?",
		"сколько людей получают убежище в Ольденбурге?",
	} {
		r, err := a.WithoutRecording().Answer(context.Background(), assistant.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if r.Unpriced {
			t.Errorf("%q: taken for a price question (best %s)", q, r.Best)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.got) != 5 {
		t.Errorf("%d questions recorded for staff, want the 5 price questions", len(rec.got))
	}
}

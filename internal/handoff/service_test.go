package handoff

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeStore is a hand-written Store for the service's tests: it keeps one handoff
// and one question in memory and records what the service wrote. The methods the
// service does not use come from the nil Store it embeds.
type fakeStore struct {
	Store
	mu        sync.Mutex
	handoff   Handoff
	open      bool
	question  Question
	lastMsg   int64 // the thread's last message id
	nextMsg   int64
	delivery  map[int64]Delivery
	statuses  []Status
	learned   []Learned
	closedBy  string
	failWrite error // when set, every write fails with it
}

func newFakeStore() *fakeStore {
	return &fakeStore{
		handoff:  Handoff{ID: 1, ChatID: 42, Lang: "en", Text: "Where is the office?"},
		open:     true,
		question: Question{ID: 7, Lang: "de", Text: "Wo ist das Amt?"},
		lastMsg:  10, nextMsg: 11,
		delivery: map[int64]Delivery{},
	}
}

func (s *fakeStore) Handoff(_ context.Context, id int64) (Handoff, []Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != s.handoff.ID {
		return Handoff{}, nil, ErrNotFound
	}
	return s.handoff, nil, nil
}

func (s *fakeStore) AddStaffReply(_ context.Context, id, afterID int64, staff, text string, at time.Time) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.failWrite != nil:
		return Message{}, s.failWrite
	case id != s.handoff.ID:
		return Message{}, ErrNotFound
	case !s.open:
		return Message{}, ErrClosed
	case afterID != s.lastMsg:
		return Message{}, ErrConflict
	}
	m := Message{ID: s.nextMsg, Text: text, Delivery: DeliveryPending}
	s.lastMsg, s.nextMsg = s.nextMsg, s.nextMsg+1
	return m, nil
}

func (s *fakeStore) SetDelivery(_ context.Context, id int64, d Delivery, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delivery[id] = d
	return nil
}

func (s *fakeStore) Question(_ context.Context, id int64) (Question, error) {
	if id != s.question.ID {
		return Question{}, ErrNotFound
	}
	return s.question, nil
}

func (s *fakeStore) SetQuestionStatus(_ context.Context, _ int64, st Status, _, _ string, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses = append(s.statuses, st)
	return nil
}

func (s *fakeStore) CloseHandoff(_ context.Context, id int64, _ Status, by string, _ time.Time) (Handoff, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case id != s.handoff.ID:
		return Handoff{}, ErrNotFound
	case !s.open:
		return Handoff{}, ErrClosed
	}
	s.open, s.closedBy = false, by
	return s.handoff, nil
}

func (s *fakeStore) Learn(_ context.Context, l Learned) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.learned = append(s.learned, l)
	return nil
}

// fakeNotifier answers Deliver with result, at once or, with hold, never.
type fakeNotifier struct {
	mu        sync.Mutex
	result    error
	hold      bool
	delivered []string
	closed    []int64
}

func (n *fakeNotifier) Deliver(_ Handoff, text string, done func(error)) {
	n.mu.Lock()
	n.delivered = append(n.delivered, text)
	res, hold := n.result, n.hold
	n.mu.Unlock()
	if !hold {
		done(res)
	}
}

func (n *fakeNotifier) Closed(h Handoff) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = append(n.closed, h.ID)
}

// TestServiceReply: a staff reply is checked, stored and delivered; its delivery
// state says what Telegram answered.
func TestServiceReply(t *testing.T) {
	tests := []struct {
		name     string
		id       int64
		after    int64
		text     string
		notifier *fakeNotifier // nil: no channel
		closed   bool
		want     error    // errors.Is
		delivery Delivery // when no error
		sent     bool     // the notifier got the text
	}{
		{name: "delivered", id: 1, after: 10, text: "  The office is at Pferdemarkt 14. ", notifier: &fakeNotifier{}, delivery: DeliverySent, sent: true},
		{name: "the user blocked the bot", id: 1, after: 10, text: "Hello?", notifier: &fakeNotifier{result: ErrBlocked}, delivery: DeliveryBlocked, sent: true},
		{name: "Telegram fails", id: 1, after: 10, text: "Hello?", notifier: &fakeNotifier{result: ErrUndelivered}, delivery: DeliveryFailed, sent: true},
		{name: "Telegram does not answer in time", id: 1, after: 10, text: "Hello?", notifier: &fakeNotifier{hold: true}, delivery: DeliveryPending, sent: true},
		{name: "no channel", id: 1, after: 10, text: "Hello?", delivery: DeliveryFailed},
		{name: "empty", id: 1, after: 10, text: " \n ", notifier: &fakeNotifier{}, want: ErrInvalid},
		{name: "too long", id: 1, after: 10, text: strings.Repeat("x", MaxReply+1), notifier: &fakeNotifier{}, want: ErrInvalid},
		{name: "the thread changed", id: 1, after: 9, text: "Hello?", notifier: &fakeNotifier{}, want: ErrConflict},
		{name: "closed", id: 1, after: 10, text: "Hello?", notifier: &fakeNotifier{}, closed: true, want: ErrClosed},
		{name: "no such handoff", id: 2, after: 10, text: "Hello?", notifier: &fakeNotifier{}, want: ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newFakeStore()
			st.open = !tc.closed
			o := Options{Store: st, DeliveryWait: 20 * time.Millisecond}
			if tc.notifier != nil {
				o.Notifier = tc.notifier
			}
			m, err := NewService(o).Reply(context.Background(), tc.id, tc.after, "anna", tc.text)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("error %v, want %v", err, tc.want)
				}
				if tc.notifier != nil && len(tc.notifier.delivered) > 0 {
					t.Error("a refused reply was sent")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Delivery != tc.delivery {
				t.Errorf("delivery %q, want %q", m.Delivery, tc.delivery)
			}
			if tc.delivery != DeliveryPending && st.delivery[m.ID] != tc.delivery {
				t.Errorf("stored delivery %q, want %q", st.delivery[m.ID], tc.delivery)
			}
			if tc.sent && (len(tc.notifier.delivered) != 1 || tc.notifier.delivered[0] != strings.TrimSpace(tc.text)) {
				t.Errorf("delivered %q", tc.notifier.delivered)
			}
		})
	}
}

// TestServiceClose: closing tells the user of a handoff; a question is only marked.
func TestServiceClose(t *testing.T) {
	tests := []struct {
		name   string
		kind   Kind
		id     int64
		status Status
		want   error
		told   bool
	}{
		{"a handoff", KindHandoff, 1, StatusClosed, nil, true},
		{"a handoff as spam", KindHandoff, 1, StatusSpam, nil, true},
		{"a question", KindQuestion, 7, StatusClosed, nil, false},
		{"an unknown question", KindQuestion, 8, StatusClosed, ErrNotFound, false},
		{"a wrong status", KindHandoff, 1, StatusOpen, ErrInvalid, false},
		{"a wrong kind", Kind("x"), 1, StatusClosed, ErrInvalid, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, n := newFakeStore(), &fakeNotifier{}
			err := NewService(Options{Store: st, Notifier: n}).Close(context.Background(), tc.kind, tc.id, tc.status, "anna")
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if told := len(n.closed) == 1; told != tc.told {
				t.Errorf("user told: %v, want %v", told, tc.told)
			}
			if tc.kind == KindQuestion && tc.want == nil && (len(st.statuses) != 1 || st.statuses[0] != tc.status) {
				t.Errorf("question statuses %v", st.statuses)
			}
		})
	}
}

// TestServiceLearn: a question's or a handoff's text becomes a phrasing of the
// topic, and the answering core is rebuilt.
func TestServiceLearn(t *testing.T) {
	tests := []struct {
		name     string
		kind     Kind
		id       int64
		topic    string
		want     error
		phrasing string
	}{
		{"a question", KindQuestion, 7, "immigration-office", nil, "Wo ist das Amt?"},
		{"a handoff", KindHandoff, 1, "immigration-office", nil, "Where is the office?"},
		{"an unknown topic", KindQuestion, 7, "nope", ErrInvalid, ""},
		{"an unknown question", KindQuestion, 9, "immigration-office", ErrNotFound, ""},
		{"a wrong kind", Kind("x"), 7, "immigration-office", ErrInvalid, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newFakeStore()
			rebuilt := 0
			svc := NewService(Options{Store: st, TopicExists: func(id string) bool { return id == "immigration-office" },
				OnLearned: func() { rebuilt++ }})
			err := svc.Learn(context.Background(), tc.kind, tc.id, tc.topic, "anna")
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				if len(st.learned) != 0 || rebuilt != 0 {
					t.Errorf("learned %v, rebuilt %d after an error", st.learned, rebuilt)
				}
				return
			}
			if len(st.learned) != 1 || st.learned[0].Text != tc.phrasing || st.learned[0].TopicID != tc.topic || rebuilt != 1 {
				t.Errorf("learned %+v, rebuilt %d", st.learned, rebuilt)
			}
			if marked := len(st.statuses) == 1 && st.statuses[0] == StatusLearned; marked != (tc.kind == KindQuestion) {
				t.Errorf("question statuses %v", st.statuses)
			}
		})
	}
	st := newFakeStore()
	st.question.Text = "  "
	if err := NewService(Options{Store: st}).Learn(context.Background(), KindQuestion, 7, "x", "anna"); !errors.Is(err, ErrInvalid) {
		t.Errorf("an empty question learned: %v", err)
	}
}

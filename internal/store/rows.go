package store

import (
	"time"

	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/notify"
)

// Scanner is one result row: database/sql's *sql.Row and *sql.Rows and pgx's Row
// and Rows all are, so the stores scan a row of the same columns with one function.
type Scanner interface {
	Scan(dest ...any) error
}

// Rows are the results of a query, row by row: *sql.Rows and pgx.Rows both are.
type Rows interface {
	Scanner
	Next() bool
	Err() error
}

// Collect scans every row of rows with scan.
func Collect[T any](rows Rows, scan func(Scanner) (T, error)) ([]T, error) {
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// NeedColumns are the columns of table need that ScanNeed reads, in its order.
const NeedColumns = "id, title, asked, langs, created_at, created_by"

// ScanNeed reads a row of NeedColumns.
func ScanNeed(r Scanner) (backlog.Need, error) {
	var n backlog.Need
	var langs string
	var at int64
	if err := r.Scan(&n.ID, &n.Title, &n.Asked, &langs, &at, &n.CreatedBy); err != nil {
		return backlog.Need{}, err
	}
	n.Langs, n.CreatedAt = backlog.ParseLangs(langs), time.UnixMilli(at)
	return n, nil
}

// SubscriptionColumns are the columns ScanSubscription reads, in its order, from
// notify n joined with the question, unanswered u.
const SubscriptionColumns = "n.question_id, n.chat_id, n.lang, u.text, u.at"

// ScanSubscription reads a row of SubscriptionColumns.
func ScanSubscription(r Scanner) (notify.Subscription, error) {
	var s notify.Subscription
	var asked int64
	if err := r.Scan(&s.QuestionID, &s.ChatID, &s.Lang, &s.Text, &asked); err != nil {
		return notify.Subscription{}, err
	}
	s.Asked = time.UnixMilli(asked)
	return s, nil
}

package store

import (
	"context"
	"fmt"
	"strings"
)

// Kind is how a column's values travel between databases: SQLite keeps booleans as
// integers and PostgreSQL as booleans; every other kind is the same in both.
type Kind int

const (
	Int   Kind = iota // int64
	Text              // string
	Bytes             // []byte
	Bool              // bool
)

// Column is a column of a table.
type Column struct {
	Name string
	Kind Kind
}

// Table is a table every store keeps, with the same name and columns in both
// databases (see the migrations of package sqlite and package postgres).
type Table struct {
	Name string
	// Key is the number of leading columns that form the primary key.
	Key     int
	Columns []Column
	// Serial: the first column is an id the database assigns (a sequence in
	// PostgreSQL), to be set past the largest id after a copy.
	Serial bool
}

// ColumnNames returns the table's column names joined with ", ".
func (t Table) ColumnNames() string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// KeyOf returns the key of row as a string, the same for equal keys from either
// database.
func (t Table) KeyOf(row []any) string {
	return fmt.Sprintf("%#v", row[:t.Key])
}

// Normalize converts the values a database driver read into the kinds of the
// table's columns (int64, string, []byte, bool or nil), so that rows from SQLite
// and PostgreSQL compare equal and write into either.
func (t Table) Normalize(row []any) ([]any, error) {
	out := make([]any, len(row))
	for i, v := range row {
		if v == nil {
			continue
		}
		c := t.Columns[i]
		var ok bool
		switch c.Kind {
		case Int:
			switch n := v.(type) {
			case int64:
				out[i], ok = n, true
			case int32:
				out[i], ok = int64(n), true
			case int:
				out[i], ok = int64(n), true
			}
		case Text:
			switch s := v.(type) {
			case string:
				out[i], ok = s, true
			case []byte:
				out[i], ok = string(s), true
			}
		case Bytes:
			switch b := v.(type) {
			case []byte:
				out[i], ok = append([]byte{}, b...), true
			case string:
				out[i], ok = []byte(b), true
			}
		case Bool:
			switch b := v.(type) {
			case bool:
				out[i], ok = b, true
			case int64:
				out[i], ok = b != 0, true
			}
		}
		if !ok {
			return nil, fmt.Errorf("%s.%s: unexpected value %v (%T)", t.Name, c.Name, v, v)
		}
	}
	return out, nil
}

// Schema lists the tables of the state in an order in which every table comes
// after the tables it refers to. A migration that adds a table or column adds it
// here too (the stores' tests check that the list is complete).
var Schema = []Table{
	{Name: "chat", Key: 1, Columns: cols("id", Int, "lang", Text, "active", Bool, "created_at", Int, "updated_at", Int, "consent_at", Int)},
	{Name: "inbox", Key: 1, Columns: cols("update_id", Int, "chat_id", Int, "payload", Bytes, "received_at", Int, "done_at", Int)},
	{Name: "setting", Key: 1, Columns: cols("key", Text, "value", Int)},
	{Name: "sent", Key: 2, Columns: cols("update_id", Int, "seq", Int)},
	{Name: "vote", Key: 1, Serial: true, Columns: cols("id", Int, "chat_id", Int, "topic_id", Text, "lang", Text, "helpful", Bool, "at", Int)},
	{Name: "need", Key: 1, Serial: true, Columns: cols("id", Int, "title", Text, "asked", Int, "langs", Text, "created_at", Int, "created_by", Text,
		"done_at", Int, "done_by", Text)},
	{Name: "unanswered", Key: 1, Serial: true, Columns: cols("id", Int, "at", Int, "lang", Text, "text", Text, "chat_id", Int, "candidates", Text,
		"ref", Text, "status", Text, "topic_id", Text, "handled_at", Int, "handled_by", Text, "need_id", Int)},
	{Name: "handoff", Key: 1, Serial: true, Columns: cols("id", Int, "chat_id", Int, "lang", Text, "question_id", Int, "text", Text, "candidates", Text,
		"status", Text, "opened_at", Int, "updated_at", Int, "closed_at", Int, "closed_by", Text)},
	{Name: "handoff_message", Key: 1, Serial: true, Columns: cols("id", Int, "handoff_id", Int, "at", Int, "author", Text, "staff_name", Text, "text", Text,
		"delivery", Text, "delivered_at", Int, "tg_message_id", Int)},
	{Name: "learned", Key: 1, Serial: true, Columns: cols("id", Int, "topic_id", Text, "lang", Text, "text", Text, "created_at", Int, "created_by", Text, "exported_at", Int)},
	{Name: "answer_count", Key: 3, Columns: cols("day", Text, "lang", Text, "kind", Text, "n", Int)},
	{Name: "topic_count", Key: 3, Columns: cols("day", Text, "topic_id", Text, "lang", Text, "n", Int)},
	{Name: "staff", Key: 1, Serial: true, Columns: cols("id", Int, "name", Text, "password_hash", Bytes, "created_at", Int, "last_login_at", Int)},
	{Name: "staff_session", Key: 1, Columns: cols("token_hash", Text, "staff_id", Int, "csrf", Text, "created_at", Int, "expires_at", Int)},
	{Name: "login_attempt", Key: 1, Serial: true, Columns: cols("id", Int, "key", Text, "at", Int)},
	{Name: "notify", Key: 1, Columns: cols("question_id", Int, "chat_id", Int, "lang", Text, "created_at", Int, "notified_at", Int, "topic_id", Text)},
}

// NotCopied are the tables of the replicas' bookkeeping (send slots, last runs of
// once-only jobs): what they hold is minutes old at most, they are not state of the
// bot, and their times are kept in each database's own way; a copy leaves them out
// and the target's replicas start them afresh. (The inbox's lease columns are left
// out of Schema for the same reason: a copied update is pending, claimable by any.)
var NotCopied = []string{"send_slot", "job_run"}

func cols(pairs ...any) []Column {
	var out []Column
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, Column{Name: pairs[i].(string), Kind: pairs[i+1].(Kind)})
	}
	return out
}

// Tables is the raw access to the tables of Schema that copying a store needs.
type Tables interface {
	// TableNames returns the names of the tables in the database, but its
	// bookkeeping of migrations (schema_migration).
	TableNames(ctx context.Context) ([]string, error)
	// ReadTable calls f with every row of t, normalized (Table.Normalize).
	ReadTable(ctx context.Context, t Table, f func(row []any) error) error
	// WriteTables runs f in one transaction: either every change f makes is
	// kept, or none.
	WriteTables(ctx context.Context, f func(w TableWriter) error) error
}

// TableWriter changes rows inside WriteTables.
type TableWriter interface {
	// Upsert inserts row into t, or replaces the row with its key.
	Upsert(ctx context.Context, t Table, row []any) error
	// Delete deletes the row of t whose key columns hold key.
	Delete(ctx context.Context, t Table, key []any) error
	// Flush sends what was queued for t and sets t's id sequence past its largest
	// id (PostgreSQL), so that new rows do not collide with copied ones.
	Flush(ctx context.Context, t Table) error
}

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/oldenburg/ankommen/internal/store"
)

var _ store.Tables = (*DB)(nil)

// TableNames returns the tables of the database but schema_migration.
func (d *DB) TableNames(ctx context.Context) ([]string, error) {
	rows, err := d.r.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name != 'schema_migration' ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("sqlite: tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlite: tables: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ReadTable calls f with every row of t, normalized.
func (d *DB) ReadTable(ctx context.Context, t store.Table, f func(row []any) error) error {
	rows, err := d.r.QueryContext(ctx, "SELECT "+t.ColumnNames()+" FROM "+t.Name)
	if err != nil {
		return fmt.Errorf("sqlite: read %s: %w", t.Name, err)
	}
	defer rows.Close()
	vals := make([]any, len(t.Columns))
	ptrs := make([]any, len(t.Columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("sqlite: read %s: %w", t.Name, err)
		}
		row, err := t.Normalize(vals)
		if err != nil {
			return fmt.Errorf("sqlite: read %w", err)
		}
		if err := f(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: read %s: %w", t.Name, err)
	}
	return nil
}

// WriteTables runs f in one transaction.
func (d *DB) WriteTables(ctx context.Context, f func(w store.TableWriter) error) error {
	err := d.tx(ctx, func(tx *sql.Tx) error { return f(tableWriter{tx}) })
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return d.scrub(ctx) // rows deleted with --force leave nothing in the log
}

type tableWriter struct{ tx *sql.Tx }

func (w tableWriter) Upsert(ctx context.Context, t store.Table, row []any) error {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(t.Columns)), ", ")
	var keys, set []string
	for i, c := range t.Columns {
		if i < t.Key {
			keys = append(keys, c.Name)
		} else {
			set = append(set, c.Name+" = excluded."+c.Name)
		}
	}
	q := "INSERT INTO " + t.Name + " (" + t.ColumnNames() + ") VALUES (" + marks + ") ON CONFLICT (" + strings.Join(keys, ", ") + ") DO "
	if len(set) == 0 {
		q += "NOTHING"
	} else {
		q += "UPDATE SET " + strings.Join(set, ", ")
	}
	args := make([]any, len(row))
	for i, v := range row {
		if b, ok := v.(bool); ok { // SQLite keeps booleans as 0 and 1
			v = map[bool]int64{false: 0, true: 1}[b]
		}
		args[i] = v
	}
	_, err := w.tx.ExecContext(ctx, q, args...)
	return err
}

func (w tableWriter) Delete(ctx context.Context, t store.Table, key []any) error {
	var cond []string
	for _, c := range t.Columns[:t.Key] {
		cond = append(cond, c.Name+" = ?")
	}
	_, err := w.tx.ExecContext(ctx, "DELETE FROM "+t.Name+" WHERE "+strings.Join(cond, " AND "), key...)
	return err
}

// Flush has nothing to do: SQLite gives a new row the largest id plus one.
func (w tableWriter) Flush(context.Context, store.Table) error { return nil }

package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/oldenburg/ankommen/internal/store"
)

var _ store.Tables = (*DB)(nil)

// TableNames returns the tables of the database's schema but schema_migration.
func (d *DB) TableNames(ctx context.Context) ([]string, error) {
	rows, err := d.pool.Query(ctx, `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name != 'schema_migration' ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("postgres: tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: tables: %w", err)
	}
	return names, nil
}

// ReadTable calls f with every row of t, normalized.
func (d *DB) ReadTable(ctx context.Context, t store.Table, f func(row []any) error) error {
	rows, err := d.pool.Query(ctx, "SELECT "+t.ColumnNames()+" FROM "+t.Name)
	if err != nil {
		return fmt.Errorf("postgres: read %s: %w", t.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return fmt.Errorf("postgres: read %s: %w", t.Name, err)
		}
		row, err := t.Normalize(vals)
		if err != nil {
			return fmt.Errorf("postgres: read %w", err)
		}
		if err := f(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: read %s: %w", t.Name, err)
	}
	return nil
}

// WriteTables runs f in one transaction; rows go to the server in batches.
func (d *DB) WriteTables(ctx context.Context, f func(w store.TableWriter) error) error {
	err := d.tx(ctx, func(tx pgx.Tx) error {
		w := &tableWriter{tx: tx, batch: &pgx.Batch{}}
		if err := f(w); err != nil {
			return err
		}
		return w.send(ctx)
	})
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", d.where, err)
	}
	return nil
}

type tableWriter struct {
	tx    pgx.Tx
	batch *pgx.Batch
}

// batchSize bounds the statements queued before they are sent.
const batchSize = 1000

func (w *tableWriter) queue(ctx context.Context, sql string, args ...any) error {
	w.batch.Queue(sql, args...)
	if w.batch.Len() >= batchSize {
		return w.send(ctx)
	}
	return nil
}

func (w *tableWriter) send(ctx context.Context) error {
	if w.batch.Len() == 0 {
		return nil
	}
	err := w.tx.SendBatch(ctx, w.batch).Close()
	w.batch = &pgx.Batch{}
	return err
}

func (w *tableWriter) Upsert(ctx context.Context, t store.Table, row []any) error {
	marks := make([]string, len(t.Columns))
	var keys, set []string
	for i, c := range t.Columns {
		marks[i] = "$" + strconv.Itoa(i+1)
		if i < t.Key {
			keys = append(keys, c.Name)
		} else {
			set = append(set, c.Name+" = excluded."+c.Name)
		}
	}
	q := "INSERT INTO " + t.Name + " (" + t.ColumnNames() + ") VALUES (" + strings.Join(marks, ", ") + ") ON CONFLICT (" + strings.Join(keys, ", ") + ") DO "
	if len(set) == 0 {
		q += "NOTHING"
	} else {
		q += "UPDATE SET " + strings.Join(set, ", ")
	}
	return w.queue(ctx, q, row...)
}

func (w *tableWriter) Delete(ctx context.Context, t store.Table, key []any) error {
	var cond []string
	for i, c := range t.Columns[:t.Key] {
		cond = append(cond, c.Name+" = $"+strconv.Itoa(i+1))
	}
	return w.queue(ctx, "DELETE FROM "+t.Name+" WHERE "+strings.Join(cond, " AND "), key...)
}

// Flush sends the queued rows and sets t's id sequence past its largest id.
func (w *tableWriter) Flush(ctx context.Context, t store.Table) error {
	if err := w.send(ctx); err != nil {
		return err
	}
	if !t.Serial {
		return nil
	}
	id := t.Columns[0].Name
	_, err := w.tx.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce((SELECT max(%s) FROM %s), 0) + 1, false)", t.Name, id, id, t.Name))
	return err
}

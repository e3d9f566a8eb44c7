package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrTargetHasMore is returned by Copy when the target holds rows the source does
// not have and the copy is not forced: the target is in use, and copying would
// not make it equal to the source.
var ErrTargetHasMore = errors.New("the target has rows the source does not have")

// Copied is what Copy did to one table.
type Copied struct {
	Table   string
	Rows    int // rows of the source, now in the target
	Removed int // rows of the target the source did not have (with force)
}

// Copy makes the tables of to equal to those of from: it writes every row of every
// table of Schema, keeping ids, in one transaction of the target. Run again, it
// writes the same rows again (upsert) and the target stays as it is, so an
// interrupted or repeated copy is safe. When the target has rows the source lacks
// (its key is not in the source), Copy writes nothing and returns
// ErrTargetHasMore, unless force: then those rows are deleted.
func Copy(ctx context.Context, from, to Tables, force bool) ([]Copied, error) {
	if err := checkTables(ctx, from, "source", true); err != nil {
		return nil, err
	}
	if err := checkTables(ctx, to, "target", false); err != nil {
		return nil, err
	}
	rows := make([][][]any, len(Schema))
	extra := make([][][]any, len(Schema))
	var more []string
	for i, t := range Schema {
		keys := map[string]bool{}
		err := from.ReadTable(ctx, t, func(row []any) error {
			rows[i] = append(rows[i], row)
			keys[t.KeyOf(row)] = true
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read %s of the source: %w", t.Name, err)
		}
		err = to.ReadTable(ctx, t, func(row []any) error {
			if !keys[t.KeyOf(row)] {
				extra[i] = append(extra[i], row[:t.Key])
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read %s of the target: %w", t.Name, err)
		}
		if n := len(extra[i]); n > 0 {
			more = append(more, fmt.Sprintf("%s: %d", t.Name, n))
		}
	}
	if len(more) > 0 && !force {
		return nil, fmt.Errorf("%w (%s): it is in use or holds another copy; copy with --force to delete those rows", ErrTargetHasMore, strings.Join(more, ", "))
	}
	out := make([]Copied, len(Schema))
	err := to.WriteTables(ctx, func(w TableWriter) error {
		// Rows that go, children first; then every row, parents first.
		for i := len(Schema) - 1; i >= 0; i-- {
			for _, key := range extra[i] {
				if err := w.Delete(ctx, Schema[i], key); err != nil {
					return fmt.Errorf("delete from %s: %w", Schema[i].Name, err)
				}
			}
		}
		for i, t := range Schema {
			for _, row := range rows[i] {
				if err := w.Upsert(ctx, t, row); err != nil {
					return fmt.Errorf("write %s: %w", t.Name, err)
				}
			}
			if err := w.Flush(ctx, t); err != nil {
				return fmt.Errorf("write %s: %w", t.Name, err)
			}
			out[i] = Copied{Table: t.Name, Rows: len(rows[i]), Removed: len(extra[i])}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkTables makes sure the database has every table of Schema and, for the
// source, no other: a table this program does not know would not be copied.
func checkTables(ctx context.Context, db Tables, which string, exact bool) error {
	names, err := db.TableNames(ctx)
	if err != nil {
		return fmt.Errorf("the %s's tables: %w", which, err)
	}
	var missing, unknown []string
	for _, t := range Schema {
		if !slices.Contains(names, t.Name) {
			missing = append(missing, t.Name)
		}
	}
	for _, n := range names {
		if slices.Contains(NotCopied, n) {
			continue
		}
		if !slices.ContainsFunc(Schema, func(t Table) bool { return t.Name == n }) {
			unknown = append(unknown, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the %s has no table %s: it is from another version of ankommen", which, strings.Join(missing, ", "))
	}
	if exact && len(unknown) > 0 {
		return fmt.Errorf("the %s has tables this program does not copy (%s): it is from a newer version of ankommen; copy with that version", which, strings.Join(unknown, ", "))
	}
	return nil
}

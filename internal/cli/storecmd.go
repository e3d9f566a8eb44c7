package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/store"
)

const storeUsage = "store copy --from DIR|URL --to DIR|URL [--force]"

// runStore copies the whole state from one database to another: from the SQLite
// file in a data directory to PostgreSQL when an operator moves to replicas, or
// back. Ids are kept; a second run writes the same rows again and changes nothing.
// Stop `serve` first: what it writes during the copy may be missing from the target.
func runStore(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "store", storeUsage)
	from := fs.String("from", "", "the data directory of a SQLite database, or a postgres:// URL, to copy from")
	to := fs.String("to", "", "the data directory (made if missing) or postgres:// URL to copy into")
	force := fs.Bool("force", false, "delete the rows of the target that the source does not have")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 || pos[0] != "copy" || *from == "" || *to == "" {
		fmt.Fprintf(env.Stderr, "Usage: ankommen %s\n", storeUsage)
		return ExitUsage
	}
	if *from == *to {
		fmt.Fprintln(env.Stderr, "store copy: --from and --to name the same database")
		return ExitUsage
	}
	src, err := app.OpenLocation(ctx, *from, false)
	if err != nil {
		fmt.Fprintf(env.Stderr, "store copy: the source: %v\n", err)
		return ExitFail
	}
	defer src.Close()
	dst, err := app.OpenLocation(ctx, *to, true)
	if err != nil {
		fmt.Fprintf(env.Stderr, "store copy: the target: %v\n", err)
		return ExitFail
	}
	defer dst.Close()
	st, ok1 := src.(store.Tables)
	dt, ok2 := dst.(store.Tables)
	if !ok1 || !ok2 {
		fmt.Fprintln(env.Stderr, "store copy: this database cannot be copied")
		return ExitFail
	}
	copied, err := store.Copy(ctx, st, dt, *force)
	if err != nil {
		fmt.Fprintf(env.Stderr, "store copy: %v\n", err)
		if errors.Is(err, store.ErrTargetHasMore) {
			return ExitUsage
		}
		return ExitFail
	}
	fmt.Fprintf(env.Stdout, "copied %s to %s:\n", app.DescribeLocation(*from), app.DescribeLocation(*to))
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	total := 0
	for _, c := range copied {
		removed := ""
		if c.Removed > 0 {
			removed = fmt.Sprintf("%d removed", c.Removed)
		}
		fmt.Fprintf(tw, "%s\t%d rows\t%s\t\n", c.Table, c.Rows, removed)
		total += c.Rows
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "%d rows in %d tables\n", total, len(copied))
	return ExitOK
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/starlight/dataserver/index/migrate"
)

func init() {
	register(command{
		name:    "migrate",
		summary: "rewrite legacy negatives manifests and old category folder names into the unified schema (dry run unless --write)",
		run:     func(ctx context.Context, args []string) error { return runMigrate(ctx, args, os.Stdout) },
	})
}

// runMigrate prints the plan, and with --write carries it out.
func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	fl := newFlags("migrate", "--root DIR [--write]")
	root := fl.String("root", "", "the datasets folder holding the *_submission_* folders (required)")
	write := fl.Bool("write", false, "carry out the plan (backup, folder renames, atomic manifest rewrites); without it nothing is changed")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *root == "" {
		return missing(fl, "--root is required: the datasets folder holding the *_submission_* folders")
	}
	if fl.NArg() > 0 {
		return missing(fl, fmt.Sprintf("unexpected argument %q (flags only)", fl.Arg(0)))
	}
	plan, err := migrate.Make(ctx, *root)
	if err != nil {
		return err
	}
	plan.Write(out)
	if plan.Empty() {
		return nil
	}
	if !*write {
		fmt.Fprintf(out, "\ndry run: nothing was changed. Run again with --write to apply; every manifest rewritten is first copied to %s/%s/<time>/.\n", *root, migrate.BackupDir)
		return nil
	}
	res, err := plan.Apply(ctx)
	if res.Backup != "" {
		fmt.Fprintf(out, "\nbackup: %s/%s (the old manifests and this plan)\n", *root, res.Backup)
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(out, "skipped: %s\n", s)
	}
	if err != nil {
		return fmt.Errorf("%w\nnothing is lost: the old manifest stays until its new version is complete; run migrate --write again to finish", err)
	}
	fmt.Fprintf(out, "done: %s renamed, %s moved, %s rewritten. Check the result with: dataserver validate --root %s\n",
		migrateCount(res.Renamed, "folder"), migrateCount(res.Moved, "file"), migrateCount(res.Rewritten, "manifest"), *root)
	return nil
}

// migrateCount renders "1 folder", "2 folders".
func migrateCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

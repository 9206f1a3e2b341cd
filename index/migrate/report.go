package migrate

import (
	"fmt"
	"io"
	"path"
)

// Write prints the plan for people: per submission the folder renames,
// file moves and manifest rewrite, then every note, then the misplaced
// folders migrate leaves alone.
func (p *Plan) Write(w io.Writer) {
	fmt.Fprintf(w, "migration plan for %s\n", p.Root)
	for _, s := range p.Submissions {
		fmt.Fprintf(w, "\n%s/\n", s.Dir)
		for _, rn := range s.Renames {
			if rn.Merge {
				fmt.Fprintf(w, "  merge folder   %s/ into %s/ (%s", rn.From, rn.To, files(rn.Files))
				if len(rn.Skip) > 0 {
					fmt.Fprintf(w, "; %s left in place", plural(len(rn.Skip), "entry", "entries"))
				}
				fmt.Fprintln(w, ")")
				continue
			}
			fmt.Fprintf(w, "  rename folder  %s/ -> %s/ (%s)\n", rn.From, rn.To, files(rn.Files))
		}
		for _, m := range s.Moves {
			fmt.Fprintf(w, "  move file      %s -> %s (manifest line %d)\n", m.From, m.To, m.Line)
		}
		if m := s.Manifest; m != nil {
			fmt.Fprintf(w, "  rewrite        %s in the unified schema: %d entries: %d from the legacy schema, %d with a renamed category, %d unchanged, %d not carried over\n",
				path.Base(m.Path), m.Lines, m.Legacy, m.Renamed, m.Kept, m.Dropped)
		}
		for _, n := range s.Notes {
			fmt.Fprintf(w, "  note           %s\n", n)
		}
	}
	if len(p.Misplaced) > 0 {
		fmt.Fprintf(w, "\nmisplaced folders (migrate does not move them; each line ends with the command to run from the root):\n")
		for _, pr := range p.Misplaced {
			fmt.Fprintf(w, "  %s: %s\n", pr.Path, pr.Message)
		}
	}
	if p.Empty() {
		fmt.Fprintln(w, "\nnothing to do: every manifest is in the unified schema and every category folder has its current name")
	}
}

func files(n int) string { return plural(n, "file", "files") }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
)

// dashboard is the part of a Grafana dashboard model that is checked.
type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string          `json:"name"`
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID      int    `json:"id"`
	Type    string `json:"type"`
	Title   string `json:"title"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // inside collapsed rows
}

func loadDashboard(path string) (*dashboard, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: not a dashboard: %w", path, err)
	}
	if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
		return nil, fmt.Errorf("%s: dashboard needs a uid, a title and panels", path)
	}
	return &d, nil
}

// check returns the problems found and the sorted metric names queried.
func (d *dashboard) check() ([]string, []string) {
	var problems []string
	metrics := map[string]bool{}
	ids := map[int]string{}
	var walk func(ps []panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			if prev, dup := ids[p.ID]; dup {
				problems = append(problems, fmt.Sprintf("panel %q reuses id %d of %q", p.Title, p.ID, prev))
			}
			ids[p.ID] = p.Title
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if len(p.Targets) == 0 {
				problems = append(problems, fmt.Sprintf("panel %q has no query", p.Title))
			}
			for _, t := range p.Targets {
				where := fmt.Sprintf("panel %q query %s", p.Title, t.RefID)
				problems = append(problems, parseInto(where, t.Expr, metrics)...)
			}
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q := variableQuery(v.Query)
		where := fmt.Sprintf("variable %q", v.Name)
		if m := labelValues.FindStringSubmatch(q); m != nil {
			q = m[1]
		}
		problems = append(problems, parseInto(where, q, metrics)...)
	}
	names := make([]string, 0, len(metrics))
	for m := range metrics {
		names = append(names, m)
	}
	sort.Strings(names)
	return problems, names
}

// promql parses with the default (stable) language options.
var promql = parser.NewParser(parser.Options{})

// labelValues matches Grafana's label_values(selector, label) helper.
var labelValues = regexp.MustCompile(`^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$`)

// grafanaVar matches $name, ${name} and ${name:format}.
var grafanaVar = regexp.MustCompile(`\$\{[^}]+\}|\$[a-zA-Z_][a-zA-Z0-9_]*`)

// fill replaces Grafana's variables with values PromQL accepts where they
// stand: interval variables become a duration, the rest a plain word (they
// appear inside label matcher strings).
func fill(expr string) string {
	return grafanaVar.ReplaceAllStringFunc(expr, func(v string) string {
		name := strings.Trim(v, "${}")
		name, _, _ = strings.Cut(name, ":")
		switch name {
		case "__rate_interval", "__interval", "__range":
			return "5m"
		case "__interval_ms", "__range_ms", "__range_s":
			return "300"
		default:
			return "x"
		}
	})
}

// parseInto parses one query and adds the metric names it reads to metrics.
func parseInto(where, expr string, metrics map[string]bool) []string {
	if strings.TrimSpace(expr) == "" {
		return []string{where + ": empty query"}
	}
	e, err := promql.ParseExpr(fill(expr))
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", where, err)}
	}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && vs.Name != "" {
			metrics[vs.Name] = true
		}
		return nil
	})
	return nil
}

// variableQuery reads a template variable's query, a string or {"query": s}.
func variableQuery(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Query string `json:"query"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.Query
	}
	return ""
}

package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFillAndParse(t *testing.T) {
	metrics := map[string]bool{}
	good := `histogram_quantile(0.99, sum by (le) (rate(dataserver_extract_seconds_bucket{namespace="$namespace", job=~"${job:regex}"}[$__rate_interval])))`
	if p := parseInto("q", good, metrics); len(p) != 0 {
		t.Fatalf("valid query rejected: %v", p)
	}
	if !metrics["dataserver_extract_seconds_bucket"] {
		t.Errorf("metric not collected: %v", metrics)
	}
	for _, bad := range []string{
		`sum by (pod) (rate(x[$__rate_interval])`,       // unbalanced
		`rate(dataserver_active_streams{pod="a"})`,      // rate of an instant vector
		`sum(dataserver_active_streams) / on(pod) foo(`, // unknown function, cut off
		``,
	} {
		if p := parseInto("q", bad, map[string]bool{}); len(p) == 0 {
			t.Errorf("invalid query accepted: %q", bad)
		}
	}
}

func TestUndefinedMetrics(t *testing.T) {
	dir := t.TempDir()
	src := "package m\nvar a = \"dataserver_active_streams\"\nvar b = Opts{Namespace: \"dataserver\", Name: \"extract_seconds\"}\n"
	if err := os.WriteFile(filepath.Join(dir, "m.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	missing, found, err := undefinedMetrics(dir, []string{
		"dataserver_active_streams", "dataserver_extract_seconds_bucket", "dataserver_nope_total", "up",
	})
	if err != nil || !found {
		t.Fatalf("found=%v err=%v", found, err)
	}
	if len(missing) != 1 || missing[0] != "dataserver_nope_total" {
		t.Errorf("missing = %v, want [dataserver_nope_total]", missing)
	}
}

func TestRepositoryDashboard(t *testing.T) {
	path := filepath.Join("..", "..", "..", "base", "grafana", "dataserver-dashboard.json")
	d, err := loadDashboard(path)
	if err != nil {
		t.Fatal(err)
	}
	problems, metrics := d.check()
	if len(problems) != 0 {
		t.Errorf("problems: %v", problems)
	}
	if len(metrics) < 10 {
		t.Errorf("only %d metrics queried: %v", len(metrics), metrics)
	}
}

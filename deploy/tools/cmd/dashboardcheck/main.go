// Command dashboardcheck checks a Grafana dashboard's Prometheus queries:
// every query must parse as PromQL (after Grafana's variables are filled in),
// panels need unique ids and a query, and, when -source is given, every
// dataserver_* metric a query reads must be named in the server's Go source
// (so a renamed metric cannot leave a silently empty panel behind).
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	source := flag.String("source", "", "root of the Go source that defines the metrics (optional)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: dashboardcheck [-source DIR] dashboard.json")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	path := flag.Arg(0)
	d, err := loadDashboard(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "dashboardcheck: %v\n", err)
		os.Exit(1)
	}
	problems, metrics := d.check()
	if *source != "" {
		missing, found, err := undefinedMetrics(*source, metrics)
		if err != nil {
			fmt.Fprintf(os.Stderr, "dashboardcheck: %v\n", err)
			os.Exit(1)
		}
		if found {
			for _, m := range missing {
				problems = append(problems, fmt.Sprintf("metric %s is not defined anywhere under %s", m, *source))
			}
		} else {
			fmt.Fprintf(os.Stderr, "dashboardcheck: WARNING: no dataserver_* metric is defined under %s yet: metric names not cross-checked\n", *source)
		}
	}
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "%s: %s\n", path, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "dashboardcheck: %s: %d problem(s)\n", path, len(problems))
		os.Exit(1)
	}
	fmt.Printf("dashboardcheck: %s: %d panels, %d metrics, all queries parse\n", path, len(d.Panels), len(metrics))
}

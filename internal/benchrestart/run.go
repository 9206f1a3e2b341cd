// Package benchrestart measures what a restart of the server costs: it
// writes a tree of unique images, then starts the real server binary
// three times over it with one cache dir (cold; nothing changed; a share
// of the images rewritten) and reports for each start the time from the
// process's start to health SERVING and the CPU the process used.
package benchrestart

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Options tune Run.
type Options struct {
	// Dir is the work folder: the tree, the cache dir and the server logs
	// go under it. It must not hold a tree already.
	Dir string
	// Images is the number of images written.
	Images int
	// Side is the images' width and height in pixels; a small side (8)
	// makes a header-only tree, cheap to write and to index cold, to
	// measure what a restart costs per file on a large tree.
	Side int
	// Changed is the share of the images rewritten before the third start.
	Changed float64
	// Exe is the dataserver binary whose serve command is measured.
	Exe string
	// Again measures only a restart with nothing changed over the tree and
	// cache dir a previous Run left in Dir.
	Again bool
}

// Result is one start of the server.
type Result struct {
	// Phase names the start.
	Phase string
	// ToServing is from the process's start to health SERVING.
	ToServing time.Duration
	// CPU is the user and system time of the process, start to exit.
	CPU time.Duration
	// StoreBytes and CacheBytes are the sizes of the index store and of the
	// disk cache of streams after the start.
	StoreBytes, CacheBytes int64
}

// Run writes the tree and measures the three starts, printing progress
// and results to out.
func Run(ctx context.Context, o Options, out io.Writer) ([]Result, error) {
	if o.Images <= 0 || o.Side <= 0 || o.Exe == "" {
		return nil, errors.New("benchrestart: Images, Side and Exe are required")
	}
	tree, cache := filepath.Join(o.Dir, "tree"), filepath.Join(o.Dir, "cache")
	var results []Result
	measure := func(phase string) error {
		r, err := serveOnce(ctx, o, tree, cache, phase)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-26s to SERVING %9s   CPU %9s   index store %s, disk cache %s\n", phase,
			r.ToServing.Round(time.Millisecond), r.CPU.Round(time.Millisecond), mib(r.StoreBytes), mib(r.CacheBytes))
		results = append(results, r)
		return nil
	}
	if o.Again {
		if _, err := os.Stat(cache); err != nil {
			return nil, fmt.Errorf("benchrestart: no cache dir of a previous run: %w", err)
		}
		return results, measure("restart, nothing changed")
	}
	if _, err := os.Stat(tree); err == nil {
		return nil, fmt.Errorf("benchrestart: %s exists; give an empty work folder", tree)
	}
	start := time.Now()
	if err := writeTree(tree, o.Images, o.Side, 1); err != nil {
		return nil, fmt.Errorf("benchrestart: writing the tree: %w", err)
	}
	fmt.Fprintf(out, "wrote %d images of %dx%d under %s in %s\n", o.Images, o.Side, o.Side, tree, time.Since(start).Round(time.Millisecond))
	if err := measure("cold"); err != nil {
		return results, err
	}
	if err := measure("restart, nothing changed"); err != nil {
		return results, err
	}
	n := int(float64(o.Images) * o.Changed)
	if err := forEach(n, func(k int) error { return writeImage(tree, k*o.Images/max(n, 1), o.Side, 2) }); err != nil {
		return results, fmt.Errorf("benchrestart: rewriting images: %w", err)
	}
	if err := measure(fmt.Sprintf("restart, %d changed", n)); err != nil {
		return results, err
	}
	cold, warm := results[0], results[1]
	fmt.Fprintf(out, "unchanged restart: %.1fx faster than cold to SERVING, %.1fx less CPU; %.1f us and %.1f us CPU per file\n",
		cold.ToServing.Seconds()/warm.ToServing.Seconds(), cold.CPU.Seconds()/warm.CPU.Seconds(),
		1e6*warm.ToServing.Seconds()/float64(o.Images), 1e6*warm.CPU.Seconds()/float64(o.Images))
	return results, nil
}

// serveOnce starts `dataserver serve` over tree, waits for SERVING, stops
// it with SIGTERM and returns the figures. The server's log goes to
// <Dir>/serve-<n>.log.
func serveOnce(ctx context.Context, o Options, tree, cache, phase string) (Result, error) {
	r := Result{Phase: phase}
	addr, err := freeAddr()
	if err != nil {
		return r, err
	}
	logPath := filepath.Join(o.Dir, fmt.Sprintf("serve-%d.log", time.Now().UnixNano()))
	logf, err := os.Create(logPath)
	if err != nil {
		return r, err
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, o.Exe, "serve", "--root", tree, "--cache-dir", cache, "--addr", addr, "--metrics-addr", "")
	cmd.Stdout, cmd.Stderr = logf, logf
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return r, fmt.Errorf("benchrestart: starting %s: %w", o.Exe, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	err = waitServing(ctx, addr, exited)
	r.ToServing = time.Since(t0)
	if err != nil {
		cmd.Process.Kill()
		<-exited
		return r, fmt.Errorf("benchrestart: %s (log in %s): %w", phase, logPath, err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil {
		return r, fmt.Errorf("benchrestart: %s: the server ended with %v (log in %s)", phase, err, logPath)
	}
	r.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	r.StoreBytes = treeBytes(filepath.Join(cache, "index"))
	r.CacheBytes = treeBytes(cache) - r.StoreBytes
	return r, nil
}

// waitServing polls the health service at addr until SERVING, the process
// exits or ctx ends.
func waitServing(ctx context.Context, addr string, exited <-chan error) error {
	// Redial quickly: gRPC's default backoff (1 s) would be measured.
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.Config{BaseDelay: 5 * time.Millisecond, Multiplier: 1.2, MaxDelay: 20 * time.Millisecond}, MinConnectTimeout: time.Second}))
	if err != nil {
		return err
	}
	defer cc.Close()
	h := healthpb.NewHealthClient(cc)
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		resp, err := h.Check(cctx, &healthpb.HealthCheckRequest{})
		cancel()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("the server exited before SERVING: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func treeBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if fi, err := e.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

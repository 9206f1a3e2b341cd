package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/client/clientflag"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

func init() {
	register(command{
		name:    "pull",
		summary: "stream N batches and print samples/s, MB/s and client allocations per batch",
		run: func(ctx context.Context, args []string) error {
			var bar io.Writer
			if stderrIsTerminal() {
				bar = os.Stderr
			}
			return runPull(ctx, args, os.Stderr, bar)
		},
	})
}

// pullPhase sums the batches of one phase of a pull.
type pullPhase struct {
	Epochs        string  `json:"epochs"`
	Batches       int     `json:"batches"`
	Samples       int     `json:"samples"`
	Bytes         int64   `json:"bytes"`
	Seconds       float64 `json:"seconds"`
	SamplesPerSec float64 `json:"samples_per_second"`
	MBPerSec      float64 `json:"mb_per_second"`
}

func (p *pullPhase) add(samples int, bytes int64, d time.Duration) {
	p.Batches++
	p.Samples += samples
	p.Bytes += bytes
	p.Seconds += d.Seconds()
}

func (p *pullPhase) rates() {
	if p.Seconds > 0 {
		p.SamplesPerSec = float64(p.Samples) / p.Seconds
		p.MBPerSec = float64(p.Bytes) / 1e6 / p.Seconds
	}
}

// pullReport is what pull prints.
type pullReport struct {
	Addr             string    `json:"addr"`
	Peers            []string  `json:"peers"`
	First            pullPhase `json:"first_epoch"`
	Later            pullPhase `json:"later_epochs"`
	Total            pullPhase `json:"total"`
	Resumes          int       `json:"resumes"`
	AllocsPerBatch   float64   `json:"allocs_per_batch"`
	AllocBytesPerBat float64   `json:"alloc_bytes_per_batch"`
	ServerVmHWMKiB   int64     `json:"server_vmhwm_kib,omitempty"`
	ServerVmRSSKiB   int64     `json:"server_vmrss_kib,omitempty"`
}

// runPull streams the batches and prints the report to stdout; notices go
// to errw and, when bar is not nil, a progress bar of the batches to bar.
func runPull(ctx context.Context, args []string, errw, bar io.Writer) error {
	fl := newFlags("pull", "[--addr HOST:PORT] [--batches N] [flags]")
	cf := clientflag.Register(fl)
	n := fl.Uint("batches", 100, "batches to stream (they may span several epochs)")
	size := fl.Uint("batch-size", 32, "samples per batch")
	mixText := fl.String("mix", "1:1:1", "clean:stego:negative weights")
	seed := fl.Uint64("seed", 0, "schedule seed")
	epoch := fl.Uint64("epoch", 0, "first epoch")
	rank := fl.Uint("rank", 0, "rank of this consumer")
	world := fl.Uint("world", 1, "number of ranks")
	streamText := fl.String("streams", "", "comma-separated streams, of "+strings.Join(client.StreamNames, ",")+" (default: the server's set)")
	pack := fl.Bool("pack", true, "bit planes packed 8 values a byte on the wire")
	balance := fl.Bool("class-balance", false, "draw stego evenly over the five techniques")
	pairing := fl.Bool("pairing", false, "each stego right after its cover in one batch")
	perCover := fl.Uint("stegos-per-cover", 0, "with --pairing, up to this many stegos after their cover (0: 1)")
	augment := fl.Bool("augment", false, "a rotation/flip of the square per unit, the same within a pair")
	consumer := fl.String("consumer", "pull", "consumer name in the server's statistics")
	decode := fl.Bool("decode", true, "take every tensor's view as a trainer would (bit planes unpacked into reused buffers)")
	pid := fl.Int("server-pid", 0, "a local server process whose peak memory (VmHWM) to report")
	asJSON := fl.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	mix, err := client.ParseMix(*mixText)
	if err != nil {
		return err
	}
	streams, err := client.ParseStreams(*streamText)
	if err != nil {
		return err
	}
	if *n == 0 || *n > math.MaxUint32 || *size == 0 || *size > math.MaxUint32 || *world == 0 || *rank >= *world {
		return fmt.Errorf("need 0 < --batches, 0 < --batch-size and --rank < --world")
	}
	req := &pb.StreamBatchesRequest{
		BatchSize: uint32(*size), Mix: mix, Seed: *seed, Epoch: *epoch, EndEpoch: *epoch + uint64(*n),
		MaxBatches: uint32(*n), Rank: uint32(*rank), WorldSize: uint32(*world), Streams: streams,
		PackBitPlanes: *pack, ClassBalance: *balance, Consumer: *consumer,
		Pairing: *pairing, StegosPerCover: uint32(min(*perCover, math.MaxUint32)), Augment: *augment,
	}
	c, err := cf.Dial(ctx, client.WithResumeHook(resumeNotice(errw)))
	if err != nil {
		return err
	}
	defer c.Close()

	rep := pullReport{Addr: cf.Addr}
	bufs := map[string][]uint8{}
	peers := map[string]bool{}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	last := start
	var firstEpoch, lastEpoch uint64
	var done atomic.Int64
	if bar != nil {
		stop := showProgress(bar, int(*n), "pulling", "batches", &done)
		defer stop()
	}
	for b, err := range c.Stream(ctx, req) {
		if err != nil {
			if rep.Total.Batches == 0 && status.Code(err) == codes.Unavailable {
				return fmt.Errorf("no server answered at %s (start one with dataserver demo or dataserver serve, or pass --addr): %w", cf.Addr, err)
			}
			return fmt.Errorf("after %d batches: %w", rep.Total.Batches, err)
		}
		now := time.Now()
		d := now.Sub(last)
		last = now
		if *decode {
			if err := touch(b, bufs); err != nil {
				return err
			}
		}
		if rep.Total.Batches == 0 {
			firstEpoch = b.GetEpoch()
		}
		lastEpoch = b.GetEpoch()
		phase := &rep.Later
		if b.GetEpoch() == firstEpoch {
			phase = &rep.First
		}
		phase.add(b.Len(), b.Bytes(), d)
		rep.Total.add(b.Len(), b.Bytes(), d)
		done.Add(1)
		rep.Resumes = b.Resumes
		if !peers[b.Peer] {
			peers[b.Peer] = true
			rep.Peers = append(rep.Peers, b.Peer)
		}
	}
	runtime.ReadMemStats(&after)
	if rep.Total.Batches == 0 {
		return fmt.Errorf("the server sent no batch")
	}
	rep.First.Epochs = fmt.Sprint(firstEpoch)
	rep.Later.Epochs = epochRange(firstEpoch+1, lastEpoch)
	rep.Total.Epochs = epochRange(firstEpoch, lastEpoch)
	for _, p := range []*pullPhase{&rep.First, &rep.Later, &rep.Total} {
		p.rates()
	}
	rep.AllocsPerBatch = float64(after.Mallocs-before.Mallocs) / float64(rep.Total.Batches)
	rep.AllocBytesPerBat = float64(after.TotalAlloc-before.TotalAlloc) / float64(rep.Total.Batches)
	if *pid > 0 {
		rep.ServerVmHWMKiB, rep.ServerVmRSSKiB = procMemory(*pid)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printPull(rep)
	return nil
}

// resumeNotice returns the resume hook of pull: one line when a stream
// starts failing (the client retries quietly after it), so a dead address
// reads as one notice followed by the final error.
func resumeNotice(w io.Writer) func(client.ResumeEvent) {
	return func(e client.ResumeEvent) {
		if e.Attempt == 1 {
			fmt.Fprintf(w, "stream interrupted (%v); retrying up to %d times with backoff\n", e.Err, client.DefaultRetryPolicy.MaxAttempts-1)
		}
	}
}

// epochRange writes the epochs from..to ("3", "3-5"; "" when empty).
func epochRange(from, to uint64) string {
	switch {
	case to < from:
		return ""
	case to == from:
		return fmt.Sprint(from)
	}
	return fmt.Sprintf("%d-%d", from, to)
}

// touch takes every tensor's view, unpacking bit planes into reused buffers.
func touch(b *client.Batch, bufs map[string][]uint8) error {
	for _, t := range b.GetTensors() {
		v, _ := b.Tensor(t.GetName())
		var err error
		switch {
		case t.GetDtype() == pb.Dtype_DTYPE_FLOAT32:
			_, err = v.Float32()
		case t.GetBitsPacked():
			n, e := v.Elements()
			if e != nil {
				return e
			}
			if len(bufs[t.GetName()]) < n {
				bufs[t.GetName()] = make([]uint8, n)
			}
			_, err = v.UnpackInto(bufs[t.GetName()])
		default:
			_, err = v.Uint8()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func printPull(r pullReport) {
	line := func(name string, p pullPhase) {
		if p.Batches == 0 {
			return
		}
		fmt.Printf("%-22s %4d batches %7d samples %9.1f MB in %7.2fs: %9.0f samples/s %8.1f MB/s\n",
			name, p.Batches, p.Samples, float64(p.Bytes)/1e6, p.Seconds, p.SamplesPerSec, p.MBPerSec)
	}
	fmt.Printf("pulled from %s (replicas seen: %s)\n", r.Addr, strings.Join(r.Peers, ", "))
	line("epoch "+r.First.Epochs+" (first)", r.First)
	line("epoch(s) "+r.Later.Epochs+" (later)", r.Later)
	line("total", r.Total)
	fmt.Printf("client: %.0f allocations and %.1f MB allocated per batch; %d resumes\n", r.AllocsPerBatch, r.AllocBytesPerBat/1e6, r.Resumes)
	if r.ServerVmHWMKiB > 0 {
		fmt.Printf("server: peak RSS (VmHWM) %.1f MiB, RSS now %.1f MiB\n", float64(r.ServerVmHWMKiB)/1024, float64(r.ServerVmRSSKiB)/1024)
	}
}

// procMemory reads VmHWM and VmRSS (KiB) of a local process from /proc; zeros when unavailable.
func procMemory(pid int) (hwm, rss int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v int64
		if _, err := fmt.Sscanf(sc.Text(), "VmHWM: %d kB", &v); err == nil {
			hwm = v
		}
		if _, err := fmt.Sscanf(sc.Text(), "VmRSS: %d kB", &v); err == nil {
			rss = v
		}
	}
	return hwm, rss
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/index"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// TestValidateSplits: the split flags reach the index, the text report has
// the leak check's tables, --json has the splits, a pin that splits a group
// is an error (exit 1) naming both files, and bad flags exit 2.
func TestValidateSplits(t *testing.T) {
	root := t.TempDir()
	for i := range 6 {
		writePNG(t, filepath.Join(root, "a_submission_2025", "clean", "c"+string(rune('0'+i))+".png"), 3+i)
		writePNG(t, filepath.Join(root, "b_submission_2025", "clean", "c"+string(rune('0'+i))+".png"), 20+i)
	}
	var out bytes.Buffer
	if err := validate(context.Background(), []string{"--root", root, "--split-pin", "b_submission_2025=test", "--split-fractions", "train=1"}, &out, false); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"splits by cover group (train=1 pins b_submission_2025=test)", "SPLIT  SAMPLES  GROUPS", "train  6", "test   6", "KIND   TECHNIQUE/CATEGORY  FORMAT  TRAIN  VAL  TEST", "clean  -                   png     6      0    6"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}

	// the same bytes in a submission pinned to val: the pin splits the group
	data, err := os.ReadFile(filepath.Join(root, "a_submission_2025", "clean", "c0.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "val", "clean"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "val", "clean", "c0_copy.png"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = validate(context.Background(), []string{"--root", root, "--split-fractions", "train=1", "--json"}, &out, false)
	var code exitCode
	if !errors.As(err, &code) || code != 1 {
		t.Fatalf("pin splitting a group: %v", err)
	}
	var rep index.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range rep.Problems {
		if p.Code == index.CodeSplitPinConflict && p.Path == "a_submission_2025/clean/c0.png" && strings.Contains(p.Message, "val/clean/c0_copy.png") {
			found = true
		}
	}
	if !found {
		t.Errorf("no split-pin-conflict naming both files: %+v", rep.Problems)
	}
	if len(rep.Splits) != 3 || rep.Splits[0].Split != "train" || rep.Splits[1].Samples != 1 {
		t.Errorf("splits in --json: %+v", rep.Splits)
	}

	for _, bad := range [][]string{{"--split-fractions", "dev=1"}, {"--split-pin", "a=all"}} {
		out.Reset()
		err := validate(context.Background(), append([]string{"--root", root}, bad...), &out, false)
		if !errors.As(err, &code) || code != 2 {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// TestServeSplitFlags: --split-pin repeats and takes comma lists, the
// fractions and salt reach the server config, DATASERVER_SPLIT_SALT works.
func TestServeSplitFlags(t *testing.T) {
	t.Setenv("DATASERVER_SPLIT_SALT", "pepper")
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	build := serveFlags(fl)
	if err := fl.Parse([]string{"--root", "/r", "--split-fractions", "train=0.8,val=0.1,test=0.1", "--split-pin", "a_submission_2025=val,b_submission_2025=test", "--split-pin", "c_submission_2025=train"}); err != nil {
		t.Fatal(err)
	}
	if err := applyEnv(fl); err != nil {
		t.Fatal(err)
	}
	cfg, err := build()
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Splits
	if s.Salt != "pepper" || s.Fractions["test"] != 0.1 || len(s.Pins) != 3 || s.Pins["c_submission_2025"] != "train" {
		t.Fatalf("splits %+v", s)
	}
	fl = flag.NewFlagSet("serve", flag.ContinueOnError)
	build = serveFlags(fl)
	if err := fl.Parse([]string{"--root", "/r", "--split-fractions", "train=0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := build(); err == nil || !strings.Contains(err.Error(), "--split-fractions") {
		t.Fatalf("train=0 alone: %v", err)
	}
}

// TestReindexPrintsSplitMoves: the text output lists the split moves.
func TestReindexPrintsSplitMoves(t *testing.T) {
	var b bytes.Buffer
	printReindex(&b, "127.0.0.1:1", &pb.ReindexResponse{SnapshotId: "abc", SplitMoves: []*pb.SplitMove{
		{Path: "a_submission_2025/clean/x.png", From: "train", To: "val"}, {Path: "y", From: "val", To: "train"}}}, 1)
	for _, want := range []string{"split moves: 2", "a_submission_2025/clean/x.png: train -> val", "... 1 more"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in:\n%s", want, b.String())
		}
	}
	b.Reset()
	printReindex(&b, "127.0.0.1:1", &pb.ReindexResponse{SnapshotId: "abc"}, 1)
	if strings.Contains(b.String(), "split moves") {
		t.Errorf("split moves printed when none:\n%s", b.String())
	}
}

package main

import (
	"context"
	"io"
	"os"
	"testing"
)

func BenchmarkTmpDigest(b *testing.B) {
	root := os.Getenv("DROOT")
	files, _ := imageFiles(root)
	for i := 0; i < b.N; i++ {
		digestTree(context.Background(), root, files, 1, io.Discard)
	}
}

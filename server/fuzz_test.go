package server

import (
	"encoding/json"
	"testing"
)

// FuzzPageToken: no token makes the parser panic; an accepted token names
// the snapshot asked and a non-negative offset that round-trips.
func FuzzPageToken(f *testing.F) {
	f.Add(pageToken(5, "abc"), "abc")
	f.Add("", "abc")
	f.Add("%%%", "x")
	f.Add(pageToken(-1, "x"), "x")
	f.Fuzz(func(t *testing.T, tok, snap string) {
		n, err := parsePageToken(tok, snap)
		if err != nil || tok == "" {
			return
		}
		if n < 0 {
			t.Fatalf("negative offset %d accepted", n)
		}
		if m, err := parsePageToken(pageToken(n, snap), snap); err != nil || m != n {
			t.Fatalf("offset %d does not round-trip: %d %v", n, m, err)
		}
	})
}

// FuzzParseTokens: no tokens file makes the parser panic; every token it
// accepts has a name, a known role and at least 16 characters.
func FuzzParseTokens(f *testing.F) {
	seed, _ := json.Marshal(testTokens)
	f.Add(seed)
	f.Add([]byte(`[{"name":"a","role":"admin","token":"0123456789abcdef"}]`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		toks, err := ParseTokens(data, "fuzz")
		if err != nil {
			return
		}
		for _, tk := range toks {
			if tk.Name == "" || allowed[tk.Role] == nil || len(tk.Token) < 16 {
				t.Fatalf("accepted %+v", tk)
			}
		}
	})
}

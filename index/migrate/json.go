package migrate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// kv is one member of a JSON object, its value kept as raw JSON.
type kv struct {
	key string
	raw []byte
}

// orderedObject decodes a JSON object keeping its members in order and
// their values as written.
func orderedObject(text []byte) ([]kv, error) {
	d := json.NewDecoder(bytes.NewReader(text))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var out []kv
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, err
		}
		key, ok := t.(string)
		if !ok {
			return nil, fmt.Errorf("object key is not a string")
		}
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			return nil, err
		}
		out = append(out, kv{key, bytes.TrimSpace(raw)})
	}
	if t, err := d.Token(); err != nil || t != json.Delim('}') {
		return nil, fmt.Errorf("unterminated JSON object")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON object")
	}
	return out, nil
}

// emitObject writes members as one JSON object in the style of the corpus
// manifests: `{"key": value, "key": value}`.
func emitObject(kvs []kv) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range kvs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.Write(jsonText(m.key))
		b.WriteString(": ")
		b.Write(m.raw)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// jsonText is the JSON text of a string, without HTML escaping.
func jsonText(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return bytes.TrimRight(b.Bytes(), "\n")
}

// stringValue returns the string value of key, if it is one.
func stringValue(kvs []kv, key string) (string, bool) {
	for _, m := range kvs {
		if m.key == key {
			var s string
			if json.Unmarshal(m.raw, &s) == nil {
				return s, true
			}
			return "", false
		}
	}
	return "", false
}

// setValue returns kvs with key's value replaced (appended when absent).
func setValue(kvs []kv, key string, raw []byte) []kv {
	out := append([]kv(nil), kvs...)
	for i := range out {
		if out[i].key == key {
			out[i].raw = raw
			return out
		}
	}
	return append(out, kv{key, raw})
}

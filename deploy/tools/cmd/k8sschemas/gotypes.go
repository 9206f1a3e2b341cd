package main

import (
	"reflect"
	"strings"
)

// goTypes maps apply-schema type names to the Go struct types of k8s.io/api
// they were generated from.
type goTypes map[string]reflect.Type

// goField is what the Go type says about one JSON field.
type goField struct {
	t        reflect.Type // with pointers removed
	required bool
}

// goTypesFrom collects every named struct type reachable from root.
func goTypesFrom(root reflect.Type) goTypes {
	seen := goTypes{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		t = elemType(t)
		if t.Kind() != reflect.Struct || t.Name() == "" {
			return
		}
		name := smdName(t)
		if _, ok := seen[name]; ok {
			return
		}
		seen[name] = t
		for i := 0; i < t.NumField(); i++ {
			walk(t.Field(i).Type)
		}
	}
	walk(root)
	return seen
}

// elemType strips pointers, slices, arrays and maps down to the value type.
func elemType(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		default:
			return t
		}
	}
}

// smdName is the name the apply schema gives a Go type: the package path with
// its domain reversed, dotted, then the type name
// (k8s.io/api/apps/v1.Deployment is io.k8s.api.apps.v1.Deployment).
func smdName(t reflect.Type) string {
	path := t.PkgPath()
	domain, rest, _ := strings.Cut(path, "/")
	labels := strings.Split(domain, ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	parts := append(labels, strings.Split(rest, "/")...)
	return strings.Join(parts, ".") + "." + t.Name()
}

// fieldsOf lists a struct's JSON fields, with the fields of embedded
// (",inline") structs lifted up as encoding/json does.
//
// A field is taken as required when its JSON tag has no omitempty and it is
// not a pointer: the Kubernetes API convention marks optional fields one way
// or the other, and the API's own OpenAPI generator reads the same tags.
func fieldsOf(t reflect.Type) map[string]goField {
	out := map[string]goField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("json")
		if !ok || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			if f.Anonymous || strings.Contains(opts, "inline") {
				for k, v := range fieldsOf(elemType(f.Type)) {
					out[k] = v
				}
			}
			continue
		}
		omit := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		ptr := f.Type.Kind() == reflect.Pointer
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		out[name] = goField{t: ft, required: !omit && !ptr}
	}
	return out
}

// isInteger reports whether a Go type is a whole-number kind.
func isInteger(t reflect.Type) bool {
	if t == nil {
		return false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

package main

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/applyconfigurations"
	smdschema "sigs.k8s.io/structured-merge-diff/v6/schema"
)

// applySchema returns client-go's server-side-apply schema: every built-in
// API type with its fields and their types. client-go keeps its parser
// unexported, so the schema is reached through a typed value of a small
// object, which carries the whole schema it was parsed with.
func applySchema() (*smdschema.Schema, error) {
	s := runtime.NewScheme()
	if err := corev1.AddToScheme(s); err != nil {
		return nil, fmt.Errorf("register core/v1: %w", err)
	}
	probe := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}}
	tv, err := applyconfigurations.NewTypeConverter(s).ObjectToTyped(probe)
	if err != nil {
		return nil, fmt.Errorf("read client-go's apply schema: %w", err)
	}
	sch := tv.Schema()
	if sch == nil || len(sch.Types) == 0 {
		return nil, fmt.Errorf("client-go's apply schema is empty")
	}
	return sch, nil
}

package main

import (
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestSMDNameMatchesApplySchema(t *testing.T) {
	smd, err := applySchema()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{appsv1.Deployment{}, corev1.Container{}, metav1.ObjectMeta{}} {
		name := smdName(reflect.TypeOf(v))
		if _, ok := smd.FindNamedType(name); !ok {
			t.Errorf("%s: not a type of client-go's apply schema", name)
		}
	}
}

func TestFieldsOfRequiredAndInline(t *testing.T) {
	c := fieldsOf(reflect.TypeOf(corev1.Container{}))
	if !c["name"].required {
		t.Error("Container.name should be required")
	}
	if c["image"].required || c["readinessProbe"].required {
		t.Error("Container.image and readinessProbe are optional")
	}
	g := fieldsOf(reflect.TypeOf(corev1.GRPCAction{}))
	if !g["port"].required || g["service"].required {
		t.Errorf("GRPCAction: want port required, service optional; got %+v", g)
	}
	// Probe embeds ProbeHandler inline: its fields are lifted.
	p := fieldsOf(reflect.TypeOf(corev1.Probe{}))
	if _, ok := p["grpc"]; !ok {
		t.Error("Probe should expose the inline ProbeHandler's grpc field")
	}
	if !isInteger(p["periodSeconds"].t) {
		t.Error("Probe.periodSeconds should be an integer")
	}
}

func TestDocumentIsStrict(t *testing.T) {
	smd, err := applySchema()
	if err != nil {
		t.Fatal(err)
	}
	s, err := newScheme()
	if err != nil {
		t.Fatal(err)
	}
	var dep kind
	for _, k := range kindsOf(s) {
		if k.kind == "Deployment" && k.group == "apps" {
			dep = k
		}
	}
	if dep.goType == nil {
		t.Fatal("apps/v1 Deployment not among the kinds")
	}
	if got := dep.fileName(); got != "deployment-apps-v1.json" {
		t.Errorf("file name %q", got)
	}
	doc, err := newConverter(smd, goTypesFrom(dep.goType)).document(dep)
	if err != nil {
		t.Fatal(err)
	}
	if doc["additionalProperties"] != false {
		t.Error("root must forbid unknown fields")
	}
	defs := doc["definitions"].(map[string]any)
	ctr := defs["io.k8s.api.core.v1.Container"].(map[string]any)
	if ctr["additionalProperties"] != false {
		t.Error("Container must forbid unknown fields")
	}
	props := ctr["properties"].(map[string]any)
	if _, ok := props["readinessProbe"]; !ok {
		t.Error("Container schema lacks readinessProbe")
	}
}

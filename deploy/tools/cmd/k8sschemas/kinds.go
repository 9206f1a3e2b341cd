package main

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// groups are the API group versions schemas are written for: the ones a
// deployment of this server uses, and a few neighbours an overlay may add.
var groups = []func(*runtime.Scheme) error{
	corev1.AddToScheme,
	appsv1.AddToScheme,
	batchv1.AddToScheme,
	policyv1.AddToScheme,
	autoscalingv2.AddToScheme,
	networkingv1.AddToScheme,
	rbacv1.AddToScheme,
}

// newScheme registers the Go types of every group in groups.
func newScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	for _, add := range groups {
		if err := add(s); err != nil {
			return nil, fmt.Errorf("register API types: %w", err)
		}
	}
	return s, nil
}

// kind is one top-level API object type.
type kind struct {
	group, version, kind string
	apiVersion           string
	goType               reflect.Type
}

// fileName is where kubeconform looks for the kind's schema: the lower-case
// kind, then the first label of the group (if any), then the version.
func (k kind) fileName() string {
	suffix := "-" + k.version
	if k.group != "" {
		suffix = "-" + strings.ToLower(strings.Split(k.group, ".")[0]) + suffix
	}
	return strings.ToLower(k.kind) + suffix + ".json"
}

// kindsOf lists the object kinds the scheme knows, leaving out lists, the
// shared option and status types and the unversioned internal ones.
func kindsOf(s *runtime.Scheme) []kind {
	var out []kind
	for gvk, t := range s.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || strings.HasSuffix(gvk.Kind, "List") {
			continue
		}
		if !strings.HasPrefix(t.PkgPath(), "k8s.io/api/") {
			continue // meta/v1 option types registered into every group
		}
		out = append(out, kind{
			group: gvk.Group, version: gvk.Version, kind: gvk.Kind,
			apiVersion: gvk.GroupVersion().String(),
			goType:     t,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].fileName() < out[j].fileName() })
	return out
}

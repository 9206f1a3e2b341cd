package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	dataserverv1 "github.com/starlight/dataserver/proto/dataserver/v1"
)

// Role is what a token may call.
type Role string

// The roles: trainer streams batches, dashboard reads Stats, operator may do all.
const (
	RoleTrainer   Role = "trainer"
	RoleDashboard Role = "dashboard"
	RoleOperator  Role = "operator"
)

// Token is one accepted bearer token; Name is the consumer identity in
// metrics and logs (the token itself is never logged).
type Token struct {
	Name  string `json:"name"`
	Role  Role   `json:"role"`
	Token string `json:"token"`
}

// allowed lists the DataService methods each role may call.
var allowed = map[Role]map[string]bool{
	RoleTrainer: {
		dataserverv1.DataService_StreamBatches_FullMethodName: true,
		dataserverv1.DataService_ReplayBatch_FullMethodName:   true,
		dataserverv1.DataService_ReportLosses_FullMethodName:  true,
	},
	RoleDashboard: {dataserverv1.DataService_Stats_FullMethodName: true},
	RoleOperator: {
		dataserverv1.DataService_StreamBatches_FullMethodName: true,
		dataserverv1.DataService_Stats_FullMethodName:         true,
		dataserverv1.DataService_Reindex_FullMethodName:       true,
		dataserverv1.DataService_ReplayBatch_FullMethodName:   true,
		dataserverv1.DataService_ReportLosses_FullMethodName:  true,
	},
}

// LoadTokens reads a JSON array of {"name","role","token"} objects.
func LoadTokens(path string) ([]Token, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: tokens file: %v", ErrConfig, err)
	}
	return ParseTokens(data, path)
}

// ParseTokens reads the JSON of a tokens file; name names it in errors.
func ParseTokens(data []byte, name string) ([]Token, error) {
	if len(data) > 1<<20 {
		return nil, fmt.Errorf("%w: tokens file %s: %d bytes, at most 1 MiB", ErrConfig, name, len(data))
	}
	var toks []Token
	if err := json.Unmarshal(data, &toks); err != nil {
		return nil, fmt.Errorf("%w: tokens file %s: %v", ErrConfig, name, err)
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("%w: tokens file %s holds no token: list at least one {\"name\",\"role\",\"token\"}, or leave --tokens-file out to serve without authentication (loopback only)", ErrConfig, name)
	}
	if err := checkTokens(toks); err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, name)
	}
	return toks, nil
}

// printable tells whether a token is all visible ASCII: what a bearer
// header carries unchanged (no spaces, which a header trims or splits on).
func printable(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if tok[i] <= ' ' || tok[i] >= 0x7f {
			return false
		}
	}
	return true
}

func checkTokens(toks []Token) error {
	seen := map[string]bool{}
	for i, t := range toks {
		switch {
		case t.Name == "":
			return fmt.Errorf("%w: token %d has no name", ErrConfig, i)
		case allowed[t.Role] == nil:
			return fmt.Errorf("%w: token %q has role %q; want trainer, dashboard or operator", ErrConfig, t.Name, t.Role)
		case !printable(t.Token):
			return fmt.Errorf("%w: token %q holds spaces or control characters: use visible ASCII only (e.g. the output of openssl rand -hex 24)", ErrConfig, t.Name)
		case len(t.Token) < 16:
			return fmt.Errorf("%w: token %q is shorter than 16 characters", ErrConfig, t.Name)
		case seen[t.Token]:
			return fmt.Errorf("%w: token %q repeats another token", ErrConfig, t.Name)
		}
		seen[t.Token] = true
	}
	return nil
}

// identity is who called, as auth found it.
type identity struct {
	name string
	role Role
}

type identityKey struct{}

// callerName returns the authenticated caller's name, "" when auth is off.
func callerName(ctx context.Context) string {
	if id, ok := ctx.Value(identityKey{}).(identity); ok {
		return id.name
	}
	return ""
}

// authenticator checks bearer tokens against the configured ones.
type authenticator struct {
	tokens []hashedToken
}

type hashedToken struct {
	sum  [sha256.Size]byte
	name string
	role Role
}

func newAuthenticator(toks []Token) *authenticator {
	a := &authenticator{}
	for _, t := range toks {
		a.tokens = append(a.tokens, hashedToken{sha256.Sum256([]byte(t.Token)), t.Name, t.Role})
	}
	return a
}

// authFunc authenticates the caller and checks its role against the method.
func (a *authenticator) authFunc(ctx context.Context) (context.Context, error) {
	method, _ := grpc.Method(ctx)
	tok, err := auth.AuthFromMD(ctx, "bearer")
	if err != nil {
		return nil, status.Error(codes.Unauthenticated, "missing bearer token: send \"authorization: Bearer <token>\" metadata")
	}
	sum := sha256.Sum256([]byte(tok))
	var found *hashedToken
	for i := range a.tokens {
		// Every token is compared, in constant time, whatever matches.
		if subtle.ConstantTimeCompare(sum[:], a.tokens[i].sum[:]) == 1 {
			found = &a.tokens[i]
		}
	}
	if found == nil {
		return nil, status.Error(codes.Unauthenticated, "unknown bearer token")
	}
	if !allowed[found.role][method] {
		return nil, status.Errorf(codes.PermissionDenied, "role %s of %q may not call %s", found.role, found.name, method)
	}
	logging.AddFields(ctx, logging.Fields{"caller", found.name})
	statsOf(ctx).setCaller(found.name)
	return context.WithValue(ctx, identityKey{}, identity{found.name, found.role}), nil
}

// needsAuth selects the calls that authenticate: all but health and reflection.
func needsAuth(_ context.Context, c interceptors.CallMeta) bool {
	return c.Service != "grpc.health.v1.Health" && !strings.HasPrefix(c.Service, "grpc.reflection.")
}

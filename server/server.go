package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/selector"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/feedback"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/guard"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// ServiceName is the health service name of the data service (the empty
// name reports the same status).
const ServiceName = "dataserver.v1.DataService"

// Server is one data server: catalog, feed and the gRPC server over them.
type Server struct {
	cfg       Config
	log       *zap.Logger
	cat       *catalog.Catalog
	feed      *feed.Feed
	grpc      *grpc.Server
	health    *health.Server
	metrics   *metrics
	consumers feed.Consumers
	// store is the persistent index under CacheDir (nil without one).
	store *index.Store
	// losses is the loss feedback (feedback.go), fbm its metrics.
	losses   *feedback.Store
	fbm      *feedbackMetrics
	knownIdx knownIndex

	streamSlots chan struct{}
	watchSlots  chan struct{}
	// calls counts the DataService calls running, for the drain.
	calls    atomic.Int64
	draining chan struct{}
	// watchesEnd ends health watches and reflection streams once the
	// DataService calls are done (see drain.go).
	watchesEnd chan struct{}
	drainOnce  sync.Once
	served     atomic.Bool
}

// New builds a server from cfg; nothing listens until Serve.
func New(cfg Config, log *zap.Logger) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if log == nil {
		log = zap.NewNop()
	}
	s := &Server{cfg: cfg, log: log, streamSlots: make(chan struct{}, cfg.MaxStreams), watchSlots: make(chan struct{}, cfg.MaxWatches),
		draining: make(chan struct{}), watchesEnd: make(chan struct{})}
	// Panics recovered anywhere in the process (index, feed, calls) are
	// logged with their stack; the latest server's logger takes them.
	plog := log.Named("panic")
	guard.SetReporter(func(p *guard.Panic) {
		plog.Error("panic recovered", zap.String("where", p.Where), zap.String("panic", fmt.Sprint(p.Value)), zap.ByteString("stack", p.Stack))
	})
	s.metrics = newMetrics(func() *feed.Feed { return s.feed }, func() *catalog.Catalog { return s.cat })
	s.consumers.OnForget = s.metrics.forget
	losses, err := openFeedback(cfg, log)
	if err != nil {
		return nil, err
	}
	s.losses, s.fbm = losses, newFeedbackMetrics(losses)
	s.metrics.reg.MustRegister(s.fbm)
	f, err := feed.New(feed.Config{
		Workers: cfg.Workers, Prefetch: cfg.Prefetch, MemoryBudget: cfg.MemoryBudget, BudgetWait: cfg.BudgetWait,
		CacheBytes: cfg.CacheBytes, CacheDir: cfg.CacheDir, DiskCacheBytes: cfg.DiskCacheBytes,
		Extract: cfg.Extract, OnExtract: s.metrics.onExtract, Losses: losses, OnDiskProblem: logDiskProblem(log),
	})
	if err != nil {
		losses.Close()
		return nil, err
	}
	s.feed = f
	// The index decodes every new or changed image; what it extracts warms
	// the feed's caches, so the first epoch costs no second decode. What it
	// learns is kept in the store, so a restart does not read again.
	s.store = openIndexStore(cfg, log)
	s.cat = catalog.New(cfg.Root, catalog.Options{Build: cfg.Build, OnSwap: s.metrics.onSwap,
		Index: index.Options{Workers: cfg.Workers, MaxFileSize: cfg.Extract.MaxFileSize, Limits: cfg.Extract.Limits, Extracted: f.Warm,
			Splits: cfg.Splits, Store: s.store}})

	opts, err := s.serverOptions()
	if err != nil {
		losses.Close()
		if s.store != nil {
			s.store.Close()
		}
		return nil, err
	}
	s.grpc = grpc.NewServer(opts...)
	pb.RegisterDataServiceServer(s.grpc, &service{s: s})
	s.health = health.NewServer()
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	s.health.SetServingStatus(ServiceName, healthpb.HealthCheckResponse_NOT_SERVING)
	healthpb.RegisterHealthServer(s.grpc, s.health)
	reflection.Register(s.grpc)
	s.metrics.grpc.InitializeMetrics(s.grpc)
	return s, nil
}

// serverOptions sets limits, keepalive, TLS and the interceptor chain, in
// the order of go-grpc-middleware's example server: metrics, logging, auth
// (through a selector that leaves health and reflection open), recovery;
// innermost, for streams, the drain's end of health watches (drain.go).
func (s *Server) serverOptions() ([]grpc.ServerOption, error) {
	cfg := s.cfg
	lg := zapLogger(s.log.Named("grpc"))
	// One line per finished call; health checks and reflection at debug.
	logOpts := []logging.Option{logging.WithLogOnEvents(logging.FinishCall), logging.WithFieldsFromContextAndCallMeta(statsFields)}
	quiet := append(logOpts, logging.WithLevels(debugUnlessFailed))
	data, open := selector.MatchFunc(needsAuth), selector.MatchFunc(func(ctx context.Context, c interceptors.CallMeta) bool { return !needsAuth(ctx, c) })
	// The gRPC boundary: guard counts the panic and its reporter logs it.
	recoverOpt := recovery.WithRecoveryHandler(func(p any) error {
		guard.Recovered("grpc", p)
		return status.Errorf(codes.Internal, "%v; the server log has its stack", guard.ErrPanic)
	})
	unary := []grpc.UnaryServerInterceptor{
		s.metrics.grpc.UnaryServerInterceptor(),
		countUnary,
		selector.UnaryServerInterceptor(logging.UnaryServerInterceptor(lg, logOpts...), data),
		selector.UnaryServerInterceptor(logging.UnaryServerInterceptor(lg, quiet...), open),
	}
	streams := []grpc.StreamServerInterceptor{
		s.metrics.grpc.StreamServerInterceptor(),
		countStream,
		selector.StreamServerInterceptor(logging.StreamServerInterceptor(lg, logOpts...), data),
		selector.StreamServerInterceptor(logging.StreamServerInterceptor(lg, quiet...), open),
	}
	if len(cfg.Tokens) > 0 {
		a := newAuthenticator(cfg.Tokens)
		match := selector.MatchFunc(needsAuth)
		unary = append(unary, selector.UnaryServerInterceptor(auth.UnaryServerInterceptor(a.authFunc), match))
		streams = append(streams, selector.StreamServerInterceptor(auth.StreamServerInterceptor(a.authFunc), match))
	}
	unary = append(unary, recovery.UnaryServerInterceptor(recoverOpt))
	streams = append(streams, recovery.StreamServerInterceptor(recoverOpt), s.capWatches, s.endWatchesAtDrain)

	opts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(streams...),
		grpc.MaxRecvMsgSize(cfg.MaxRecvBytes),
		grpc.MaxSendMsgSize(cfg.MaxSendBytes),
		grpc.MaxConcurrentStreams(uint32(cfg.MaxStreams + 16)),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: cfg.KeepaliveMinTime, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: cfg.KeepaliveTime, Timeout: cfg.KeepaliveTimeout}),
		grpc.WriteBufferSize(writeBufferSize),
		grpc.SharedWriteBuffer(true),
		// Batches go out without their tensors being copied into a
		// marshal buffer; the bytes are proto's (see wire.go).
		grpc.ForceServerCodecV2(newBatchCodec()),
	}
	if cfg.TLSCert != "" {
		creds, err := credentials.NewServerTLSFromFile(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("%w: TLS: %v", ErrConfig, err)
		}
		opts = append(opts, grpc.Creds(creds))
	}
	return opts, nil
}

// debugUnlessFailed logs health checks and reflection at debug, unless
// they fail on the server's side.
func debugUnlessFailed(c codes.Code) logging.Level {
	if l := logging.DefaultServerCodeToLevel(c); l > logging.LevelInfo {
		return l
	}
	return logging.LevelDebug
}

// writeBufferSize is the bytes the transport gathers before a write. Small
// (gRPC's default) beats large: the bytes copied in are still in the CPU
// cache when the kernel copies them out (loopback, 32 KiB against 1 MiB:
// about 13% less CPU per batch, 25% with pixel only).
const writeBufferSize = 32 << 10

// Catalog returns the server's catalog.
func (s *Server) Catalog() *catalog.Catalog { return s.cat }

// Feed returns the server's feed.
func (s *Server) Feed() *feed.Feed { return s.feed }

// Registry returns the server's Prometheus registry (for /metrics).
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

// MetricsHandler returns the HTTP handler of /metrics.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{Registry: s.metrics.reg})
}

// Serve indexes the tree in the background (health NOT_SERVING until the
// first snapshot is in place, SERVING after) and serves gRPC on lis until
// ctx ends, then shuts down gracefully. It returns nil after a clean
// shutdown, or the error that stopped it (an unreadable root, a listener
// failure). A Server serves once.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	if !s.served.CompareAndSwap(false, true) {
		return errors.New("Serve called twice")
	}
	if err := s.cfg.checkExposure(lis.Addr()); err != nil {
		lis.Close()
		return err
	}
	if len(s.cfg.Tokens) > 0 && s.cfg.TLSCert == "" {
		if tcp, ok := lis.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
			s.log.Warn("bearer tokens travel in plaintext: configure --tls-cert and --tls-key", zap.Stringer("addr", lis.Addr()))
		}
	}
	errc := make(chan error, 2)
	go func() {
		if err := s.grpc.Serve(lis); err != nil {
			errc <- fmt.Errorf("serving on %s: %w", lis.Addr(), err)
		}
	}()
	go func() {
		start := time.Now()
		if err := s.cat.Load(ctx); err != nil {
			if ctx.Err() == nil {
				errc <- err
			}
			return
		}
		v := s.cat.Current()
		s.log.Info("index ready", zap.String("snapshot", v.ID()), zap.Int("samples", len(v.Snapshot.Samples)),
			zap.Int("served", v.Accepted), zap.Int("problems", len(v.Snapshot.Problems)), zap.Duration("took", time.Since(start)))
		if !s.isDraining() {
			s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
			s.health.SetServingStatus(ServiceName, healthpb.HealthCheckResponse_SERVING)
		}
	}()
	progressCtx, stopProgress := context.WithCancel(ctx)
	defer stopProgress()
	go s.logIndexProgress(progressCtx)
	s.log.Info("listening", zap.Stringer("addr", lis.Addr()), zap.String("root", s.cfg.Root),
		zap.Bool("tls", s.cfg.TLSCert != ""), zap.Bool("auth", len(s.cfg.Tokens) > 0))
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		s.log.Error("stopping", zap.Error(err))
	}
	s.shutdown()
	if cerr := s.losses.Close(); cerr != nil {
		s.log.Error("closing the loss feedback store", zap.Error(cerr))
	}
	if s.store != nil {
		s.store.Close()
	}
	return err
}

// Run listens on cfg.Addr (and serves /metrics on cfg.MetricsAddr when set)
// and serves until ctx ends.
func Run(ctx context.Context, cfg Config, log *zap.Logger) error {
	cfg = cfg.withDefaults()
	if log == nil {
		log = zap.NewNop()
	}
	if err := cfg.check(); err != nil {
		return err
	}
	if a, err := net.ResolveTCPAddr("tcp", cfg.Addr); err != nil {
		return fmt.Errorf("%w: address %q: %v", ErrConfig, cfg.Addr, err)
	} else if err := cfg.checkExposure(a); err != nil {
		return err
	}
	if cfg.MetricsAddr != "" {
		if a, err := net.ResolveTCPAddr("tcp", cfg.MetricsAddr); err != nil {
			return fmt.Errorf("%w: metrics address %q: %v", ErrConfig, cfg.MetricsAddr, err)
		} else if err := cfg.checkExposed(a, "--metrics-addr"); err != nil {
			return err
		}
	}
	s, err := New(cfg, log)
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	if cfg.MetricsAddr != "" {
		mlis, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			lis.Close()
			return fmt.Errorf("metrics listener on %s: %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", s.MetricsHandler())
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(mlis)
		defer hs.Close()
		log.Info("metrics listening", zap.Stringer("addr", mlis.Addr()))
	}
	return s.Serve(ctx, lis)
}

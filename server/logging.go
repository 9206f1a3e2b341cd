package server

import (
	"context"
	"fmt"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"go.uber.org/zap"

	"github.com/starlight/dataserver/feed"
)

// zapLogger adapts zap to the logging interceptor: its key/value fields
// become zap fields and its levels zap levels.
func zapLogger(l *zap.Logger) logging.Logger {
	return logging.LoggerFunc(func(_ context.Context, lvl logging.Level, msg string, fields ...any) {
		zf := make([]zap.Field, 0, len(fields)/2)
		for i := 0; i+1 < len(fields); i += 2 {
			key := fmt.Sprint(fields[i])
			switch v := fields[i+1].(type) {
			case string:
				zf = append(zf, zap.String(key, v))
			case int:
				zf = append(zf, zap.Int(key, v))
			case int64:
				zf = append(zf, zap.Int64(key, v))
			case bool:
				zf = append(zf, zap.Bool(key, v))
			default:
				zf = append(zf, zap.Any(key, v))
			}
		}
		l := l.WithOptions(zap.AddCallerSkip(1))
		switch lvl {
		case logging.LevelDebug:
			l.Debug(msg, zf...)
		case logging.LevelInfo:
			l.Info(msg, zf...)
		case logging.LevelWarn:
			l.Warn(msg, zf...)
		case logging.LevelError:
			l.Error(msg, zf...)
		default:
			l.Info(msg, append(zf, zap.Int("level", int(lvl)))...)
		}
	})
}

func zapConsumer(name string) zap.Field { return zap.String("consumer", name) }

func zapBatch(b *feed.Batch) zap.Field {
	return zap.Dict("batch", zap.String("snapshot", b.SnapshotID), zap.Uint64("epoch", b.Epoch), zap.Int("index", b.Index))
}

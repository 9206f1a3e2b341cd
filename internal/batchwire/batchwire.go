// Package batchwire names the protobuf fields of a batch that the server's
// and the client's hand-written codecs frame and parse (server/wire.go,
// client/codec.go). The numbers are read from the generated descriptors, so
// they follow proto/dataserver/v1 and are written down nowhere else.
package batchwire

import (
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// Field numbers of StreamBatchesResponse.tensors and of the Tensor fields.
var (
	Tensors          = number((&pb.StreamBatchesResponse{}).ProtoReflect().Descriptor(), "tensors")
	TensorName       = number(tensor, "name")
	TensorDtype      = number(tensor, "dtype")
	TensorShape      = number(tensor, "shape")
	TensorData       = number(tensor, "data")
	TensorBitsPacked = number(tensor, "bits_packed")
)

var tensor = (&pb.Tensor{}).ProtoReflect().Descriptor()

// number returns the number of field name of d; a name missing from the
// schema is a programming error caught at start-up.
func number(d protoreflect.MessageDescriptor, name protoreflect.Name) protowire.Number {
	f := d.Fields().ByName(name)
	if f == nil {
		panic("batchwire: " + string(d.FullName()) + " has no field " + string(name))
	}
	return f.Number()
}

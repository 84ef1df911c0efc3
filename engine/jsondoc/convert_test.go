package jsondoc

import (
	"encoding/json"
)

// toAny converts v to the shapes encoding/json produces with UseNumber, so
// the two decoders can be compared with reflect.DeepEqual.
func toAny(v Value) any {
	switch v.Kind() {
	case Null:
		return nil
	case Bool:
		return v.Bool()
	case Number:
		return json.Number(v.NumberText())
	case String:
		return v.Str()
	case Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = toAny(v.Index(i))
		}
		return out
	case Object:
		out := make(map[string]any, v.Len())
		for i := 0; i < v.Len(); i++ {
			k, fv := v.Field(i)
			out[k] = toAny(fv)
		}
		return out
	}
	return "<invalid>"
}

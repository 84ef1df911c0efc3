package jsondoc

// Kind is the JSON type of a Value.
type Kind uint8

const (
	Invalid Kind = iota // the zero Value: a missing field or index
	Null
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{"invalid", "null", "boolean", "number", "string", "array", "object"}

// String names the kind as JSON does ("object", "number", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

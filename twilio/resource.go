package twilio

import "github.com/smsbridge/sms/internal/jsonscan"

// createdFields are the three fields Send reads from a created message resource.
type createdFields struct {
	SID, Status, NumSegments string
}

var createdKeys = []string{"sid", "status", "num_segments"}

// decodeCreated reads sid, status and num_segments from a message resource with
// internal/jsonscan (encoding/json's reflection costs more than the rest of a send's client
// side). ok is false unless b is one valid JSON object; a field that is not a string is left
// empty. FuzzDecodeCreated checks it against encoding/json.
func decodeCreated(b []byte) (f createdFields, ok bool) {
	ok = jsonscan.StringFields(b, createdKeys, []*string{&f.SID, &f.Status, &f.NumSegments})
	return f, ok
}
